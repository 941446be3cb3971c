"""The in-memory BPMN engine behind both development fronts (Zeebe gRPC, Camunda 7 REST).

For development, demos and tests — never production: all state lives in memory and is
lost when the process exits.

Concurrency model: the engine is single-threaded and lives in one asyncio event loop. All
state changes are synchronous methods; only the waiting operations (`activate_jobs` long
polling, `JobStream`, `wait_for_end`) are awaitables. Lock deadlines and retry backoffs use
``loop.call_later`` timers, so calls that start them must run inside the loop.

Vocabulary is engine-neutral: a *job* is a Zeebe job and a Camunda 7 external task; its
*type* is the Camunda 7 topic; *lock duration* is the Zeebe job timeout. Errors are the
tree in `bpmn_bridge.devengine._errors`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._bpmn import DEFAULT_MAX_RESOURCE_BYTES, parse_bpmn
from ._errors import (
    IncidentNotFoundError,
    InvalidArgumentError,
    InvalidStateError,
    JobLockedByOtherWorkerError,
    JobNotFoundError,
    ProcessDefinitionNotFoundError,
    ProcessInstanceNotFoundError,
)
from ._graph import FlowNode, NodeKind, ProcessGraph, SequenceFlow, VariableMapping
from ._model import (
    ActivatedJob,
    Deployment,
    ElementInstanceInfo,
    Incident,
    IncidentType,
    InstanceState,
    Job,
    JobFilter,
    JobState,
    ProcessDefinition,
    ProcessInstance,
    TypedValue,
)

__all__ = ["DEFAULT_TENANT", "DevEngineCore", "JobStream"]

DEFAULT_TENANT = "<default>"
"""Zeebe's name for "no tenant"; accepted wherever the engine takes a tenant filter."""

_KEY_BASE = 1 << 51  # Zeebe encodes the partition id in the upper bits; we are partition 1.


def _visible(definition: ProcessDefinition, flavour: str) -> bool:
    """Whether a front of ``flavour`` sees a definition: all but the other engine's own."""
    other = {"camunda8": "camunda7", "camunda7": "camunda8"}.get(flavour)
    return definition.flavour != other


def _now_ms() -> int:
    return int(time.time() * 1000)


def _as_typed(value: Any) -> TypedValue:
    return value if isinstance(value, TypedValue) else TypedValue(value)


@dataclass(eq=False, slots=True)
class _ElementInstance:
    key: int
    node: FlowNode
    local: dict[str, TypedValue] = field(default_factory=dict)
    job: Job | None = None
    incident: Incident | None = None


@dataclass(eq=False, slots=True)
class _Run:
    """Execution state of one instance, kept apart from the public record."""

    instance: ProcessInstance
    graph: ProcessGraph
    elements: dict[int, _ElementInstance] = field(default_factory=dict)
    joins: dict[str, dict[str, int]] = field(default_factory=dict)
    ended: asyncio.Event | None = None


@dataclass(eq=False, slots=True)
class _Waiter:
    filters: dict[str, list[JobFilter]]
    worker: str
    max_jobs: int
    jobs: list[ActivatedJob] = field(default_factory=list)
    woken: asyncio.Event = field(default_factory=asyncio.Event)


class JobStream:
    """A push subscription: newly activatable jobs of one type are activated for it.

    Obtain with `DevEngineCore.open_job_stream`; iterate with ``async for`` or `get`.
    Always `close` it: jobs pushed but not yet taken return to the activatable pool.
    Jobs taken by the consumer but not delivered (e.g. the client went away) should be
    handed back with `DevEngineCore.yield_job`.
    """

    def __init__(self, engine: DevEngineCore, job_filter: JobFilter, worker: str) -> None:
        self.filter = job_filter
        self.worker = worker
        self._engine = engine
        self._queue: asyncio.Queue[ActivatedJob] = asyncio.Queue()
        self.closed = False

    def _push(self, job: ActivatedJob) -> None:
        self._queue.put_nowait(job)

    async def get(self) -> ActivatedJob:
        """Wait for and return the next job activated for this stream."""
        return await self._queue.get()

    def __aiter__(self) -> JobStream:
        return self

    async def __anext__(self) -> ActivatedJob:
        if self.closed:
            raise StopAsyncIteration
        return await self.get()

    def close(self) -> None:
        """Unsubscribe and hand back jobs that were pushed but not taken."""
        if self.closed:
            return
        self.closed = True
        self._engine._remove_stream(self)
        while not self._queue.empty():
            self._engine.yield_job(self._queue.get_nowait().key)


class DevEngineCore:
    """In-memory BPMN engine: deployments, instances, jobs, variables, incidents.

    Args:
        max_resource_bytes: largest BPMN resource accepted by `deploy`.
        history_limit: how many ended instances stay queryable.
    """

    def __init__(
        self,
        *,
        max_resource_bytes: int = DEFAULT_MAX_RESOURCE_BYTES,
        history_limit: int = 10_000,
    ) -> None:
        self.max_resource_bytes = max_resource_bytes
        self.history_limit = history_limit
        self._key = 0
        self._deployments: dict[int, Deployment] = {}
        self._definitions: dict[int, ProcessDefinition] = {}
        self._versions: dict[tuple[str, str | None], list[ProcessDefinition]] = {}
        self._runs: dict[int, _Run] = {}
        self._ended: deque[int] = deque()
        self._scopes: dict[int, tuple[_Run, _ElementInstance]] = {}
        self._jobs: dict[int, Job] = {}
        self._activatable: dict[str, dict[int, Job]] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._incidents: dict[int, Incident] = {}
        self._waiters: dict[str, list[_Waiter]] = {}
        self._streams: dict[str, list[JobStream]] = {}
        self._work: deque[tuple[_Run, FlowNode, SequenceFlow | None]] = deque()

    # ------------------------------------------------------------------ keys

    def next_key(self) -> int:
        """Return a fresh int64 key (also used by fronts for command keys)."""
        self._key += 1
        return _KEY_BASE + self._key

    # ----------------------------------------------------------- deployments

    def deploy(
        self,
        resources: Mapping[str, bytes] | Sequence[tuple[str, bytes]],
        *,
        tenant_id: str | None = None,
        name: str | None = None,
        deduplicate: bool = True,
    ) -> Deployment:
        """Parse and deploy BPMN resources atomically.

        Args:
            resources: resource name → XML bytes.
            tenant_id: tenant (``None`` or ``"<default>"`` for none).
            name: deployment name; defaults to the first resource name.
            deduplicate: reuse the latest version when a process's resource is
                byte-identical to it (Zeebe always does; Camunda 7 only with
                ``enableDuplicateFiltering``).

        Returns:
            The deployment with one `ProcessDefinition` per process.

        Raises:
            InvalidArgumentError: no resources given.
            BpmnModelError: a resource is unsafe, too large, broken, or uses elements
                outside the supported subset (message names element id and type).
        """
        items = list(resources.items()) if isinstance(resources, Mapping) else list(resources)
        if not items:
            raise InvalidArgumentError("Expected to deploy at least one resource, but none given")
        tenant = self._norm_tenant(tenant_id)
        parsed = [
            (res_name, data, parse_bpmn(data, max_bytes=self.max_resource_bytes))
            for res_name, data in items
        ]
        deployment_key = self.next_key()
        processes: list[ProcessDefinition] = []
        for res_name, data, graphs in parsed:
            for graph in graphs:
                versions = self._versions.setdefault((graph.process_id, tenant), [])
                latest = versions[-1] if versions else None
                if deduplicate and latest is not None and latest.resource == data:
                    processes.append(latest)
                    continue
                version = len(versions) + 1
                key = self.next_key()
                definition = ProcessDefinition(
                    key=key,
                    id=f"{graph.process_id}:{version}:{key}",
                    bpmn_process_id=graph.process_id,
                    version=version,
                    name=graph.name,
                    version_tag=graph.version_tag,
                    resource_name=res_name,
                    tenant_id=tenant,
                    deployment_key=deployment_key,
                    flavour=graph.flavour,
                    namespaces=graph.namespaces,
                    resource=data,
                    graph=graph,
                )
                versions.append(definition)
                self._definitions[key] = definition
                processes.append(definition)
        deployment = Deployment(
            key=deployment_key,
            name=name or items[0][0],
            tenant_id=tenant,
            deployed_at=_now_ms(),
            processes=tuple(processes),
        )
        self._deployments[deployment_key] = deployment
        return deployment

    def list_deployments(self) -> list[Deployment]:
        """All deployments, oldest first."""
        return list(self._deployments.values())

    def list_definitions(self) -> list[ProcessDefinition]:
        """All process definitions, oldest first."""
        return list(self._definitions.values())

    def get_definition(self, key_or_id: int | str) -> ProcessDefinition:
        """Look a definition up by int64 key or Camunda 7 id string.

        Raises:
            ProcessDefinitionNotFoundError: unknown key/id.
        """
        if isinstance(key_or_id, int):
            found = self._definitions.get(key_or_id)
        else:
            found = next((d for d in self._definitions.values() if d.id == key_or_id), None)
        if found is None:
            raise ProcessDefinitionNotFoundError(f"No process definition {key_or_id!r}")
        return found

    def latest_definition(
        self,
        bpmn_process_id: str,
        *,
        version: int | None = None,
        tenant_id: str | None = None,
        flavour: str | None = None,
    ) -> ProcessDefinition:
        """The latest (or given) version of a process.

        Args:
            flavour: as seen by the front of this flavour (``"camunda8"`` or ``"camunda7"``):
                definitions deployed in the other engine's flavour are invisible, as they
                would be on two separate engines.

        Raises:
            ProcessDefinitionNotFoundError: no such process / version.
        """
        versions = self._versions.get((bpmn_process_id, self._norm_tenant(tenant_id)))
        if versions and flavour is not None and version is None:
            versions = [d for d in versions if _visible(d, flavour)]
        if not versions:
            raise ProcessDefinitionNotFoundError(
                f"Expected to find process definition with process ID '{bpmn_process_id}', "
                "but none found"
            )
        if version is None or version < 0:
            return versions[-1]
        if not 1 <= version <= len(versions):
            raise ProcessDefinitionNotFoundError(
                f"Expected to find process definition with process ID '{bpmn_process_id}' "
                f"and version '{version}', but none found"
            )
        return versions[version - 1]

    # ------------------------------------------------------------- instances

    def start_instance(
        self,
        bpmn_process_id: str | None = None,
        *,
        definition_key: int | None = None,
        version: int | None = None,
        variables: Mapping[str, Any] | None = None,
        business_key: str | None = None,
        tenant_id: str | None = None,
        flavour: str | None = None,
    ) -> ProcessInstance:
        """Start an instance and run it until every token waits (or it ends).

        Args:
            bpmn_process_id: process id (latest version unless ``version``), or
            definition_key: a specific definition.
            variables: initial variables, plain values or `TypedValue`.
            business_key: Camunda 7 business key.
            tenant_id: tenant of the definition to look up.
            flavour: the starting front's flavour; the other engine's definitions are
                invisible to it (see `latest_definition`).

        Returns:
            The instance (already ``COMPLETED`` if nothing waited).

        Raises:
            ProcessDefinitionNotFoundError: no matching definition.
            InvalidArgumentError: neither id nor key given.
        """
        if definition_key is not None:
            definition = self.get_definition(definition_key)
            if flavour is not None and not _visible(definition, flavour):
                raise ProcessDefinitionNotFoundError(
                    f"Expected to find process definition with key '{definition_key}', "
                    "but none found"
                )
        elif bpmn_process_id:
            definition = self.latest_definition(
                bpmn_process_id, version=version, tenant_id=tenant_id, flavour=flavour
            )
        else:
            raise InvalidArgumentError("Expected a BPMN process id or a process definition key")
        instance = ProcessInstance(
            key=self.next_key(),
            definition=definition,
            business_key=business_key,
            tenant_id=definition.tenant_id,
            variables={k: _as_typed(v) for k, v in (variables or {}).items()},
            started_at=_now_ms(),
        )
        run = _Run(instance=instance, graph=definition.graph)
        self._runs[instance.key] = run
        start = definition.graph.nodes[definition.graph.start_node]
        self._take_outgoing(run, start)
        self._drain()
        return instance

    def get_instance(self, key: int) -> ProcessInstance:
        """An active or ended (still in history) instance.

        Raises:
            ProcessInstanceNotFoundError: unknown or evicted from history.
        """
        return self._run(key, active_only=False).instance

    def list_instances(
        self,
        *,
        bpmn_process_id: str | None = None,
        business_key: str | None = None,
        active: bool | None = None,
    ) -> list[ProcessInstance]:
        """Instances (active and kept history), oldest first, optionally filtered."""
        out = []
        for run in self._runs.values():
            inst = run.instance
            if bpmn_process_id is not None and inst.definition.bpmn_process_id != bpmn_process_id:
                continue
            if business_key is not None and inst.business_key != business_key:
                continue
            if active is not None and inst.ended == active:
                continue
            out.append(inst)
        return out

    def element_instances(self, instance_key: int) -> list[ElementInstanceInfo]:
        """Active element instances (wait states) of an instance.

        Raises:
            ProcessInstanceNotFoundError: unknown instance.
        """
        run = self._run(instance_key, active_only=False)
        return [
            ElementInstanceInfo(
                key=ei.key,
                element_id=ei.node.id,
                element_type=ei.node.kind.value,
                job_key=ei.job.key if ei.job else None,
                variables=dict(ei.local),
            )
            for ei in run.elements.values()
        ]

    async def wait_for_end(
        self,
        instance_key: int,
        *,
        timeout: float | None = None,
    ) -> ProcessInstance:
        """Wait until the instance completes or is canceled.

        Raises:
            ProcessInstanceNotFoundError: unknown instance.
            TimeoutError: still running after ``timeout`` seconds.
        """
        run = self._run(instance_key, active_only=False)
        if not run.instance.ended:
            if run.ended is None:
                run.ended = asyncio.Event()
            async with asyncio.timeout(timeout):
                await run.ended.wait()
        return run.instance

    def cancel_instance(self, instance_key: int) -> None:
        """Cancel an active instance: its jobs disappear and open incidents are dropped.

        Raises:
            ProcessInstanceNotFoundError: unknown or already ended.
        """
        run = self._run(instance_key, active_only=True)
        for ei in list(run.elements.values()):
            self._drop_element(run, ei)
        run.joins.clear()
        self._end(run, InstanceState.CANCELED)

    # ------------------------------------------------------------- variables

    def get_variables(self, scope_key: int) -> dict[str, TypedValue]:
        """Variables of a scope: an instance key (root) or an element instance key (local).

        Raises:
            ProcessInstanceNotFoundError: unknown scope.
        """
        run, ei = self._scope(scope_key, active_only=False)
        return dict(ei.local if ei is not None else run.instance.variables)

    def set_variables(
        self, scope_key: int, variables: Mapping[str, Any], *, local: bool = False
    ) -> int:
        """Set variables on a scope (instance key or element instance key).

        Without ``local`` each variable goes to the nearest scope that already defines
        it, else to the root (Zeebe and Camunda 7 ``setVariables`` semantics).

        Returns:
            A fresh key identifying this command (Zeebe SetVariables response).

        Raises:
            ProcessInstanceNotFoundError: unknown or ended scope.
        """
        run, ei = self._scope(scope_key, active_only=True)
        typed = {k: _as_typed(v) for k, v in variables.items()}
        if local and ei is not None:
            ei.local.update(typed)
        else:
            self._propagate(run, ei, typed)
        return self.next_key()

    def delete_variable(self, scope_key: int, name: str) -> None:
        """Remove a variable from exactly this scope (no error if absent).

        Raises:
            ProcessInstanceNotFoundError: unknown or ended scope.
        """
        run, ei = self._scope(scope_key, active_only=True)
        (ei.local if ei is not None else run.instance.variables).pop(name, None)

    # ------------------------------------------------------------------ jobs

    async def activate_jobs(
        self,
        filters: Sequence[JobFilter],
        *,
        worker: str,
        max_jobs: int,
        request_timeout: float = 0.0,
    ) -> list[ActivatedJob]:
        """Lock up to ``max_jobs`` jobs matching any filter for ``worker`` (long polling).

        Filters are tried in order (Camunda 7 topics). If nothing is available, waits up
        to ``request_timeout`` seconds and returns as soon as at least one job was
        activated for this request; concurrent pollers are served oldest first, and a
        burst of jobs is spread over idle pollers before filling any one of them.
        Cancelling the awaitable hands back jobs already activated for it.

        Raises:
            InvalidArgumentError: no filters, blank type/worker, lock duration <= 0,
                ``max_jobs`` < 1.
        """
        self._check_activation(filters, worker, max_jobs)
        jobs: list[ActivatedJob] = []
        for job_filter in filters:
            if len(jobs) >= max_jobs:
                break
            pool = self._activatable.get(job_filter.type)
            if not pool:
                continue
            for job in list(pool.values()):
                if len(jobs) >= max_jobs:
                    break
                if self._matches(job, job_filter):
                    jobs.append(self._activate(job, worker, job_filter))
        if jobs or request_timeout <= 0:
            return jobs
        waiter = _Waiter(filters={}, worker=worker, max_jobs=max_jobs)
        for job_filter in filters:
            waiter.filters.setdefault(job_filter.type, []).append(job_filter)
        for job_type in waiter.filters:
            self._waiters.setdefault(job_type, []).append(waiter)
        delivered = False
        try:
            try:
                async with asyncio.timeout(request_timeout):
                    await waiter.woken.wait()
            except TimeoutError:
                pass
            delivered = True
            return waiter.jobs
        finally:
            self._remove_waiter(waiter)
            if not delivered:
                for activated in waiter.jobs:
                    self.yield_job(activated.key)

    def open_job_stream(self, job_filter: JobFilter, *, worker: str) -> JobStream:
        """Subscribe to jobs of ``job_filter.type`` that become activatable from now on.

        Streams get new jobs before long-polling requests (as in Zeebe); jobs that were
        already activatable are not pushed — poll for those.

        Raises:
            InvalidArgumentError: blank type/worker or lock duration <= 0.
        """
        self._check_activation([job_filter], worker, 1)
        stream = JobStream(self, job_filter, worker)
        self._streams.setdefault(job_filter.type, []).append(stream)
        return stream

    def yield_job(self, job_key: int) -> None:
        """Return an activated job to the pool at once (undeliverable activation).

        Unknown or no longer activated jobs are ignored.
        """
        job = self._jobs.get(job_key)
        if job is not None and job.state is JobState.ACTIVATED:
            self._cancel_timer(job.key)
            job.deadline = None
            job.worker = None
            self._make_activatable(job)

    def get_job(self, job_key: int) -> Job:
        """An open job.

        Raises:
            JobNotFoundError: unknown, completed or canceled.
        """
        job = self._jobs.get(job_key)
        if job is None:
            raise JobNotFoundError(
                f"Expected to find job with key '{job_key}', but no such job was found"
            )
        return job

    def list_jobs(
        self,
        *,
        type: str | None = None,
        instance_key: int | None = None,
        state: JobState | None = None,
    ) -> list[Job]:
        """Open jobs, oldest first, optionally filtered (Camunda 7 external task list)."""
        return [
            job
            for job in self._jobs.values()
            if (type is None or job.type == type)
            and (instance_key is None or job.instance.key == instance_key)
            and (state is None or job.state is state)
        ]

    def complete_job(
        self,
        job_key: int,
        *,
        variables: Mapping[str, Any] | None = None,
        local_variables: Mapping[str, Any] | None = None,
        worker: str | None = None,
    ) -> None:
        """Complete a job and continue the instance.

        ``variables`` go to the nearest scope defining them, else the root; with
        Camunda 8 output mappings they stay local and only the mappings' targets reach
        the root. ``local_variables`` (Camunda 7) are set on the task scope.

        Args:
            worker: when given (Camunda 7), the job must be locked by this worker.
                Zeebe passes ``None`` and, like Zeebe, accepts activated and timed-out jobs.

        Raises:
            JobNotFoundError: unknown or already completed job.
            JobLockedByOtherWorkerError: locked by another worker.
            InvalidStateError: the job failed or threw an error (incident open) or waits
                for a retry backoff.
        """
        job = self._job_for_command(job_key, worker, "complete", allow_activatable=True)
        run, ei = self._scope(job.element_instance_key, active_only=True)
        assert ei is not None
        self._finish_job(job)
        if local_variables:
            ei.local.update({k: _as_typed(v) for k, v in local_variables.items()})
        typed = {k: _as_typed(v) for k, v in (variables or {}).items()}
        task = ei.node.task
        assert task is not None
        if task.outputs and task.flavour == "camunda8":
            ei.local.update(typed)
        else:
            self._propagate(run, ei, typed)
        if task.outputs:
            view = self._view(run, ei)
            try:
                results = [(m, m.source(view)) for m in task.outputs]
            except Exception as exc:  # any expression failure becomes an incident
                ei.job = None
                self._raise_incident(
                    run,
                    ei,
                    IncidentType.IO_MAPPING_ERROR,
                    f"Failed to evaluate output mapping: {exc}",
                )
                return
            for mapping, value in results:
                self._write_target(run.instance.variables, mapping, value)
        self._leave_element(run, ei)
        self._drain()

    def fail_job(
        self,
        job_key: int,
        *,
        retries: int,
        error_message: str | None = None,
        error_details: str | None = None,
        retry_backoff: float = 0.0,
        variables: Mapping[str, Any] | None = None,
        worker: str | None = None,
    ) -> None:
        """Report a failed attempt.

        ``retries`` > 0: the job is activatable again after ``retry_backoff`` seconds.
        ``retries`` <= 0: the job stops and a ``JOB_NO_RETRIES`` incident opens.
        ``variables`` are set on the task's local scope (Zeebe FailJob variables).

        Raises:
            JobNotFoundError / JobLockedByOtherWorkerError / InvalidStateError: as
                `complete_job`; without ``worker`` the job must be activated.
        """
        job = self._job_for_command(job_key, worker, "fail", allow_activatable=worker is not None)
        run, ei = self._scope(job.element_instance_key, active_only=True)
        assert ei is not None
        self._cancel_timer(job.key)
        if variables:
            ei.local.update({k: _as_typed(v) for k, v in variables.items()})
        job.retries = retries
        job.error_message = error_message
        job.error_details = error_details
        job.deadline = None
        if retries <= 0:
            job.state = JobState.FAILED
            self._raise_incident(
                run,
                ei,
                IncidentType.JOB_NO_RETRIES,
                error_message or "No more retries left.",
                job=job,
            )
        elif retry_backoff > 0:
            job.state = JobState.BACKOFF
            job.retry_at = _now_ms() + int(retry_backoff * 1000)
            loop = asyncio.get_running_loop()
            self._timers[job.key] = loop.call_later(retry_backoff, self._backoff_over, job)
        else:
            self._make_activatable(job)

    def throw_error(
        self,
        job_key: int,
        *,
        error_code: str,
        error_message: str | None = None,
        variables: Mapping[str, Any] | None = None,
        worker: str | None = None,
        end_if_uncaught: bool = False,
    ) -> None:
        """Throw a BPMN error from a job.

        An interrupting error boundary event on the task catches it — one with exactly
        this code first, else a catch-all one — and the instance continues there;
        ``variables`` are set on the root scope. Uncaught errors open an
        ``UNHANDLED_ERROR_EVENT`` incident (Zeebe), or with ``end_if_uncaught`` end the
        task's path without taking its outgoing flows (Camunda 7: the instance completes
        when nothing else is active; ``variables`` still reach the root scope).

        Raises:
            InvalidArgumentError: blank error code.
            JobNotFoundError / JobLockedByOtherWorkerError / InvalidStateError: as
                `complete_job`.
        """
        if not error_code:
            raise InvalidArgumentError("Expected an error code, but it was blank")
        job = self._job_for_command(job_key, worker, "throw an error for", allow_activatable=True)
        run, ei = self._scope(job.element_instance_key, active_only=True)
        assert ei is not None
        boundary = self._find_catch(ei.node, error_code)
        if boundary is None and end_if_uncaught:
            self._propagate(run, ei, {k: _as_typed(v) for k, v in (variables or {}).items()})
            self._drop_element(run, ei)
            if not run.elements and not any(any(c.values()) for c in run.joins.values()):
                self._end(run, InstanceState.COMPLETED)
            return
        if boundary is None:
            self._cancel_timer(job.key)
            self._unqueue(job)
            job.state = JobState.ERROR_THROWN
            job.deadline = None
            job.error_message = error_message
            self._raise_incident(
                run,
                ei,
                IncidentType.UNHANDLED_ERROR_EVENT,
                f"Expected to throw an error event with the code '{error_code}'"
                + (f" with message '{error_message}'" if error_message else "")
                + ", but it was not caught. No error events are available in the scope.",
                job=job,
            )
            return
        self._finish_job(job)
        self._drop_element(run, ei)
        updates = {k: _as_typed(v) for k, v in (variables or {}).items()}
        if boundary.error_code_variable:
            updates[boundary.error_code_variable] = TypedValue(error_code)
        if boundary.error_message_variable:
            updates[boundary.error_message_variable] = TypedValue(error_message)
        run.instance.variables.update(updates)
        self._take_outgoing(run, boundary)
        self._drain()

    def update_retries(self, job_key: int, retries: int, *, resolve_incident: bool = False) -> None:
        """Set a job's retries.

        Args:
            retries: new value, >= 0. Setting 0 on a job that is not failed opens a
                ``JOB_NO_RETRIES`` incident (Camunda 7 ``setRetries`` semantics).
            resolve_incident: also resolve the job's no-retries incident when
                ``retries`` > 0 (Camunda 7 does; Zeebe needs ResolveIncident).

        Raises:
            JobNotFoundError: unknown job.
            InvalidArgumentError: negative retries.
        """
        if retries < 0:
            raise InvalidArgumentError(f"Expected retries to be >= 0, but was {retries}")
        job = self.get_job(job_key)
        job.retries = retries
        run, ei = self._scope(job.element_instance_key, active_only=True)
        assert ei is not None
        if retries == 0 and job.state in (JobState.ACTIVATABLE, JobState.BACKOFF):
            self._cancel_timer(job.key)
            self._unqueue(job)
            job.state = JobState.FAILED
            self._raise_incident(
                run,
                ei,
                IncidentType.JOB_NO_RETRIES,
                job.error_message or "No retries left.",
                job=job,
            )
        elif retries > 0 and resolve_incident and ei.incident is not None:
            self.resolve_incident(ei.incident.key)

    def update_timeout(self, job_key: int, timeout: float, *, worker: str | None = None) -> None:
        """Move an activated job's lock deadline to now + ``timeout`` seconds.

        Zeebe UpdateJobTimeout (``worker`` ``None``) and Camunda 7 extendLock (only the
        lock owner may extend).

        Raises:
            JobNotFoundError: unknown job.
            InvalidArgumentError: ``timeout`` < 0.
            JobLockedByOtherWorkerError: locked by another worker.
            InvalidStateError: not locked (never activated or lock expired).
        """
        if timeout < 0:
            raise InvalidArgumentError(f"Expected a timeout >= 0, but was {timeout}")
        job = self.get_job(job_key)
        if worker is not None and job.worker is not None and job.worker != worker:
            raise JobLockedByOtherWorkerError(
                f"The lock of job '{job_key}' cannot be extended by worker '{worker}'. "
                f"It is locked by worker '{job.worker}'."
            )
        if job.state is not JobState.ACTIVATED:
            raise InvalidStateError(
                f"Expected to update the deadline of job '{job_key}', but it is not locked "
                f"(state {job.state.value})"
            )
        self._lock(job, job.worker or "", timeout)

    def unlock_job(self, job_key: int) -> None:
        """Release a job's lock so it can be activated again (Camunda 7 unlock).

        Raises:
            JobNotFoundError: unknown job.
        """
        job = self.get_job(job_key)
        if job.state is JobState.ACTIVATED:
            self._cancel_timer(job.key)
            job.worker = None
            job.deadline = None
            self._make_activatable(job)

    # ------------------------------------------------------------- incidents

    def list_incidents(self, *, instance_key: int | None = None) -> list[Incident]:
        """Open incidents, oldest first."""
        return [
            inc
            for inc in self._incidents.values()
            if instance_key is None or inc.instance.key == instance_key
        ]

    def get_incident(self, incident_key: int) -> Incident:
        """An open incident.

        Raises:
            IncidentNotFoundError: unknown or resolved.
        """
        incident = self._incidents.get(incident_key)
        if incident is None:
            raise IncidentNotFoundError(
                f"Expected to resolve incident with key '{incident_key}', but no such "
                "incident was found"
            )
        return incident

    def resolve_incident(self, incident_key: int) -> None:
        """Resolve an incident and retry what failed.

        Job incidents make the job activatable again (a no-retries incident needs
        retries > 0 first); expression incidents re-run the element.

        Raises:
            IncidentNotFoundError: unknown or already resolved.
            InvalidStateError: the job still has no retries left.
        """
        incident = self.get_incident(incident_key)
        run, ei = self._scope(incident.element_instance_key, active_only=True)
        assert ei is not None
        job = ei.job
        if job is not None and incident.type is IncidentType.JOB_NO_RETRIES and not job.retries:
            raise InvalidStateError(
                f"Expected to resolve incident '{incident_key}', but job '{job.key}' has no "
                "retries left; update its retries first"
            )
        self._close_incident(incident)
        ei.incident = None
        if job is not None:
            job.retry_at = None
            self._make_activatable(job)
        else:
            del run.elements[ei.key]
            self._scopes.pop(ei.key, None)
            self._work.append((run, ei.node, None))
            self._drain()

    # ============================================================ internals

    @staticmethod
    def _norm_tenant(tenant_id: str | None) -> str | None:
        return None if tenant_id in (None, "", DEFAULT_TENANT) else tenant_id

    def _run(self, key: int, *, active_only: bool) -> _Run:
        run = self._runs.get(key)
        if run is None or (active_only and run.instance.ended):
            raise ProcessInstanceNotFoundError(
                f"Expected to find an active process instance with key '{key}', but none found"
            )
        return run

    def _scope(self, key: int, *, active_only: bool) -> tuple[_Run, _ElementInstance | None]:
        if key in self._runs:
            return self._run(key, active_only=active_only), None
        found = self._scopes.get(key)
        if found is None:
            raise ProcessInstanceNotFoundError(
                f"Expected to find a process instance or element instance with key '{key}', "
                "but none found"
            )
        return found

    def _view(self, run: _Run, ei: _ElementInstance | None) -> dict[str, Any]:
        view = {k: v.plain() for k, v in run.instance.variables.items()}
        if ei is not None:
            view.update({k: v.plain() for k, v in ei.local.items()})
        return view

    def _propagate(
        self, run: _Run, ei: _ElementInstance | None, values: Mapping[str, TypedValue]
    ) -> None:
        for name, value in values.items():
            if ei is not None and name in ei.local:
                ei.local[name] = value
            else:
                run.instance.variables[name] = value

    @staticmethod
    def _write_target(scope: dict[str, TypedValue], mapping: VariableMapping, value: Any) -> None:
        if not mapping.nested_target or "." not in mapping.target:
            scope[mapping.target] = TypedValue(value)
            return
        head, *rest = mapping.target.split(".")
        root = scope.get(head)
        base = root.plain() if root is not None else None
        obj: dict[str, Any] = dict(base) if isinstance(base, dict) else {}
        cursor = obj
        for part in rest[:-1]:
            nxt = cursor.get(part)
            cursor[part] = dict(nxt) if isinstance(nxt, dict) else {}
            cursor = cursor[part]
        cursor[rest[-1]] = value
        scope[head] = TypedValue(obj)

    # ----- token flow

    def _take_outgoing(self, run: _Run, node: FlowNode) -> None:
        for flow in node.outgoing:
            self._work.append((run, run.graph.nodes[flow.target], flow))

    def _drain(self) -> None:
        touched: set[int] = set()
        while self._work:
            run, node, flow = self._work.popleft()
            if run.instance.ended:
                continue
            touched.add(run.instance.key)
            self._enter(run, node, flow)
        for key in touched:
            run = self._runs[key]
            if (
                not run.instance.ended
                and not run.elements
                and not any(any(counts.values()) for counts in run.joins.values())
            ):
                self._end(run, InstanceState.COMPLETED)

    def _enter(self, run: _Run, node: FlowNode, via: SequenceFlow | None) -> None:
        kind = node.kind
        if kind is NodeKind.SERVICE_TASK:
            self._enter_task(run, node)
        elif kind is NodeKind.EXCLUSIVE_GATEWAY:
            self._enter_exclusive(run, node)
        elif kind is NodeKind.PARALLEL_GATEWAY:
            if len(node.incoming) <= 1 or via is None:
                self._take_outgoing(run, node)
                return
            counts = run.joins.setdefault(node.id, {})
            counts[via.id] = counts.get(via.id, 0) + 1
            if all(counts.get(f, 0) > 0 for f in node.incoming):
                for f in node.incoming:
                    counts[f] -= 1
                self._take_outgoing(run, node)
        elif kind is NodeKind.END_EVENT:
            return
        else:  # start events and boundary events are never entered through a flow
            self._take_outgoing(run, node)

    def _new_element(self, run: _Run, node: FlowNode) -> _ElementInstance:
        ei = _ElementInstance(key=self.next_key(), node=node)
        run.elements[ei.key] = ei
        self._scopes[ei.key] = (run, ei)
        return ei

    def _enter_task(self, run: _Run, node: FlowNode) -> None:
        task = node.task
        assert task is not None
        ei = self._new_element(run, node)
        try:
            view = self._view(run, None)
            for mapping in task.inputs:
                self._write_target(ei.local, mapping, mapping.source(view))
        except Exception as exc:  # any expression failure becomes an incident
            self._raise_incident(
                run, ei, IncidentType.IO_MAPPING_ERROR, f"Failed to evaluate input mapping: {exc}"
            )
            return
        try:
            if task.type_expression is not None:
                job_type = str(task.type_expression(self._view(run, ei)))
            else:
                job_type = task.type or ""
            retries = task.retries
            if task.retries_expression is not None:
                retries = int(task.retries_expression(self._view(run, ei)))
        except Exception as exc:  # any expression failure becomes an incident
            self._raise_incident(
                run,
                ei,
                IncidentType.EXTRACT_VALUE_ERROR,
                f"Failed to evaluate job type or retries of '{node.id}': {exc}",
            )
            return
        job = Job(
            key=self.next_key(),
            type=job_type,
            instance=run.instance,
            element_id=node.id,
            element_instance_key=ei.key,
            retries=retries,
            custom_headers=task.headers,
            extension_properties=task.extension_properties,
            created_at=_now_ms(),
            priority=task.priority,
        )
        ei.job = job
        self._jobs[job.key] = job
        self._make_activatable(job)

    def _enter_exclusive(self, run: _Run, node: FlowNode) -> None:
        if len(node.outgoing) <= 1 and all(f.condition is None for f in node.outgoing):
            self._take_outgoing(run, node)
            return
        view = self._view(run, None)
        chosen: SequenceFlow | None = None
        try:
            for flow in node.outgoing:
                if flow.id == node.default_flow:
                    continue
                if flow.condition is None or flow.condition(view) is True:
                    chosen = flow
                    break
        except Exception as exc:  # any expression failure becomes an incident
            ei = self._new_element(run, node)
            self._raise_incident(
                run,
                ei,
                IncidentType.CONDITION_ERROR,
                f"Failed to evaluate condition of gateway '{node.id}': {exc}",
            )
            return
        if chosen is None and node.default_flow is not None:
            chosen = next(f for f in node.outgoing if f.id == node.default_flow)
        if chosen is None:
            ei = self._new_element(run, node)
            self._raise_incident(
                run,
                ei,
                IncidentType.CONDITION_ERROR,
                f"Expected at least one condition of gateway '{node.id}' to evaluate to true, "
                "or to have a default flow",
            )
            return
        self._work.append((run, run.graph.nodes[chosen.target], chosen))

    def _leave_element(self, run: _Run, ei: _ElementInstance) -> None:
        del run.elements[ei.key]
        self._scopes.pop(ei.key, None)
        self._take_outgoing(run, ei.node)

    def _drop_element(self, run: _Run, ei: _ElementInstance) -> None:
        if ei.job is not None:
            self._finish_job(ei.job)
        if ei.incident is not None:
            self._close_incident(ei.incident)
        run.elements.pop(ei.key, None)
        self._scopes.pop(ei.key, None)

    def _end(self, run: _Run, state: InstanceState) -> None:
        inst = run.instance
        inst.ended_state = state
        inst.ended_at = _now_ms()
        if run.ended is not None:
            run.ended.set()
        self._ended.append(inst.key)
        while len(self._ended) > self.history_limit:
            self._runs.pop(self._ended.popleft(), None)

    @staticmethod
    def _find_catch(node: FlowNode, error_code: str) -> FlowNode | None:
        exact = next((b for b in node.boundaries if b.error_code == error_code), None)
        return exact or next((b for b in node.boundaries if b.error_code is None), None)

    # ----- incidents

    def _raise_incident(
        self,
        run: _Run,
        ei: _ElementInstance,
        kind: IncidentType,
        message: str,
        *,
        job: Job | None = None,
    ) -> None:
        incident = Incident(
            key=self.next_key(),
            type=kind,
            message=message,
            instance=run.instance,
            element_id=ei.node.id,
            element_instance_key=ei.key,
            job_key=job.key if job else None,
            created_at=_now_ms(),
        )
        ei.incident = incident
        self._incidents[incident.key] = incident
        run.instance.open_incidents += 1

    def _close_incident(self, incident: Incident) -> None:
        if self._incidents.pop(incident.key, None) is not None:
            incident.resolved = True
            incident.instance.open_incidents -= 1

    # ----- job plumbing

    def _check_activation(self, filters: Sequence[JobFilter], worker: str, max_jobs: int) -> None:
        if not filters:
            raise InvalidArgumentError("Expected at least one job type / topic, but none given")
        if not worker or not worker.strip():
            raise InvalidArgumentError("Expected worker to be present, but it was blank")
        if max_jobs < 1:
            raise InvalidArgumentError(
                f"Expected maxJobsToActivate to be greater than 0, but it was {max_jobs}"
            )
        for job_filter in filters:
            if not job_filter.type or not job_filter.type.strip():
                raise InvalidArgumentError("Expected type to be present, but it was blank")
            if job_filter.lock_duration <= 0:
                raise InvalidArgumentError(
                    "Expected timeout / lockDuration to be greater than 0, but it was "
                    f"{job_filter.lock_duration}"
                )

    def _job_for_command(
        self, job_key: int, worker: str | None, verb: str, *, allow_activatable: bool
    ) -> Job:
        job = self.get_job(job_key)
        if worker is not None and job.worker is not None and job.worker != worker:
            raise JobLockedByOtherWorkerError(
                f"Job '{job_key}' cannot be {verb.split()[0]}d by worker '{worker}'. "
                f"It is locked by worker '{job.worker}'."
            )
        allowed = (
            (JobState.ACTIVATED, JobState.ACTIVATABLE)
            if allow_activatable
            else (JobState.ACTIVATED,)
        )
        if job.state not in allowed:
            raise InvalidStateError(
                f"Expected to {verb} job with key '{job_key}', but it is in state "
                f"'{job.state.value}'"
                + (
                    " (an incident is open)"
                    if job.state in (JobState.FAILED, JobState.ERROR_THROWN)
                    else ""
                )
            )
        return job

    def _matches(self, job: Job, job_filter: JobFilter) -> bool:
        inst = job.instance
        if job_filter.business_key is not None and inst.business_key != job_filter.business_key:
            return False
        definition = inst.definition
        if job_filter.flavour is not None and definition.flavour != job_filter.flavour:
            return False
        if (
            job_filter.bpmn_process_ids is not None
            and definition.bpmn_process_id not in job_filter.bpmn_process_ids
        ):
            return False
        if (
            job_filter.process_definition_ids is not None
            and definition.id not in job_filter.process_definition_ids
        ):
            return False
        if (
            job_filter.process_definition_keys is not None
            and definition.key not in job_filter.process_definition_keys
        ):
            return False
        if job_filter.without_tenant_id and inst.tenant_id is not None:
            return False
        if job_filter.tenant_ids is not None:
            wanted = {self._norm_tenant(t) for t in job_filter.tenant_ids}
            if inst.tenant_id not in wanted:
                return False
        if job_filter.process_variables:
            for name, expected in job_filter.process_variables.items():
                actual = inst.variables.get(name)
                if actual is None or actual.plain() != expected:
                    return False
        return True

    def _activate(self, job: Job, worker: str, job_filter: JobFilter) -> ActivatedJob:
        self._unqueue(job)
        job.activation_count += 1
        self._lock(job, worker, job_filter.lock_duration)
        run, ei = self._scopes[job.element_instance_key]
        assert ei is not None
        if job_filter.local_variables_only:
            source = dict(ei.local)
        else:
            source = dict(run.instance.variables)
            source.update(ei.local)
        if job_filter.variables is not None:
            source = {k: source[k] for k in job_filter.variables if k in source}
        assert job.deadline is not None
        return ActivatedJob(
            key=job.key,
            type=job.type,
            worker=worker,
            deadline=job.deadline,
            retries=job.retries,
            process_instance_key=run.instance.key,
            business_key=run.instance.business_key,
            tenant_id=run.instance.tenant_id,
            definition=run.instance.definition,
            element_id=job.element_id,
            element_instance_key=job.element_instance_key,
            custom_headers=job.custom_headers,
            extension_properties=job.extension_properties,
            priority=job.priority,
            error_message=job.error_message,
            error_details=job.error_details,
            created_at=job.created_at,
            variables=source,
            filter=job_filter,
        )

    def _lock(self, job: Job, worker: str, seconds: float) -> None:
        self._cancel_timer(job.key)
        job.state = JobState.ACTIVATED
        job.worker = worker
        job.deadline = _now_ms() + int(seconds * 1000)
        loop = asyncio.get_running_loop()
        self._timers[job.key] = loop.call_later(seconds, self._lease_expired, job)

    def _lease_expired(self, job: Job) -> None:
        self._timers.pop(job.key, None)
        if job.state is JobState.ACTIVATED and self._jobs.get(job.key) is job:
            # The worker name stays: Camunda 7 lets the old owner still finish the task
            # while nobody else has locked it.
            job.deadline = None
            self._make_activatable(job)

    def _backoff_over(self, job: Job) -> None:
        self._timers.pop(job.key, None)
        if job.state is JobState.BACKOFF and self._jobs.get(job.key) is job:
            job.retry_at = None
            self._make_activatable(job)

    def _cancel_timer(self, job_key: int) -> None:
        handle = self._timers.pop(job_key, None)
        if handle is not None:
            handle.cancel()

    def _unqueue(self, job: Job) -> None:
        pool = self._activatable.get(job.type)
        if pool is not None:
            pool.pop(job.key, None)

    def _finish_job(self, job: Job) -> None:
        self._cancel_timer(job.key)
        self._unqueue(job)
        self._jobs.pop(job.key, None)

    def _make_activatable(self, job: Job) -> None:
        """Hand the job to a stream, else a waiting poller, else the pool."""
        job.state = JobState.ACTIVATABLE
        streams = self._streams.get(job.type)
        if streams:
            for index, stream in enumerate(streams):
                if self._matches(job, stream.filter):
                    # Rotate so the next job goes to the next stream.
                    streams.append(streams.pop(index))
                    stream._push(self._activate(job, stream.worker, stream.filter))
                    return
        waiters = self._waiters.get(job.type)
        if waiters:
            chosen: _Waiter | None = None
            chosen_filter: JobFilter | None = None
            # Idle pollers first (oldest first), then top up pollers already woken.
            for want_idle in (True, False):
                for waiter in waiters:
                    if (not waiter.jobs) != want_idle or len(waiter.jobs) >= waiter.max_jobs:
                        continue
                    chosen_filter = next(
                        (f for f in waiter.filters[job.type] if self._matches(job, f)), None
                    )
                    if chosen_filter is not None:
                        chosen = waiter
                        break
                if chosen is not None:
                    break
            if chosen is not None and chosen_filter is not None:
                chosen.jobs.append(self._activate(job, chosen.worker, chosen_filter))
                chosen.woken.set()
                if len(chosen.jobs) >= chosen.max_jobs:
                    self._remove_waiter(chosen)
                return
        self._activatable.setdefault(job.type, {})[job.key] = job

    def _remove_waiter(self, waiter: _Waiter) -> None:
        for job_type in waiter.filters:
            waiters = self._waiters.get(job_type)
            if waiters and waiter in waiters:
                waiters.remove(waiter)

    def _remove_stream(self, stream: JobStream) -> None:
        streams = self._streams.get(stream.filter.type)
        if streams and stream in streams:
            streams.remove(stream)

    def iter_open_jobs(self) -> Iterable[Job]:
        """All open jobs (cheap iteration for inspection)."""
        return self._jobs.values()
