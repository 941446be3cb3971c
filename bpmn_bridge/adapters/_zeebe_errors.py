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

from collections.abc import Iterator
from contextlib import contextmanager

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


def translate_grpc_error(error: grpc.aio.AioRpcError, what: str) -> EngineError:
    """The engine error for a failed gRPC call.

    Args:
        error: The failed call's error.
        what: The operation, for the message, e.g. ``"CompleteJob for job 42"``.

    Returns:
        The matching :class:`EngineError` subclass (not raised).
    """
    code = error.code()
    details = error.details() or ""
    message = f"{what} failed: {code.name if code is not None else 'UNKNOWN'}: {details}"
    if code == grpc.StatusCode.NOT_FOUND:
        return JobNotFoundError(message)
    if code in _REJECTED:
        return EngineRejectedError(message)
    return EngineUnavailableError(message)


@contextmanager
def grpc_errors_translated(what: str) -> Iterator[None]:
    """Raise gRPC errors inside the block as engine errors (the original as ``__cause__``).

    Args:
        what: The operation, for the message.

    Raises:
        EngineError: A gRPC call in the block failed.
    """
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        raise translate_grpc_error(exc, what) from exc
    except grpc.aio.UsageError as exc:
        # The channel was closed under the call: the adapter is shutting down.
        raise EngineUnavailableError(f"{what} failed: {exc}") from exc
