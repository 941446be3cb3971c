"""``@connector``: record what a connector is, return the function unchanged."""

from __future__ import annotations

import builtins
import inspect
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar, overload

from pydantic import BaseModel

from bpmn_bridge.core._context import ConnectorContext
from bpmn_bridge.core._errors import ConnectorDefinitionError, RetryableError

__all__ = ["ConnectorSpec", "RetryPolicy", "connector", "get_spec"]

F = TypeVar("F", bound=Callable[..., Any])
_SPEC_ATTRIBUTE = "__bpmn_bridge_connector__"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """In-process retries of transient errors, before the engine ever hears of them.

    Distinct from engine retries: these happen inside one job attempt, within its lease,
    and ``context.attempt`` counts them.

    Attributes:
        max_attempts: Attempts in all, the first included.
        initial_backoff: Wait before the first retry.
        max_backoff: Upper bound of the exponential wait.
        multiplier: Growth of the wait per retry.
        retry_on: Exception types that count as transient.
    """

    max_attempts: int = 3
    initial_backoff: timedelta = timedelta(milliseconds=100)
    max_backoff: timedelta = timedelta(seconds=5)
    multiplier: float = 2.0
    retry_on: tuple[type[BaseException], ...] = (RetryableError, ConnectionError, TimeoutError)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConnectorDefinitionError("RetryPolicy.max_attempts must be at least 1")


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    """Everything the runtime, adapters, template generator and test kit know of a connector.

    Attributes:
        function: The connector function itself.
        type: The job type (Zeebe) and topic (Camunda 7) it serves.
        name: A human-readable name (element templates use it).
        version: The connector's version (element templates use it).
        description: What it does.
        input_model: The pydantic model its input is validated into, or None.
        input_parameter: The name of the parameter that receives the input.
        context_parameter: The name of the parameter that receives the context, or None.
        is_async: Whether the function is a coroutine function.
        timeout: How long one job may run; also the lease asked of the engine.
        retries: Engine retries when the engine does not say (Camunda 7 before the first
            failure) and the job has no ``retries`` header.
        retry_backoff: Wait before the engine retries a failed job.
        max_concurrency: Jobs of this connector running at once in one worker process.
        retry_policy: In-process retries of transient errors, or None.
        fetch_variables: Variables to fetch from the engine; None fetches all.
        conventions: Whether the pipeline applies the connector conventions: standard
            headers, ``{{secrets.NAME}}`` placeholders and input binding. False for
            handlers bridged from another worker library (:mod:`bpmn_bridge.interop`):
            they see the job as the engine delivered it and return its
            :data:`~bpmn_bridge.core.Outcome` themselves.
        extra: Free-form metadata for tools built on the spec.
        errors: The BPMN error codes the connector throws, as declared (``errors=``): the
            element templates and docs show them, so a modeller knows which boundary error
            events to draw.
    """

    function: Callable[..., Any]
    type: str
    name: str
    version: int
    description: str
    input_model: builtins.type[BaseModel] | None
    input_parameter: str | None
    context_parameter: str | None
    is_async: bool
    timeout: timedelta = timedelta(minutes=5)
    retries: int = 3
    retry_backoff: timedelta = timedelta(0)
    max_concurrency: int = 32
    retry_policy: RetryPolicy | None = None
    fetch_variables: tuple[str, ...] | None = None
    conventions: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


@overload
def connector(function: F, /) -> F: ...


@overload
def connector(
    *,
    type: str | None = None,
    name: str | None = None,
    version: int = 1,
    description: str | None = None,
    timeout: timedelta = timedelta(minutes=5),
    retries: int = 3,
    retry_backoff: timedelta = timedelta(0),
    max_concurrency: int = 32,
    retry_policy: RetryPolicy | None = None,
    fetch_variables: Sequence[str] | None = None,
    errors: Sequence[str] = (),
) -> Callable[[F], F]: ...


def connector(
    function: F | None = None,
    /,
    *,
    type: str | None = None,
    name: str | None = None,
    version: int = 1,
    description: str | None = None,
    timeout: timedelta = timedelta(minutes=5),
    retries: int = 3,
    retry_backoff: timedelta = timedelta(0),
    max_concurrency: int = 32,
    retry_policy: RetryPolicy | None = None,
    fetch_variables: Sequence[str] | None = None,
    errors: Sequence[str] = (),
) -> F | Callable[[F], F]:
    """Declare a function a connector; works bare (``@connector``) and with arguments.

    The function takes a pydantic model (its input) and optionally a
    :class:`ConnectorContext`, identified by their annotations, and returns a pydantic model,
    a mapping or None. It is returned unchanged, so it stays callable as plain Python.

    Args:
        function: The function, when used bare.
        type: Job type / topic; the function's name by default.
        name: Human-readable name; the type by default.
        version: Connector version.
        description: What it does; the docstring's first line by default.
        timeout: How long one job may run (and the lease asked of the engine).
        retries: Engine retries when neither the engine nor a header says.
        retry_backoff: Wait before the engine retries after a failure.
        max_concurrency: Jobs running at once per worker process.
        retry_policy: In-process retries of transient errors.
        fetch_variables: Only these variables are fetched; by default the input model's
            field names (aliases) when the function takes a model, else all. The default
            names nested models' fields by dotted path too (``authentication.type``).
        errors: The BPMN error codes it throws (``BpmnError("CODE")``), shown in its
            element templates, e.g. ``errors=["PAYMENT_DECLINED"]``.

    Returns:
        The function, or a decorator when called with arguments.

    Raises:
        ConnectorDefinitionError: The signature or an argument is not usable.
    """

    def decorate(fn: F, localns: Mapping[str, Any] | None = None) -> F:
        if localns is None:
            localns = sys._getframe(1).f_locals
        spec = _build_spec(
            fn,
            localns=localns,
            job_type=type,
            name=name,
            version=version,
            description=description,
            timeout=timeout,
            retries=retries,
            retry_backoff=retry_backoff,
            max_concurrency=max_concurrency,
            retry_policy=retry_policy,
            fetch_variables=fetch_variables,
            errors=errors,
        )
        setattr(fn, _SPEC_ATTRIBUTE, spec)
        return fn

    if function is not None:
        # Annotations may name classes local to the caller (postponed evaluation).
        return decorate(function, sys._getframe(1).f_locals)
    return decorate


def get_spec(function: Callable[..., Any]) -> ConnectorSpec:
    """Return the spec ``@connector`` recorded on a function.

    Raises:
        ConnectorDefinitionError: The function is not decorated with ``@connector``.
    """
    spec = getattr(function, _SPEC_ATTRIBUTE, None)
    if not isinstance(spec, ConnectorSpec):
        raise ConnectorDefinitionError(
            f"{getattr(function, '__qualname__', function)!r} is not a connector: "
            "decorate it with @connector"
        )
    return spec


def _build_spec(
    fn: Callable[..., Any],
    *,
    localns: Mapping[str, Any],
    job_type: str | None,
    name: str | None,
    version: int,
    description: str | None,
    timeout: timedelta,
    retries: int,
    retry_backoff: timedelta,
    max_concurrency: int,
    retry_policy: RetryPolicy | None,
    fetch_variables: Sequence[str] | None,
    errors: Sequence[str] = (),
) -> ConnectorSpec:
    where = getattr(fn, "__qualname__", repr(fn))
    if not callable(fn):
        raise ConnectorDefinitionError(f"@connector needs a function, got {fn!r}")
    try:
        hints = typing.get_type_hints(fn, localns=dict(localns))
    except Exception as exc:  # unresolved forward references
        raise ConnectorDefinitionError(f"cannot read the annotations of {where}: {exc}") from exc
    input_parameter: str | None = None
    input_model: type[BaseModel] | None = None
    context_parameter: str | None = None
    for parameter in inspect.signature(fn).parameters.values():
        annotation = hints.get(parameter.name)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if input_model is not None:
                raise ConnectorDefinitionError(f"{where} takes two input models; take one")
            input_parameter, input_model = parameter.name, annotation
        elif annotation is ConnectorContext:
            context_parameter = parameter.name
        elif parameter.default is inspect.Parameter.empty:
            raise ConnectorDefinitionError(
                f"{where}: parameter '{parameter.name}' must be annotated with a pydantic "
                "model (the input) or ConnectorContext"
            )
    if isinstance(errors, str) or not all(isinstance(e, str) and e.strip() for e in errors):
        raise ConnectorDefinitionError(
            f"{where}: errors must be a list of BPMN error codes, got {errors!r}"
        )
    if retries < 0:
        raise ConnectorDefinitionError(f"{where}: retries must be >= 0, got {retries}")
    if max_concurrency < 1:
        raise ConnectorDefinitionError(f"{where}: max_concurrency must be >= 1")
    if timeout <= timedelta(0):
        raise ConnectorDefinitionError(f"{where}: timeout must be positive")
    job_type = job_type or fn.__name__
    doc = inspect.getdoc(fn) or ""
    fetch: tuple[str, ...] | None
    if fetch_variables is None and input_model is not None:
        fetch = tuple(dict.fromkeys(_variable_names(input_model, prefix="", seen=(input_model,))))
    else:
        fetch = tuple(fetch_variables) if fetch_variables is not None else None
    return ConnectorSpec(
        function=fn,
        type=job_type,
        name=name or job_type,
        version=version,
        description=description if description is not None else doc.split("\n", 1)[0],
        input_model=input_model,
        input_parameter=input_parameter,
        context_parameter=context_parameter,
        is_async=inspect.iscoroutinefunction(fn),
        timeout=timeout,
        retries=retries,
        retry_backoff=retry_backoff,
        max_concurrency=max_concurrency,
        retry_policy=retry_policy,
        fetch_variables=fetch,
        errors=tuple(dict.fromkeys(errors)),
    )


def _variable_names(
    model: type[BaseModel], *, prefix: str, seen: tuple[type[BaseModel], ...]
) -> Iterator[str]:
    """A model's aliases, then its nested models' fields by dotted path.

    Camunda 7 hands a worker only the variables it names, and an element template binds a
    nested field as a flat variable named ``authentication.type`` (the pipeline nests it
    again). Zeebe ignores names that match no variable.
    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"
        yield path
        for nested in _models_in(info.annotation):
            if nested not in seen:  # a model that contains itself ends the path here
                yield from _variable_names(nested, prefix=f"{path}.", seen=(*seen, nested))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field holds directly: the model, or each model of a union."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _models_in(a)]
    return []
