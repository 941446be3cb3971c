"""gRPC status codes from the Zeebe gateway, translated into bpmn-bridge's engine errors.

The one place the adapter looks at a ``grpc.StatusCode`` (compare httpx's
``map_httpcore_exceptions``)::

    NOT_FOUND                                  -> JobNotFoundError
    INVALID_ARGUMENT, FAILED_PRECONDITION,
    UNAUTHENTICATED, PERMISSION_DENIED,
    UNIMPLEMENTED, ALREADY_EXISTS, OUT_OF_RANGE -> EngineRejectedError
    everything else (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
    CANCELLED, ABORTED, INTERNAL, UNKNOWN, DATA_LOSS) -> EngineUnavailableError

Transient-by-default: Zeebe answers INTERNAL and ABORTED during leader changes and
RESOURCE_EXHAUSTED under back pressure, and a refused connection surfaces as UNAVAILABLE, so
anything not known to be a verdict on the request itself lets the runtime back off and retry.
"""

from __future__ import annotations

from types import TracebackType

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs

from bpmn_bridge.core import (
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    JobNotFoundError,
)

__all__ = ["grpc_errors_translated", "translate_grpc_error"]

_REJECTED = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.OUT_OF_RANGE,
    }
)


def translate_grpc_error(
    error: grpc.aio.AioRpcError,
    what: str,
    *,
    engine: str | None = None,
    action: str | None = None,
    job_id: str | None = None,
) -> EngineError:
    """The engine error for a failed gRPC call.

    Args:
        error: The failed call's error.
        what: The operation, for the message, e.g. ``"CompleteJob for job 42"``.
        engine: The engine's configured name.
        action: The gRPC method, e.g. ``"CompleteJob"``.
        job_id: The job's key for job commands.

    Returns:
        The matching :class:`EngineError` subclass (not raised), whose ``status`` is the
        gRPC status name.
    """
    code = error.code()
    status = code.name if code is not None else "UNKNOWN"
    details = error.details() or ""
    message = f"{what} failed: {status}: {details}"
    facts = {"engine": engine, "action": action, "status": status, "job_id": job_id}
    if code == grpc.StatusCode.NOT_FOUND:
        return JobNotFoundError(message, **facts)
    if code in _REJECTED:
        return EngineRejectedError(message, **facts)
    return EngineUnavailableError(message, **facts)


class grpc_errors_translated:
    """Raise gRPC errors inside the block as engine errors (the original as ``__cause__``).

    A class rather than a generator context manager: one wraps every gRPC call, on the
    job's hot path, and this costs less than half of what ``@contextmanager`` does.

    Args:
        what: The operation, for the message.
        engine: The engine's configured name.
        action: The gRPC method, e.g. ``"CompleteJob"``.
        job_id: The job's key for job commands.

    Raises:
        EngineError: A gRPC call in the block failed.
    """

    __slots__ = ("action", "engine", "job_id", "what")

    def __init__(
        self,
        what: str,
        *,
        engine: str | None = None,
        action: str | None = None,
        job_id: str | None = None,
    ) -> None:
        self.what = what
        self.engine = engine
        self.action = action
        self.job_id = job_id

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        if isinstance(exc, grpc.aio.AioRpcError):
            raise translate_grpc_error(
                exc, self.what, engine=self.engine, action=self.action, job_id=self.job_id
            ) from exc
        if isinstance(exc, grpc.aio.UsageError):
            # The channel was closed under the call: the adapter is shutting down.
            raise EngineUnavailableError(
                f"{self.what} failed: {exc}",
                engine=self.engine,
                action=self.action,
                job_id=self.job_id,
            ) from exc
