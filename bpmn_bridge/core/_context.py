"""What a connector knows about the job it runs: frozen, engine-neutral."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
import anyio.from_thread

from bpmn_bridge.core._errors import SecretNotFoundError
from bpmn_bridge.core._secrets import MappingSecretProvider, SecretMasker, SecretProvider

__all__ = ["Cancellation", "ConnectorContext", "Job", "JobInfo", "JobLogger", "LeaseExtender"]

LeaseExtender = Callable[[timedelta], Coroutine[Any, Any, None]]
"""Extends the job's lease by a duration from now; supplied by the adapter."""


@dataclass(frozen=True, slots=True)
class JobInfo:
    """Engine-neutral facts about one job.

    Both engines fill the same fields; where an engine has no such fact the field is None.

    Attributes:
        engine: The engine's name as configured, e.g. ``"zeebe"`` or ``"camunda7"``.
        id: The job's id on that engine (Zeebe job key; Camunda 7 external task id).
        type: What the job asks for (Zeebe job type; Camunda 7 topic).
        process_instance_id: The process instance the job belongs to.
        bpmn_process_id: The process model's id (Zeebe bpmnProcessId; Camunda 7
            processDefinitionKey).
        process_definition_id: The deployed version's id (Zeebe processDefinitionKey;
            Camunda 7 processDefinitionId).
        process_definition_version: The deployed version number, where known.
        element_id: The BPMN element (service task) id.
        element_instance_id: The element's instance (Camunda 7 activityInstanceId).
        business_key: The process instance's business key (Camunda 7 only).
        tenant_id: The tenant, where the engine is multi-tenant.
        retries: Retries the engine has left for this job; None where the engine has not
            set any yet (Camunda 7 before the first failure).
        deadline: When the lease ends unless extended (UTC).
        worker: The worker name that holds the lease.
    """

    engine: str
    id: str
    type: str
    process_instance_id: str = ""
    bpmn_process_id: str = ""
    process_definition_id: str = ""
    process_definition_version: int | None = None
    element_id: str = ""
    element_instance_id: str = ""
    business_key: str | None = None
    tenant_id: str | None = None
    retries: int | None = None
    deadline: datetime | None = None
    worker: str = ""


@dataclass(frozen=True, slots=True)
class Job:
    """A job as an adapter hands it to the core: facts, variables and headers."""

    info: JobInfo
    variables: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


class Cancellation:
    """Set when the job must stop: its deadline passed or the worker is shutting down.

    Safe to check from a worker thread (sync connectors) and to await from async code.
    """

    __slots__ = ("_event", "_flag")

    def __init__(self) -> None:
        # A plain flag: reading and writing one attribute is atomic across threads, and a
        # threading.Event per job would cost more than most connectors' work.
        self._flag = False
        self._event: anyio.Event | None = None

    def is_set(self) -> bool:
        """Whether the job has been asked to stop."""
        return self._flag

    def set(self) -> None:
        """Ask the job to stop. Call from the event loop."""
        self._flag = True
        if self._event is not None:
            self._event.set()

    async def wait(self) -> None:
        """Wait until the job is asked to stop."""
        if self._event is None:
            self._event = anyio.Event()
            if self._flag:
                self._event.set()
        await self._event.wait()


class JobLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger bound to one job; every message is masked before it is emitted."""

    def __init__(self, logger: logging.Logger, extra: Mapping[str, object], masker: SecretMasker):
        super().__init__(logger, dict(extra))
        self._masker = masker

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        merged = dict(self.extra or {})
        merged.update(kwargs.get("extra") or {})
        kwargs["extra"] = merged
        return msg, kwargs

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        # Format here, not in the handler, so the secret is masked in the formatted text:
        # an argument may carry it as well as the message.
        text = str(msg) % args if args else str(msg)
        masked, options = self.process(self._masker.mask(text), kwargs)
        options.setdefault("stacklevel", 2)
        self.logger.log(level, masked, **options)


async def _no_lease(duration: timedelta) -> None:
    del duration


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    """The frozen context a connector receives beside its input.

    Attributes:
        info: Engine-neutral facts about the job.
        headers: The job's headers (Zeebe custom headers, Camunda 7 extension properties).
        variables: The job's variables with secrets resolved.
        secrets: Where secrets come from, for connectors that look one up by name.
        logger: A logger bound to the job, connector and engine; secrets are masked.
        attempt: 1 for the first in-process attempt, 2 for the first in-process retry...
        cancellation: Set when the job's deadline passes or the worker shuts down.
    """

    info: JobInfo
    headers: Mapping[str, str]
    variables: Mapping[str, Any]
    secrets: SecretProvider = field(default_factory=lambda: MappingSecretProvider({}))
    logger: logging.LoggerAdapter[logging.Logger] = field(
        default_factory=lambda: logging.LoggerAdapter(logging.getLogger("bpmn_bridge.job"))
    )
    attempt: int = 1
    cancellation: Cancellation = field(default_factory=Cancellation)
    lease_extender: LeaseExtender = _no_lease

    def secret(self, name: str) -> str:
        """Look a secret up by name.

        Raises:
            SecretNotFoundError: No provider knows the secret.
        """
        value = self.secrets.get(name)
        if value is None:
            raise SecretNotFoundError(name)
        return value

    async def extend_lease(self, duration: timedelta) -> None:
        """Keep the job for ``duration`` from now, for work longer than its lease.

        The runtime already extends leases of long jobs automatically; call this when the
        connector knows better (e.g. before a step it knows is slow).
        """
        await self.lease_extender(duration)

    def extend_lease_from_thread(self, duration: timedelta) -> None:
        """:meth:`extend_lease` for sync connectors, which run in a worker thread."""
        anyio.from_thread.run(self.lease_extender, duration)
