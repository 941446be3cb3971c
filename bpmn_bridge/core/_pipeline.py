"""One job through a connector: the single path both engines' jobs take.

headers → secrets → input binding and validation → the connector (timeout, in-process
retries) → result or error mapping → one :data:`Outcome`. Nothing here knows which engine the
job came from; the runtime and the test kit both call :class:`JobPipeline`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import traceback
from collections.abc import Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any, Protocol

import anyio
import anyio.to_thread
import pydantic
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from bpmn_bridge.core._context import (
    Cancellation,
    ConnectorContext,
    Job,
    JobLogger,
    LeaseExtender,
)
from bpmn_bridge.core._durations import parse_duration
from bpmn_bridge.core._errors import (
    BpmnError,
    ConnectorError,
    FieldProblem,
    InputError,
    InvalidHeaderError,
    InvalidInputError,
    RetryableError,
)
from bpmn_bridge.core._headers import (
    ERROR_EXPRESSION,
    NO_HEADERS,
    RESULT_EXPRESSION,
    StandardHeaders,
    parse_standard_headers,
)
from bpmn_bridge.core._outcome import BpmnErrorThrown, Completed, Failed, Outcome
from bpmn_bridge.core._secrets import (
    MappingSecretProvider,
    SecretMasker,
    SecretProvider,
    resolve_secrets,
)
from bpmn_bridge.core._spec import ConnectorSpec, RetryPolicy
from bpmn_bridge.feel import BpmnErrorResult, FeelError, JobErrorResult

__all__ = ["DeadlineScope", "JobPipeline"]


class DeadlineScope(Protocol):
    """What the pipeline needs of a caller's cancel scope (see ``JobPipeline.run``):
    ``anyio.CancelScope`` is one; a runtime on bare asyncio may bring a cheaper one."""

    deadline: float
    """When the scope cancels what it encloses, on the event loop's clock."""

    @property
    def cancelled_caught(self) -> bool:
        """The scope ended a cancellation of its own (its deadline, or its ``cancel``)."""

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None: ...


_ALWAYS_STOP = (BpmnError, InputError)


class _DeadlinePassed(Exception):
    pass


class JobPipeline:
    """Runs jobs through one connector and decides each job's outcome.

    Args:
        spec: The connector's spec (see :func:`connector`).
        secrets: Where ``{{secrets.NAME}}`` values come from.
        masker: Masks secret values in messages and logs; shared across pipelines so a
            value resolved for one connector is masked everywhere.
        logger: Parent logger for job loggers; ``bpmn_bridge.connector.<type>`` by default.
        thread_limiter: Bounds threads used by sync connectors.
        bare_secret_names: Also resolve a whole value ``secrets.NAME`` (Camunda's older
            form); off by default, see :func:`resolve_secrets`.
    """

    def __init__(
        self,
        spec: ConnectorSpec,
        *,
        secrets: SecretProvider | None = None,
        masker: SecretMasker | None = None,
        logger: logging.Logger | None = None,
        thread_limiter: anyio.CapacityLimiter | None = None,
        bare_secret_names: bool = False,
    ) -> None:
        self.spec = spec
        self.secrets: SecretProvider = secrets or MappingSecretProvider({})
        self.masker = masker or SecretMasker()
        self.logger = logger or logging.getLogger(f"bpmn_bridge.connector.{spec.type}")
        self.bare_secret_names = bare_secret_names
        self._thread_limiter = thread_limiter
        # Every value handed out, through a placeholder or context.secret(), is masked.
        self._recording = _RecordingProvider(self.secrets, self.masker)

    async def run(
        self,
        job: Job,
        *,
        lease_extender: LeaseExtender | None = None,
        cancellation: Cancellation | None = None,
        cancel_scope: DeadlineScope | None = None,
    ) -> Outcome:
        """Run one job and return its outcome; never raises for anything the job did.

        Cancellation of the calling task (worker shutdown) propagates as usual.

        Args:
            job: The job, as an adapter built it.
            lease_extender: Extends the job's lease (``context.extend_lease``).
            cancellation: Set by the caller to ask the connector to stop.
            cancel_scope: A new cancel scope of the caller's (an ``anyio.CancelScope``, or
                any `DeadlineScope`), which the pipeline enters around the connector with
                the job's deadline set on it: the caller stops
                the connector by cancelling it (``run`` then raises the cancellation, as
                when the caller's own scope is cancelled) without a scope of its own
                around ``run``, one scope and one timer less per job.

        Returns:
            Exactly one of Completed, BpmnErrorThrown, Failed.
        """
        try:
            return await self._run(job, lease_extender, cancellation, cancel_scope)
        except Exception as exc:
            # The last line of defence: whatever escaped a phase (a recursion in a result,
            # an encoder's TypeError) ends this job as an incident, never the worker.
            text = self.masker.mask(_describe(exc))[:1000]
            self.logger.error("Job %s could not be handled: %s", job.info.id, text)
            return Failed(f"Job could not be handled: {text}", retries=0)

    async def _run(
        self,
        job: Job,
        lease_extender: LeaseExtender | None,
        cancellation: Cancellation | None,
        cancel_scope: DeadlineScope | None = None,
    ) -> Outcome:
        spec = self.spec
        headers = NO_HEADERS
        try:
            if spec.conventions:
                headers = parse_standard_headers(job.headers)
                variables = _nest_dotted(
                    resolve_secrets(
                        job.variables, self._recording, bare_names=self.bare_secret_names
                    )
                )
                arguments = self._bind(variables)
            else:
                variables, arguments = dict(job.variables), {}
        except InputError as exc:
            return self._incident(exc)
        except _ProviderFailed as exc:
            # A secret provider that failed (an unreadable secret file, a vault outage):
            # the job may succeed once an operator fixes it, so it spends a retry.
            return self._failure(exc, job, headers, {}, str(exc), map_error=False)
        # The context (and its job logger) only for a connector that takes one or retries
        # that log through it: nothing else sees it, and most jobs would build it for naught.
        context = None
        policy = spec.retry_policy
        if spec.context_parameter is not None or (policy is not None and policy.max_attempts != 1):
            context = self._context(job, variables, lease_extender, cancellation)
        timeout = headers.job_timeout or spec.timeout
        try:
            result = await self._call_with_deadline(
                arguments, context, cancellation, timeout, cancel_scope
            )
            if not spec.conventions and isinstance(result, Completed | BpmnErrorThrown | Failed):
                return self._masked(result)
            return self._complete(result, headers)
        except BpmnError as exc:
            return self._bpmn_error(exc.code, exc.message, exc.variables)
        except InputError as exc:
            return self._incident(exc)
        except _DeadlinePassed:
            message = f"Connector '{spec.type}' timed out after {timeout.total_seconds():g}s"
            return self._failure(TimeoutError(message), job, headers, variables, message)
        except Exception as exc:
            return self._failure(exc, job, headers, variables, None)

    def _context(
        self,
        job: Job,
        variables: Mapping[str, Any],
        lease_extender: LeaseExtender | None,
        cancellation: Cancellation | None,
    ) -> ConnectorContext:
        logger = JobLogger(
            self.logger,
            {"job_id": job.info.id, "connector": self.spec.type, "engine": job.info.engine},
            self.masker,
        )
        return ConnectorContext(
            info=job.info,
            headers=job.headers,
            variables=variables,
            secrets=self._recording,
            logger=logger,
            cancellation=cancellation or Cancellation(),
            lease_extender=lease_extender or _no_lease,
        )

    def _bind(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        spec = self.spec
        if spec.input_model is None or spec.input_parameter is None:
            return {}
        try:
            model = spec.input_model.model_validate(variables)
        except pydantic.ValidationError as exc:
            raise InvalidInputError(spec.type, _problems(exc)) from None
        return {spec.input_parameter: model}

    async def _call_with_deadline(
        self,
        arguments: dict[str, Any],
        context: ConnectorContext | None,
        cancellation: Cancellation | None,
        limit: timedelta,
        caller_scope: DeadlineScope | None = None,
    ) -> Any:
        # a deadline scope, not fail_after: the connector may raise TimeoutError itself.
        policy = self.spec.retry_policy
        scope: DeadlineScope
        if caller_scope is None:
            scope = anyio.move_on_after(limit.total_seconds())
        else:
            scope = caller_scope
            scope.deadline = anyio.current_time() + limit.total_seconds()
        with scope:
            if policy is None or policy.max_attempts == 1:
                return await self._call(arguments, context)  # no retry loop to enter
            assert context is not None  # built for every connector that retries
            return await self._call_with_retries(arguments, context, policy)
        if caller_scope is not None and anyio.current_time() < scope.deadline:
            # the caller cancelled the connector before its deadline: its cancellation
            raise anyio.get_cancelled_exc_class()()
        if scope.cancelled_caught:
            if context is not None:
                cancellation = context.cancellation
            if cancellation is not None:
                cancellation.set()
        raise _DeadlinePassed

    async def _call_with_retries(
        self, arguments: dict[str, Any], context: ConnectorContext, policy: RetryPolicy
    ) -> Any:
        async for attempt in _retrying(policy):
            with attempt:
                number = attempt.retry_state.attempt_number
                ctx = context if number == 1 else dataclasses.replace(context, attempt=number)
                if number > 1:
                    context.logger.info("In-process retry %d of '%s'", number, self.spec.type)
                return await self._call(arguments, ctx)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _call(self, arguments: dict[str, Any], context: ConnectorContext | None) -> Any:
        spec = self.spec
        if spec.context_parameter is not None:  # then context was built
            arguments = {**arguments, spec.context_parameter: context}
        if spec.is_async:
            return await spec.function(**arguments)
        call = functools.partial(spec.function, **arguments)
        return await anyio.to_thread.run_sync(
            call, abandon_on_cancel=True, limiter=self._thread_limiter
        )

    def _complete(self, result: Any, headers: StandardHeaders) -> Outcome:
        value = _plain(result)
        if headers.result_variable is None and headers.result_expression is None:
            if value is None:
                return Completed({})
            if not isinstance(value, dict):
                raise TypeError(
                    f"connector '{self.spec.type}' returned {type(result).__name__}; return a "
                    "pydantic model, a mapping or None, or set a resultVariable header"
                )
            return Completed(self.masker.mask_value(value))
        variables: dict[str, Any] = {}
        if headers.result_variable is not None:
            variables[headers.result_variable] = value
        if headers.result_expression is not None:
            scope = dict(value) if isinstance(value, dict) else {}
            scope["response"] = value
            mapped = headers.result_expression.evaluate_json(scope)
            if mapped is not None and not isinstance(mapped, dict):
                raise InvalidHeaderError(
                    RESULT_EXPRESSION,
                    f"must evaluate to a context such as {{name: response.value}}, "
                    f"got {type(mapped).__name__}",
                )
            variables.update(mapped or {})
        return Completed(self.masker.mask_value(variables))

    def _bpmn_error(self, code: str, message: str, variables: Mapping[str, Any]) -> Outcome:
        # Error variables become process variables: a secret in them would leave the worker.
        return BpmnErrorThrown(
            code, self.masker.mask(message), self.masker.mask_value(dict(variables))
        )

    def _masked(self, outcome: Outcome) -> Outcome:
        """An outcome a bridged handler decided, with secrets masked as ours are."""
        variables = self.masker.mask_value(dict(outcome.variables))
        if isinstance(outcome, Completed):
            local = outcome.local_variables
            return Completed(variables, self.masker.mask_value(dict(local)) if local else {})
        if isinstance(outcome, BpmnErrorThrown):
            return dataclasses.replace(
                outcome, message=self.masker.mask(outcome.message), variables=variables
            )
        return dataclasses.replace(
            outcome,
            message=self.masker.mask(outcome.message),
            details=self.masker.mask(outcome.details),
            variables=variables,
        )

    def _incident(self, exc: InputError) -> Failed:
        self.logger.warning("Job cannot run, raising an incident: %s", self.masker.mask(str(exc)))
        return Failed(self.masker.mask(str(exc)), retries=0)

    def _failure(
        self,
        exc: Exception,
        job: Job,
        headers: StandardHeaders,
        variables: Mapping[str, Any],
        message: str | None,
        *,
        map_error: bool = True,
    ) -> Outcome:
        left = job.info.retries
        if left is None:
            left = headers.retries if headers.retries is not None else self.spec.retries
        retries = max(left - 1, 0)
        backoff = headers.retry_backoff
        if backoff is None:
            backoff = self.spec.retry_backoff
        if map_error and headers.error_expression is not None:
            mapped = self._map_error(exc, headers, retries, backoff)
            if mapped is not None:
                return mapped
        details = self.masker.mask("".join(traceback.format_exception(exc)))
        if isinstance(exc, BpmnError):  # raised from inside result mapping
            return self._bpmn_error(exc.code, exc.message, exc.variables)
        if isinstance(exc, InputError):
            return self._incident(exc)
        if isinstance(exc, RetryableError):
            retries = exc.retries if exc.retries is not None else retries
            backoff = exc.backoff if exc.backoff is not None else backoff
            text = exc.message
        elif isinstance(exc, ConnectorError):
            text = f"Connector error {exc.code}: {exc.message}"
        elif isinstance(exc, _ProviderFailed):  # from context.secret() in the connector
            text = str(exc)
        else:
            text = message or f"{type(exc).__name__}: {exc}"
        return Failed(self.masker.mask(text), retries=retries, backoff=backoff, details=details)

    def _map_error(
        self,
        exc: Exception,
        headers: StandardHeaders,
        retries: int,
        backoff: timedelta,
    ) -> Outcome | None:
        expression = headers.error_expression
        assert expression is not None
        code = exc.code if isinstance(exc, ConnectorError) else None
        message = exc.message if isinstance(exc, ConnectorError | RetryableError) else str(exc)
        error_variables = self.masker.mask_value(
            dict(exc.variables) if isinstance(exc, ConnectorError) else {}
        )
        error = {
            "code": code,
            "message": self.masker.mask(message),
            "type": type(exc).__name__,
            "variables": error_variables,
        }
        # As in Camunda's connectors: the error and the response, not the job's inputs,
        # which hold resolved secrets the expression could copy into a process variable.
        scope: dict[str, Any] = {"error": error}
        if "response" in error_variables:
            scope["response"] = error_variables["response"]
        try:
            mapped = expression.evaluate(scope)
        except FeelError as bad:
            # e.g. jobError(...) with negative retries: the header is wrong, and this runs
            # while handling a failure, so nothing else would catch it
            return self._incident(InvalidHeaderError(ERROR_EXPRESSION, str(bad)))
        if mapped is None:
            return None
        if isinstance(mapped, BpmnErrorResult):
            return self._bpmn_error(mapped.code, mapped.message, mapped.variables)
        if isinstance(mapped, JobErrorResult):
            if mapped.retry_backoff is not None:
                try:
                    backoff = parse_duration(mapped.retry_backoff)
                except ValueError as bad:
                    return self._incident(InvalidHeaderError(ERROR_EXPRESSION, str(bad)))
            return Failed(
                self.masker.mask(mapped.message),
                retries=mapped.retries if mapped.retries is not None else retries,
                backoff=backoff,
                variables=self.masker.mask_value(dict(mapped.variables)),
            )
        return self._incident(
            InvalidHeaderError(
                ERROR_EXPRESSION,
                "must evaluate to bpmnError(...), jobError(...) or null, "
                f"got {type(mapped).__name__}",
            )
        )


class _ProviderFailed(Exception):
    """A secret provider raised; the message names the secret, never a value."""


class _RecordingProvider:
    """Hands out secrets and tells the masker each value, so none is ever shown."""

    __slots__ = ("_added", "_masker", "_provider")

    def __init__(self, provider: SecretProvider, masker: SecretMasker) -> None:
        self._provider = provider
        self._masker = masker
        # Values this provider already told the masker (which never forgets one): a set
        # look-up per secret per job instead of a call into the masker.
        self._added: set[str] = set()

    def get(self, name: str) -> str | None:
        try:
            value = self._provider.get(name)
        except Exception as exc:
            raise _ProviderFailed(
                f"Secrets could not be read: secret '{name}': {_describe(exc)}"
            ) from exc
        if value and value not in self._added:
            self._masker.add(value)
            self._added.add(value)
        return value


async def _no_lease(duration: timedelta) -> None:
    del duration


def _retrying(policy: RetryPolicy) -> AsyncRetrying:
    return AsyncRetrying(
        stop=stop_after_attempt(policy.max_attempts),
        wait=wait_exponential(
            multiplier=policy.initial_backoff.total_seconds(),
            exp_base=policy.multiplier,
            max=policy.max_backoff.total_seconds(),
        ),
        retry=retry_if_exception(
            lambda exc: isinstance(exc, policy.retry_on) and not isinstance(exc, _ALWAYS_STOP)
        ),
        sleep=anyio.sleep,
        reraise=True,
    )


def _nest_dotted(variables: dict[str, Any]) -> dict[str, Any]:
    """Fold variables named ``a.b`` into ``{"a": {"b": ...}}``.

    Zeebe input mappings with a dotted target build nested contexts; Camunda 7 input
    parameters of the same names arrive flat. Folding them here makes one element template
    bind a nested input model the same way on both engines. A plain ``a`` variable that is
    itself a mapping is merged with its dotted parts; one that is not is left alone.
    """
    for name in variables:  # a loop, not any() over a generator: this runs for every job
        if "." in name:
            break
    else:
        return variables
    nested: dict[str, Any] = {k: v for k, v in variables.items() if "." not in k}
    for name, value in variables.items():
        if "." not in name:
            continue
        *parents, leaf = name.split(".")
        node = nested
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                if child is not None:
                    break  # a scalar already holds this name: keep the flat variable
                child = node[part] = {}
            else:
                child = node[part] = dict(child)
            node = child
        else:
            node.setdefault(leaf, value)
            continue
        nested[name] = value
    return nested


def _describe(exc: BaseException) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # an exception whose __str__ fails, too
        return type(exc).__name__


def _plain(result: Any) -> Any:
    if type(result) is dict:  # the common answer, spared two ABC instance checks
        return dict(result)
    if isinstance(result, pydantic.BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    if isinstance(result, Mapping):
        return dict(result)
    return result


def _problems(exc: pydantic.ValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or "(input)"
        problems.append(FieldProblem(location, error["msg"]))
    return problems
