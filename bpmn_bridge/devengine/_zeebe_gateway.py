"""Zeebe gateway gRPC front (pyzeebe's bundled ``gateway.proto``) over `EmbeddedEngine`.

Only this module knows protobuf and gRPC status codes. Engine errors are translated in one
place, `_abort_for`, following the error lists in ``gateway.proto``:

* `NotFoundError` → ``NOT_FOUND`` (e.g. completing a job twice),
* `InvalidArgumentError` (incl. `BpmnModelError`) → ``INVALID_ARGUMENT``,
* `InvalidStateError` → ``FAILED_PRECONDITION``.

RPCs outside the development subset answer ``UNIMPLEMENTED`` with a message saying so.
Like Zeebe, completing a job whose lock expired is accepted while nobody else holds it:
the protocol does not identify the calling worker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, NoReturn

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc

from ._bpmn import BPMN_NS, ZEEBE_NS, parse_xml
from ._engine import DEFAULT_TENANT, EmbeddedEngine
from ._errors import (
    BpmnModelError,
    DevEngineError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
)
from ._model import ActivatedJob, InstanceState, JobFilter, ProcessDefinition

__all__ = ["GATEWAY_VERSION", "ZeebeGateway", "start_zeebe_server"]

GATEWAY_VERSION = "8.5.0-bpmn-bridge-devengine"
DEFAULT_LONG_POLL_SECONDS = 10.0  # Zeebe's default when requestTimeout is 0
DEFAULT_WITH_RESULT_SECONDS = 15.0  # Zeebe gateway's default request timeout

_log = logging.getLogger(__name__)

# grpc is untyped here, so the servicer context is Any at type-check time.
Context = Any


async def _abort(context: Context, code: grpc.StatusCode, message: str) -> NoReturn:
    await context.abort(code, message)
    raise AssertionError("context.abort returned")  # pragma: no cover


async def _abort_for(context: Context, error: DevEngineError) -> NoReturn:
    if isinstance(error, NotFoundError):
        code = grpc.StatusCode.NOT_FOUND
    elif isinstance(error, InvalidArgumentError):
        code = grpc.StatusCode.INVALID_ARGUMENT
    elif isinstance(error, InvalidStateError):
        code = grpc.StatusCode.FAILED_PRECONDITION
    else:  # pragma: no cover - every engine error is one of the above
        code = grpc.StatusCode.INTERNAL
    await _abort(context, code, str(error))


async def _parse_variables(context: Context, text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        document = json.loads(text)
    except ValueError as exc:
        await _abort(
            context,
            grpc.StatusCode.INVALID_ARGUMENT,
            f"Expected to parse variables as a JSON document, but failed: {exc}",
        )
    except RecursionError:
        # a client's input, not an engine failure: INVALID_ARGUMENT as for any bad JSON
        await _abort(
            context,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Expected to parse variables as a JSON document, but failed: nested too deeply",
        )
    if document is None:
        return {}
    if not isinstance(document, dict):
        await _abort(
            context,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Expected variables to be a JSON document whose root node is an object",
        )
    return document


def _tenant(tenant_id: str | None) -> str:
    return tenant_id or DEFAULT_TENANT


def _tenant_filter(tenant_ids: Sequence[str]) -> tuple[str | None, ...] | None:
    return tuple(tenant_ids) if tenant_ids else None


def _dumps(values: Mapping[str, Any]) -> str:
    return json.dumps(values, separators=(",", ":"), default=str)


def _job_message(job: ActivatedJob) -> pb.ActivatedJob:
    definition = job.definition
    return pb.ActivatedJob(
        key=job.key,
        type=job.type,
        processInstanceKey=job.process_instance_key,
        bpmnProcessId=definition.bpmn_process_id,
        processDefinitionVersion=definition.version,
        processDefinitionKey=definition.key,
        elementId=job.element_id,
        elementInstanceKey=job.element_instance_key,
        customHeaders=_dumps(job.custom_headers),
        worker=job.worker,
        retries=job.retries if job.retries is not None else 0,
        deadline=job.deadline,
        variables=_dumps(job.plain_variables()),
        tenantId=_tenant(job.tenant_id),
    )


def _process_metadata(definition: ProcessDefinition) -> pb.ProcessMetadata:
    return pb.ProcessMetadata(
        bpmnProcessId=definition.bpmn_process_id,
        version=definition.version,
        processDefinitionKey=definition.key,
        resourceName=definition.resource_name,
        tenantId=_tenant(definition.tenant_id),
    )


class ZeebeGateway(gateway_pb2_grpc.GatewayServicer):
    """The Zeebe ``Gateway`` service implemented on the development engine.

    Args:
        engine: the engine to serve.
        host / port: advertised in Topology (set by the server once bound).
    """

    def __init__(self, engine: EmbeddedEngine, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.engine = engine
        self.host = host
        self.port = port

    # ------------------------------------------------------------ cluster

    async def Topology(self, request: pb.TopologyRequest, context: Context) -> pb.TopologyResponse:
        partition = pb.Partition(
            partitionId=1,
            role=pb.Partition.PartitionBrokerRole.LEADER,
            health=pb.Partition.PartitionBrokerHealth.HEALTHY,
        )
        broker = pb.BrokerInfo(
            nodeId=0,
            host=self.host,
            port=self.port,
            partitions=[partition],
            version=GATEWAY_VERSION,
        )
        return pb.TopologyResponse(
            brokers=[broker],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion=GATEWAY_VERSION,
        )

    # --------------------------------------------------------- deployment

    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: Context
    ) -> pb.DeployResourceResponse:
        resources = [(r.name, r.content) for r in request.resources]
        try:
            _refuse_what_zeebe_refuses(resources, max_bytes=self.engine.max_resource_bytes)
            deployment = self.engine.deploy(resources, tenant_id=request.tenantId or None)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.DeployResourceResponse(
            key=deployment.key,
            deployments=[pb.Deployment(process=_process_metadata(d)) for d in deployment.processes],
            tenantId=_tenant(deployment.tenant_id),
        )

    async def DeployProcess(
        self, request: pb.DeployProcessRequest, context: Context
    ) -> pb.DeployProcessResponse:
        resources = [(p.name, p.definition) for p in request.processes]
        try:
            _refuse_what_zeebe_refuses(resources, max_bytes=self.engine.max_resource_bytes)
            deployment = self.engine.deploy(resources)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.DeployProcessResponse(
            key=deployment.key,
            processes=[_process_metadata(d) for d in deployment.processes],
        )

    # ---------------------------------------------------------- instances

    async def _create(
        self, request: pb.CreateProcessInstanceRequest, context: Context
    ) -> tuple[int, ProcessDefinition]:
        if len(request.startInstructions):
            await _abort(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "Start instructions are not supported by the development engine",
            )
        variables = await _parse_variables(context, request.variables)
        try:
            if request.processDefinitionKey:
                instance = self.engine.start_instance(
                    definition_key=request.processDefinitionKey,
                    variables=variables,
                    flavour="camunda8",
                )
            else:
                instance = self.engine.start_instance(
                    request.bpmnProcessId,
                    version=request.version if request.version > 0 else None,
                    variables=variables,
                    tenant_id=request.tenantId or None,
                    flavour="camunda8",
                )
        except DevEngineError as error:
            await _abort_for(context, error)
        return instance.key, instance.definition

    async def CreateProcessInstance(
        self, request: pb.CreateProcessInstanceRequest, context: Context
    ) -> pb.CreateProcessInstanceResponse:
        key, definition = await self._create(request, context)
        return pb.CreateProcessInstanceResponse(
            processDefinitionKey=definition.key,
            bpmnProcessId=definition.bpmn_process_id,
            version=definition.version,
            processInstanceKey=key,
            tenantId=_tenant(definition.tenant_id),
        )

    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: Context
    ) -> pb.CreateProcessInstanceWithResultResponse:
        key, definition = await self._create(request.request, context)
        seconds = (
            request.requestTimeout / 1000
            if request.requestTimeout > 0
            else DEFAULT_WITH_RESULT_SECONDS
        )
        try:
            instance = await self.engine.wait_for_end(key, timeout=seconds)
        except TimeoutError:
            await _abort(
                context,
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"Process instance {key} did not complete within {seconds:g} s",
            )
        if instance.state is not InstanceState.COMPLETED:
            await _abort(
                context,
                grpc.StatusCode.ABORTED,
                f"Process instance {key} ended with state {instance.state.value}",
            )
        variables = instance.plain_variables()
        if len(request.fetchVariables):
            wanted = set(request.fetchVariables)
            variables = {k: v for k, v in variables.items() if k in wanted}
        return pb.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=definition.key,
            bpmnProcessId=definition.bpmn_process_id,
            version=definition.version,
            processInstanceKey=key,
            variables=_dumps(variables),
            tenantId=_tenant(definition.tenant_id),
        )

    async def CancelProcessInstance(
        self, request: pb.CancelProcessInstanceRequest, context: Context
    ) -> pb.CancelProcessInstanceResponse:
        try:
            self.engine.cancel_instance(request.processInstanceKey)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.CancelProcessInstanceResponse()

    async def SetVariables(
        self, request: pb.SetVariablesRequest, context: Context
    ) -> pb.SetVariablesResponse:
        variables = await _parse_variables(context, request.variables)
        try:
            key = self.engine.set_variables(
                request.elementInstanceKey, variables, local=request.local
            )
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.SetVariablesResponse(key=key)

    async def ResolveIncident(
        self, request: pb.ResolveIncidentRequest, context: Context
    ) -> pb.ResolveIncidentResponse:
        try:
            self.engine.resolve_incident(request.incidentKey)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.ResolveIncidentResponse()

    # --------------------------------------------------------------- jobs

    def _filter(
        self,
        job_type: str,
        timeout_ms: int,
        fetch_variables: Sequence[str],
        tenant_ids: Sequence[str],
    ) -> JobFilter:
        return JobFilter(
            type=job_type,
            lock_duration=timeout_ms / 1000,
            variables=tuple(fetch_variables) if fetch_variables else None,
            tenant_ids=_tenant_filter(tenant_ids),
            flavour="camunda8",
        )

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: Context
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        job_filter = self._filter(
            request.type, request.timeout, request.fetchVariable, request.tenantIds
        )
        if request.requestTimeout > 0:
            wait = request.requestTimeout / 1000
        elif request.requestTimeout == 0:
            wait = DEFAULT_LONG_POLL_SECONDS
        else:
            wait = 0.0
        try:
            jobs = await self.engine.activate_jobs(
                [job_filter],
                worker=request.worker,
                max_jobs=request.maxJobsToActivate,
                request_timeout=wait,
            )
        except DevEngineError as error:
            await _abort_for(context, error)
        if not jobs:
            return
        # Zeebe streams one response per partition; one partition means one response.
        try:
            yield pb.ActivateJobsResponse(jobs=[_job_message(job) for job in jobs])
        except BaseException:
            # The client went away before taking them: hand them back at once instead
            # of letting them wait for their lock timeout.
            for job in jobs:
                self.engine.yield_job(job.key)
            raise

    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: Context
    ) -> AsyncIterator[pb.ActivatedJob]:
        job_filter = self._filter(
            request.type, request.timeout, request.fetchVariable, request.tenantIds
        )
        worker = request.worker or "default"
        try:
            stream = self.engine.open_job_stream(job_filter, worker=worker)
        except DevEngineError as error:
            await _abort_for(context, error)
        try:
            while True:
                job = await stream.get()
                try:
                    yield _job_message(job)
                except BaseException:
                    # Not delivered: make it available to other workers right away.
                    self.engine.yield_job(job.key)
                    raise
        finally:
            stream.close()

    async def CompleteJob(
        self, request: pb.CompleteJobRequest, context: Context
    ) -> pb.CompleteJobResponse:
        variables = await _parse_variables(context, request.variables)
        try:
            self.engine.complete_job(request.jobKey, variables=variables)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.CompleteJobResponse()

    async def FailJob(self, request: pb.FailJobRequest, context: Context) -> pb.FailJobResponse:
        variables = await _parse_variables(context, request.variables)
        try:
            self.engine.fail_job(
                request.jobKey,
                retries=request.retries,
                error_message=request.errorMessage or None,
                retry_backoff=max(request.retryBackOff, 0) / 1000,
                variables=variables,
            )
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.FailJobResponse()

    async def ThrowError(
        self, request: pb.ThrowErrorRequest, context: Context
    ) -> pb.ThrowErrorResponse:
        variables = await _parse_variables(context, request.variables)
        try:
            self.engine.throw_error(
                request.jobKey,
                error_code=request.errorCode,
                error_message=request.errorMessage or None,
                variables=variables,
            )
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.ThrowErrorResponse()

    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: Context
    ) -> pb.UpdateJobRetriesResponse:
        if request.retries < 1:
            await _abort(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Expected retries to be greater than 0, but it was {request.retries}",
            )
        try:
            self.engine.update_retries(request.jobKey, request.retries)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.UpdateJobRetriesResponse()

    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: Context
    ) -> pb.UpdateJobTimeoutResponse:
        try:
            self.engine.update_timeout(request.jobKey, request.timeout / 1000)
        except DevEngineError as error:
            await _abort_for(context, error)
        return pb.UpdateJobTimeoutResponse()

    # ------------------------------------------------------ not supported

    async def _unimplemented(self, context: Context, rpc: str) -> NoReturn:
        await _abort(
            context,
            grpc.StatusCode.UNIMPLEMENTED,
            f"{rpc} is not supported by the bpmn-bridge development engine "
            "(see docs/devengine.md for the supported subset)",
        )

    async def EvaluateDecision(self, request: Any, context: Context) -> Any:
        await self._unimplemented(context, "EvaluateDecision")

    async def PublishMessage(self, request: Any, context: Context) -> Any:
        await self._unimplemented(context, "PublishMessage")

    async def ModifyProcessInstance(self, request: Any, context: Context) -> Any:
        await self._unimplemented(context, "ModifyProcessInstance")

    async def MigrateProcessInstance(self, request: Any, context: Context) -> Any:
        await self._unimplemented(context, "MigrateProcessInstance")

    async def DeleteResource(self, request: Any, context: Context) -> Any:
        await self._unimplemented(context, "DeleteResource")

    async def BroadcastSignal(self, request: Any, context: Context) -> Any:
        await self._unimplemented(context, "BroadcastSignal")


async def start_zeebe_server(
    engine: EmbeddedEngine, *, host: str = "127.0.0.1", port: int = 0
) -> tuple[grpc.aio.Server, int]:
    """Start a grpc.aio server serving the Zeebe gateway for ``engine``.

    Args:
        host: interface to bind (loopback by default).
        port: TCP port; 0 picks a free one.

    Returns:
        The started server and the bound port. Stop it with ``await server.stop(grace)``.

    Raises:
        RuntimeError: the port could not be bound.
    """
    server = grpc.aio.server()
    gateway = ZeebeGateway(engine, host=host)
    gateway_pb2_grpc.add_GatewayServicer_to_server(gateway, server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise RuntimeError(f"Could not bind the Zeebe gateway to {host}:{port}")
    gateway.port = bound
    await server.start()
    _log.debug("Zeebe gateway listening on %s:%d", host, bound)
    return server, bound


def _refuse_what_zeebe_refuses(resources: Sequence[tuple[str, bytes]], *, max_bytes: int) -> None:
    """Refuse a deployment as Zeebe's model validation would: a service task without a
    ``zeebe:taskDefinition``, which is what a Camunda 7 diagram has. The dev engine itself
    runs such a task (it reads ``camunda:topic`` too); a Zeebe broker does not.

    Raises:
        BpmnModelError: Zeebe's rejection text, one ``- Element:`` entry per task.
    """
    failures = []
    for name, data in resources:
        if not name.endswith((".bpmn", ".xml")):
            continue
        root = parse_xml(data, max_bytes=max_bytes)
        elements = [
            task.get("id", "")
            for process in root.iter(f"{{{BPMN_NS}}}process")
            for task in process.iter(f"{{{BPMN_NS}}}serviceTask")
            if len(list(task.iter(f"{{{ZEEBE_NS}}}taskDefinition"))) != 1
        ]
        if elements:
            failures.append(
                f"'{name}':\n"
                + "".join(
                    f"- Element: {element}\n"
                    "    - ERROR: Must have exactly one 'zeebe:taskDefinition' extension element\n"
                    for element in elements
                )
            )
    if failures:
        raise BpmnModelError(
            "Expected to deploy new resources, but encountered the following errors:\n"
            + "".join(failures)
        )
