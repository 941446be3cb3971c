"""The in-memory BPMN engine behind both development fronts (Zeebe gRPC, Camunda 7 REST).

For development, demos and tests — never production: all state lives in memory and is
lost when the process exits.

`EmbeddedEngine` is the facade the fronts call; each concern lives in its own module:

- `._deployments`: deployments and process definitions (versions, flavour visibility);
- `._flow`: process instances, tokens, scopes, incidents, one handler per element kind;
- `._job_board`: open jobs, the activatable pool, long polls, streams, lease timers.

Concurrency model: the engine is single-threaded and lives in one asyncio event loop. All
state changes are synchronous methods; only the waiting operations (`activate_jobs` long
polling, `JobStream`, `wait_for_end`) are awaitables. Lock deadlines and retry backoffs use
``loop.call_later`` timers, so calls that start them must run inside the loop.

Vocabulary is engine-neutral: a *job* is a Zeebe job and a Camunda 7 external task; its
*type* is the Camunda 7 topic; *lock duration* is the Zeebe job timeout. Errors are the
tree in `bpmn_bridge.devengine._errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._bpmn import DEFAULT_MAX_RESOURCE_BYTES
from ._deployments import DeploymentStore
from ._errors import InvalidArgumentError
from ._flow import Flow, as_typed
from ._job_board import JobBoard, JobStream
from ._model import (
    DEFAULT_TENANT,
    ActivatedJob,
    Deployment,
    ElementInstanceInfo,
    Incident,
    JobFilter,
    JobRecord,
    JobState,
    ProcessDefinition,
    ProcessInstance,
    TypedValue,
    now_ms,
)

__all__ = ["DEFAULT_TENANT", "EmbeddedEngine", "JobStream"]

_KEY_BASE = 1 << 51  # Zeebe encodes the partition id in the upper bits; we are partition 1.


class EmbeddedEngine:
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
        self._key = 0
        self._deployments = DeploymentStore(
            next_key=self.next_key, max_resource_bytes=max_resource_bytes
        )
        self._board = JobBoard(lambda job, local_only: self._flow.job_variables(job, local_only))
        self._flow = Flow(self._board, next_key=self.next_key, history_limit=history_limit)

    @property
    def max_resource_bytes(self) -> int:
        """Largest BPMN resource accepted by `deploy`."""
        return self._deployments.max_resource_bytes

    @max_resource_bytes.setter
    def max_resource_bytes(self, value: int) -> None:
        self._deployments.max_resource_bytes = value

    @property
    def history_limit(self) -> int:
        """How many ended instances stay queryable."""
        return self._flow.history_limit

    @history_limit.setter
    def history_limit(self, value: int) -> None:
        self._flow.history_limit = value

    @property
    def _streams(self) -> dict[str, list[JobStream]]:
        # Open streams by job type; tests wait on it to know a stream has subscribed.
        return self._board.streams

    # -------------------------------------------------------------- keys

    def next_key(self) -> int:
        """Return a fresh int64 key (also used by fronts for command keys)."""
        self._key += 1
        return _KEY_BASE + self._key

    # ------------------------------------------------------- deployments

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
        return self._deployments.deploy(
            resources, tenant_id=tenant_id, name=name, deduplicate=deduplicate
        )

    def list_deployments(self) -> list[Deployment]:
        """All deployments, oldest first."""
        return list(self._deployments.deployments.values())

    def list_definitions(self) -> list[ProcessDefinition]:
        """All process definitions, oldest first."""
        return list(self._deployments.definitions.values())

    def get_definition(self, key_or_id: int | str) -> ProcessDefinition:
        """Look a definition up by int64 key or Camunda 7 id string.

        Raises:
            ProcessDefinitionNotFoundError: unknown key/id.
        """
        return self._deployments.get_definition(key_or_id)

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
        return self._deployments.latest_definition(
            bpmn_process_id, version=version, tenant_id=tenant_id, flavour=flavour
        )

    # --------------------------------------------------------- instances

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
        definition = self._deployments.definition_to_start(
            bpmn_process_id,
            definition_key=definition_key,
            version=version,
            tenant_id=tenant_id,
            flavour=flavour,
        )
        instance = ProcessInstance(
            key=self.next_key(),
            definition=definition,
            business_key=business_key,
            tenant_id=definition.tenant_id,
            variables={k: as_typed(v) for k, v in (variables or {}).items()},
            started_at=now_ms(),
        )
        self._flow.start(instance)
        return instance

    def get_instance(self, key: int) -> ProcessInstance:
        """An active or ended (still in history) instance.

        Raises:
            ProcessInstanceNotFoundError: unknown or evicted from history.
        """
        return self._flow.run(key, active_only=False).instance

    def list_instances(
        self,
        *,
        bpmn_process_id: str | None = None,
        business_key: str | None = None,
        active: bool | None = None,
    ) -> list[ProcessInstance]:
        """Instances (active and kept history), oldest first, optionally filtered."""
        out = []
        for run in self._flow.runs.values():
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
        return self._flow.element_instances(instance_key)

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
        return await self._flow.wait_for_end(instance_key, timeout=timeout)

    def cancel_instance(self, instance_key: int) -> None:
        """Cancel an active instance: its jobs disappear and open incidents are dropped.

        Raises:
            ProcessInstanceNotFoundError: unknown or already ended.
        """
        self._flow.cancel(instance_key)

    # --------------------------------------------------------- variables

    def get_variables(self, scope_key: int) -> dict[str, TypedValue]:
        """Variables of a scope: an instance key (root) or an element instance key (local).

        Raises:
            ProcessInstanceNotFoundError: unknown scope.
        """
        return self._flow.variables(scope_key)

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
        self._flow.set_variables(scope_key, variables, local=local)
        return self.next_key()

    def delete_variable(self, scope_key: int, name: str) -> None:
        """Remove a variable from exactly this scope (no error if absent).

        Raises:
            ProcessInstanceNotFoundError: unknown or ended scope.
        """
        self._flow.delete_variable(scope_key, name)

    # -------------------------------------------------------------- jobs

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
        return await self._board.activate_jobs(
            filters, worker=worker, max_jobs=max_jobs, request_timeout=request_timeout
        )

    def open_job_stream(self, job_filter: JobFilter, *, worker: str) -> JobStream:
        """Subscribe to jobs of ``job_filter.type`` that become activatable from now on.

        Streams get new jobs before long-polling requests (as in Zeebe); jobs that were
        already activatable are not pushed — poll for those.

        Raises:
            InvalidArgumentError: blank type/worker or lock duration <= 0.
        """
        return self._board.open_stream(job_filter, worker=worker)

    def answer_long_polls(self) -> int:
        """Answer every waiting long poll now (a front stopping): clients poll again later.

        Returns:
            How many long polls were answered.
        """
        return self._board.answer_long_polls()

    def yield_job(self, job_key: int) -> None:
        """Return an activated job to the pool at once (undeliverable activation).

        Unknown or no longer activated jobs are ignored.
        """
        self._board.yield_job(job_key)

    def get_job(self, job_key: int) -> JobRecord:
        """An open job.

        Raises:
            JobRecordNotFoundError: unknown, completed or canceled.
        """
        return self._board.get(job_key)

    def list_jobs(
        self,
        *,
        type: str | None = None,
        instance_key: int | None = None,
        state: JobState | None = None,
    ) -> list[JobRecord]:
        """Open jobs, oldest first, optionally filtered (Camunda 7 external task list)."""
        return self._board.find(type=type, instance_key=instance_key, state=state)

    def iter_open_jobs(self) -> Iterable[JobRecord]:
        """All open jobs (cheap iteration for inspection)."""
        return self._board.jobs.values()

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
            JobRecordNotFoundError: unknown or already completed job.
            JobLockedByOtherWorkerError: locked by another worker.
            InvalidStateError: the job failed or threw an error (incident open) or waits
                for a retry backoff.
        """
        job = self._board.for_command(job_key, worker, "complete", allow_activatable=True)
        self._flow.service_task.complete(job, variables=variables, local_variables=local_variables)

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
            JobRecordNotFoundError / JobLockedByOtherWorkerError / InvalidStateError: as
                `complete_job`; without ``worker`` the job must be activated.
        """
        job = self._board.for_command(job_key, worker, "fail", allow_activatable=worker is not None)
        self._flow.service_task.fail(
            job,
            retries=retries,
            error_message=error_message,
            error_details=error_details,
            retry_backoff=retry_backoff,
            variables=variables,
        )

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
            JobRecordNotFoundError / JobLockedByOtherWorkerError / InvalidStateError: as
                `complete_job`.
        """
        if not error_code:
            raise InvalidArgumentError("Expected an error code, but it was blank")
        job = self._board.for_command(job_key, worker, "throw an error for", allow_activatable=True)
        self._flow.service_task.throw_error(
            job,
            error_code=error_code,
            error_message=error_message,
            variables=variables,
            end_if_uncaught=end_if_uncaught,
        )

    def update_retries(self, job_key: int, retries: int, *, resolve_incident: bool = False) -> None:
        """Set a job's retries.

        Args:
            retries: new value, >= 0. Setting 0 on a job that is not failed opens a
                ``JOB_NO_RETRIES`` incident (Camunda 7 ``setRetries`` semantics).
            resolve_incident: also resolve the job's no-retries incident when
                ``retries`` > 0 (Camunda 7 does; Zeebe needs ResolveIncident).

        Raises:
            JobRecordNotFoundError: unknown job.
            InvalidArgumentError: negative retries.
        """
        if retries < 0:
            raise InvalidArgumentError(f"Expected retries to be >= 0, but was {retries}")
        job = self._board.get(job_key)
        self._flow.service_task.set_retries(job, retries, resolve_incident=resolve_incident)

    def update_timeout(self, job_key: int, timeout: float, *, worker: str | None = None) -> None:
        """Move an activated job's lock deadline to now + ``timeout`` seconds.

        Zeebe UpdateJobTimeout (``worker`` ``None``) and Camunda 7 extendLock (only the
        lock owner may extend).

        Raises:
            JobRecordNotFoundError: unknown job.
            InvalidArgumentError: ``timeout`` < 0.
            JobLockedByOtherWorkerError: locked by another worker.
            InvalidStateError: not locked (never activated or lock expired).
        """
        self._board.extend_lock(job_key, timeout, worker=worker)

    def lock_job(self, job_key: int, timeout: float, *, worker: str) -> None:
        """Lock a job for ``worker`` for ``timeout`` seconds without fetching it (Camunda 7 lock).

        The lock owner may lock again (the deadline restarts from now); a job another worker
        holds (locked, or backing off after its failure) until a deadline still ahead is
        refused. A job waiting for its incident only records the lock.

        Raises:
            JobRecordNotFoundError: unknown job.
            InvalidArgumentError: ``timeout`` <= 0.
            JobLockedByOtherWorkerError: another worker holds it.
        """
        self._board.lock(job_key, timeout, worker=worker)

    def unlock_job(self, job_key: int) -> None:
        """Release a job's lock so it can be activated again (Camunda 7 unlock).

        Raises:
            JobRecordNotFoundError: unknown job.
        """
        job = self._board.get(job_key)
        if job.state is JobState.ACTIVATED:
            self._board.release(job)

    # --------------------------------------------------------- incidents

    def list_incidents(self, *, instance_key: int | None = None) -> list[Incident]:
        """Open incidents, oldest first."""
        return [
            inc
            for inc in self._flow.incidents.values()
            if instance_key is None or inc.instance.key == instance_key
        ]

    def get_incident(self, incident_key: int) -> Incident:
        """An open incident.

        Raises:
            IncidentNotFoundError: unknown or resolved.
        """
        return self._flow.get_incident(incident_key)

    def resolve_incident(self, incident_key: int) -> None:
        """Resolve an incident and retry what failed.

        Job incidents make the job activatable again (a no-retries incident needs
        retries > 0 first); expression incidents re-run the element.

        Raises:
            IncidentNotFoundError: unknown or already resolved.
            InvalidStateError: the job still has no retries left.
        """
        self._flow.resolve_incident(incident_key)
