"""The exception tree of bpmn-bridge.

Every error the project raises on purpose is a :class:`BridgeError`, except the FEEL
package's (see below). Connector code raises the first three to choose the job's outcome;
the runtime, the adapters, the built-in connectors, the migrator and the embedded engine
raise the rest::

    BridgeError
    ├── BpmnError                  business error: the process takes an error path
    ├── ConnectorError             technical error with a code, mapped by an errorExpression
    ├── RetryableError             transient failure carrying its own retries / backoff
    ├── InputError                 the job cannot run as given: an incident, retries 0
    │   ├── InvalidInputError      the variables do not fit the connector's input model
    │   ├── SecretNotFoundError    a ``{{secrets.NAME}}`` placeholder names no known secret
    │   ├── InvalidHeaderError     a standard header (retries, resultExpression, ...) is invalid
    │   └── EgressRefusedError     the HTTP connector's egress policy refused the request
    ├── ConnectorDefinitionError   a connector function or its decorator arguments are wrong
    │                              (also a TypeError)
    ├── ConfigurationError         runtime configuration is missing or invalid (also a ValueError)
    ├── MigrationError             a diagram cannot be migrated (also a ValueError)
    ├── EngineError                talking to an engine failed (raised by adapters); carries
    │   │                          .engine, .action, .status and .job_id
    │   ├── EngineUnavailableError the engine cannot be reached; the runtime reconnects
    │   ├── JobNotFoundError       the job is gone (completed, cancelled, lease lost)
    │   └── EngineRejectedError    the engine refused a request as invalid
    ├── JobHandedBack              (test kit) run_connector: the worker shut down before the
    │                              connector finished, so the job goes back to the engine
    └── DevEngineError             the embedded engine refused a command; its fronts turn it
        │                          into the protocol's answer (tree in bpmn_bridge.devengine)
        ├── NotFoundError          unknown definition, instance, job record or incident
        ├── InvalidArgumentError   malformed request; BpmnModelError: unsupported model
        ├── InvalidStateError      valid request, wrong state (job locked by another worker)
        └── JuelError              a Camunda 7 expression failed (syntax or evaluation)

    ValueError
    └── FeelError                  a FEEL expression does not compile or evaluate
                                   (bpmn_bridge.feel stands alone and imports nothing of the
                                   project; headers and the pipeline turn it into
                                   InvalidHeaderError or an incident)

A plain exception from connector code (anything else) fails the job with one retry spent and
the configured backoff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

__all__ = [
    "BpmnError",
    "BridgeError",
    "ConfigurationError",
    "ConnectorDefinitionError",
    "ConnectorError",
    "EngineError",
    "EngineRejectedError",
    "EngineUnavailableError",
    "FieldProblem",
    "InputError",
    "InvalidHeaderError",
    "InvalidInputError",
    "JobNotFoundError",
    "RetryableError",
    "SecretNotFoundError",
]


class BridgeError(Exception):
    """Base class of every error bpmn-bridge raises on purpose."""


class BpmnError(BridgeError):
    """A business error: the engine routes the token to a matching error boundary event.

    Args:
        code: The BPMN error code the boundary event catches.
        message: A human-readable message stored with the error.
        variables: Variables set on the process when the error is thrown.
    """

    def __init__(
        self, code: str, message: str = "", *, variables: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.variables: dict[str, Any] = dict(variables or {})


class ConnectorError(BridgeError):
    """A technical error with a code, e.g. an HTTP status, that an errorExpression can map.

    Without a matching errorExpression it fails the job and spends one retry.

    Args:
        code: A machine-readable error code (``"404"``, ``"TIMEOUT"``...).
        message: A human-readable message; secrets are masked before it leaves the process.
        variables: Extra data visible to the errorExpression as ``error.variables``.
    """

    def __init__(
        self, code: str, message: str, *, variables: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.variables: dict[str, Any] = dict(variables or {})


class RetryableError(BridgeError):
    """A transient failure; the engine retries the job later.

    Args:
        message: Why the job failed.
        retries: Retries left after this failure; by default one less than the job had.
        backoff: How long the engine waits before offering the job again.
    """

    def __init__(
        self, message: str, *, retries: int | None = None, backoff: timedelta | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retries = retries
        self.backoff = backoff


class InputError(BridgeError):
    """The job cannot run with what it was given; retrying will not help (an incident)."""


class FieldProblem:
    """One invalid field of a connector's input: where it is and what is wrong with it."""

    __slots__ = ("location", "problem")

    def __init__(self, location: str, problem: str) -> None:
        self.location = location
        self.problem = problem

    def __repr__(self) -> str:
        return f"FieldProblem({self.location!r}, {self.problem!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldProblem) and (self.location, self.problem) == (
            other.location,
            other.problem,
        )

    def __hash__(self) -> int:
        return hash((self.location, self.problem))


class InvalidInputError(InputError):
    """The job's variables do not fit the connector's input model.

    Args:
        connector: The connector type.
        problems: Every invalid field with the reason.
    """

    def __init__(self, connector: str, problems: Sequence[FieldProblem]) -> None:
        self.connector = connector
        self.problems = tuple(problems)
        listed = "; ".join(f"'{p.location}': {p.problem}" for p in self.problems)
        count = len(self.problems)
        noun = "field" if count == 1 else "fields"
        super().__init__(f"Invalid input for connector '{connector}' ({count} {noun}): {listed}")


class SecretNotFoundError(InputError):
    """A secret placeholder names a secret no provider knows.

    Args:
        name: The secret's name (never its value).
        location: Where the placeholder stood in the input, e.g. ``auth.password``.
        fix: Where the secret would have been found, e.g. ``set the environment variable
            SECRET_FX_API_KEY``; empty when the providers cannot say.
    """

    def __init__(self, name: str, location: str = "", fix: str = "") -> None:
        self.name = name
        self.location = location
        where = f" (in '{location}')" if location else ""
        super().__init__(
            f"Secret '{name}' not found{where}: {fix or 'no secret provider knows it'}"
        )


class InvalidHeaderError(InputError):
    """A standard header (resultExpression, retries, retryBackoff...) cannot be used.

    Args:
        header: The header's name.
        problem: What is wrong with its value.
    """

    def __init__(self, header: str, problem: str) -> None:
        self.header = header
        self.problem = problem
        super().__init__(f"Invalid header '{header}': {problem}")


class ConnectorDefinitionError(BridgeError, TypeError):
    """A connector function or the arguments of ``@connector`` are wrong."""


class ConfigurationError(BridgeError, ValueError):
    """Runtime configuration (CLI flags, environment, config file) is missing or invalid."""


class EngineError(BridgeError):
    """Talking to an engine failed.

    Like httpx's ``HTTPStatusError`` carries its request and response, an engine error
    carries the facts a hook or a log needs to label it, not only a message.

    Args:
        message: What failed, for people.
        engine: The engine's configured name.
        action: What was asked: ``"complete"``, ``"fetchAndLock"``, ``"CompleteJob"``, ...
        status: The engine's answer: the HTTP status (Camunda 7) or the gRPC status name
            such as ``"NOT_FOUND"`` (Zeebe); ``None`` when no answer came (unreachable,
            timed out).
        job_id: The job the request was about; ``None`` for fetching and health checks.

    Attributes:
        engine: As given.
        action: As given.
        status: As given.
        job_id: As given.
    """

    def __init__(
        self,
        message: str,
        *,
        engine: str | None = None,
        action: str | None = None,
        status: int | str | None = None,
        job_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.engine = engine
        self.action = action
        self.status = status
        self.job_id = job_id


class EngineUnavailableError(EngineError):
    """The engine cannot be reached right now; the runtime reconnects with backoff."""


class JobNotFoundError(EngineError):
    """The job no longer exists for this worker: completed, cancelled or its lease lost."""


class EngineRejectedError(EngineError):
    """The engine refused a request as invalid."""
