"""The dev engine's Camunda 7 REST front: the ``/engine-rest`` subset external-task workers use.

Covers deployments, starting instances, runtime and history queries, incidents and the whole
external-task protocol (fetchAndLock with long polling, complete, failure, bpmnError,
extendLock, lock, unlock). Statuses, error bodies (``{"type", "message", "code"}``) and JSON shapes
are those of the real Camunda 7.24 engine; ``tests/devengine/test_camunda7_scenarios.py``
runs the same scenarios against both and is the reference when they disagree.

Camunda 7 ids are the engine's int64 keys rendered as strings. Engine errors
(`bpmn_bridge.devengine._errors`) are translated here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from aiohttp import BodyPartReader, web

from ._bpmn import BPMN_NS, CAMUNDA_NS, parse_bpmn, parse_xml
from ._camunda7_rest_values import (
    VariableConversionError,
    typed_value_to_rest,
    typed_values_from_rest,
    typed_values_to_rest,
)
from ._engine import EmbeddedEngine
from ._errors import (
    BpmnModelError,
    InvalidArgumentError,
    InvalidStateError,
    JobLockedByOtherWorkerError,
    NotFoundError,
)
from ._model import (
    ActivatedJob,
    ActivityRecord,
    Incident,
    IncidentType,
    InstanceState,
    JobFilter,
    JobRecord,
    JobState,
    ProcessDefinition,
    ProcessInstance,
    TypedValue,
)

__all__ = ["CAMUNDA7_VERSION", "create_camunda7_app"]

CAMUNDA7_VERSION = "7.24.0"
"""The Camunda 7 version this front imitates (and ``GET /version`` reports)."""

_MAX_ASYNC_RESPONSE_TIMEOUT_MS = 1_800_000
_DEPLOYMENT_FIELDS = frozenset(
    {
        "deployment-name",
        "enable-duplicate-filtering",
        "deploy-changed-only",
        "deployment-source",
        "tenant-id",
        "deployment-activation-time",
    }
)
_ENGINE_KEY: web.AppKey[EmbeddedEngine] = web.AppKey("camunda7_engine", EmbeddedEngine)
_ENFORCE_TTL_KEY: web.AppKey[bool] = web.AppKey("enforce_history_time_to_live", bool)

_TTL_MISSING = (
    "ENGINE-12018 History Time To Live (TTL) cannot be null. TTL is necessary for the History "
    "Cleanup to work. The following options are possible:\n"
    "* Set historyTimeToLive in the model\n"
    "* Set a default historyTimeToLive as a global process engine configuration\n"
    "* (Not recommended) Deactivate the enforceTTL config to disable this check"
)
# sic: Camunda 7.24 repeats the TTL text after a colon
_TTL_MISSING = f"{_TTL_MISSING}: {_TTL_MISSING}"
_NO_IMPLEMENTATION = (
    "One of the attributes 'class', 'delegateExpression', 'type', or 'expression' is "
    "mandatory on serviceTask. If you are using a connector, make sure the connect process "
    "engine plugin is registered with the process engine."
)
_IMPLEMENTATIONS = ("class", "delegateExpression", "type", "expression")


class _RestError(Exception):
    """A Camunda 7 error response: HTTP status plus ``{"type", "message", "code"}``.

    ``code`` is ``0`` for exceptions the real engine raises inside a command and ``null``
    for those its REST layer raises itself; clients rarely look, but it costs nothing.
    """

    def __init__(self, status: int, type_: str, message: str, *, code: int | None = 0) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code


def _invalid_request(message: str, status: int = 400) -> _RestError:
    return _RestError(status, "InvalidRequestException", message, code=None)


def _fmt_time(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    moment = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{epoch_ms % 1000:03d}+0000"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _json(data: Any, *, status: int = 200) -> web.Response:
    # Exactly "application/json", no charset parameter: Camunda's JavaScript client parses a
    # body only when the header equals that string (Jersey sends it so; JSON is UTF-8 anyway).
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def _error_body(error: _RestError) -> web.Response:
    return _json(
        {"type": error.type, "message": error.message, "code": error.code}, status=error.status
    )


# What Jersey answers itself, before any Camunda resource runs: JSON bodies with the
# JAX-RS exception's name and the HTTP reason.
_JAXRS_ERRORS = {
    404: ("NotFoundException", "HTTP 404 Not Found"),
    405: ("NotAllowedException", "HTTP 405 Method Not Allowed"),
    415: ("NotSupportedException", "HTTP 415 Unsupported Media Type"),
}


def _unsupported_media_type() -> _RestError:
    return _RestError(415, *_JAXRS_ERRORS[415], code=None)


@web.middleware
async def _cache_control_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    # Camunda's REST API marks every GET answer, errors included, as not cacheable.
    if request.method == "GET":
        response.headers["Cache-Control"] = "no-cache"
    return response


@web.middleware
async def _errors_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status in _JAXRS_ERRORS:
            return _error_body(_RestError(exc.status, *_JAXRS_ERRORS[exc.status], code=None))
        raise
    except _RestError as exc:
        return _error_body(exc)
    except VariableConversionError as exc:
        return _error_body(_invalid_request(str(exc)))
    except NotFoundError as exc:
        return _error_body(_RestError(404, "RestException", str(exc), code=None))
    except BpmnModelError as exc:
        return _error_body(
            _RestError(
                400,
                "ParseException",
                f"ENGINE-09005 Could not parse BPMN process. Errors: \n* {exc}",
            )
        )
    except InvalidArgumentError as exc:
        return _error_body(_invalid_request(str(exc)))
    except InvalidStateError as exc:
        return _error_body(_RestError(500, "ProcessEngineException", str(exc)))
    except RecursionError:
        # JSON (a body, a Json variable) nested past what Python parses: the client's input
        return _error_body(_invalid_request("The request's JSON is nested too deeply"))


# ------------------------------------------------------------------ request helpers


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    if request.content_type != "application/json":
        raise _unsupported_media_type()
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        # Camunda 7 answers a 400 here, as JSON (InvalidRequestException, empty message) or,
        # depending on which JSON provider its Jersey picked at startup, as Jackson's text
        raise _invalid_request(f"Invalid JSON body: {exc}") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise _invalid_request("Expected a JSON object as request body")
    return body


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.lower() == "true"


def _key(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _engine(request: web.Request) -> EmbeddedEngine:
    return request.app[_ENGINE_KEY]


def _ours(definition: ProcessDefinition) -> bool:
    """Whether this front shows a definition's instances, jobs and incidents: one dev engine
    acts as two engines, and a Camunda 7 API never lists what was deployed to Zeebe."""
    return definition.flavour != "camunda8"


def _job_or_404(engine: EmbeddedEngine, task_id: str, *, code: int | None = 0) -> JobRecord:
    key = _key(task_id)
    try:
        if key is None:
            raise NotFoundError(task_id)
        job = engine.get_job(key)
        if not _ours(job.definition):
            raise NotFoundError(task_id)
        return job
    except NotFoundError:
        raise _RestError(
            404, "RestException", f"External task with id {task_id} does not exist", code=code
        ) from None


def _owner(job: JobRecord) -> str:
    return job.worker if job.worker is not None else "null"


def _require_owner(job: JobRecord, worker: Any, what: str, *, quote: str = "'") -> str:
    # Camunda 7 compares the caller with the recorded worker even after the lock expired or
    # was released (then the owner is 'null'); the engine core is more lenient.
    if worker is None:
        raise _RestError(500, "NullValueException", "workerId is null")
    if job.worker != worker:
        raise _RestError(
            400,
            "RestException",
            f"{what} by worker '{worker}{quote}. It is locked by worker '{_owner(job)}'.",
        )
    return str(worker)


# ------------------------------------------------------------------ DTOs


_DAY_MS = 86_400_000


@functools.lru_cache(maxsize=1024)
def _definition_meta(resource: bytes, process_id: str) -> tuple[str | None, int | None]:
    """The ``targetNamespace`` (Camunda 7's category) of a deployed resource and the
    ``camunda:historyTimeToLive`` of one of its processes, in days."""
    root = parse_xml(resource)
    ttl: int | None = None
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") == process_id:
            ttl = _ttl_days(process.get(f"{{{CAMUNDA_NS}}}historyTimeToLive"))
    return root.get("targetNamespace"), ttl


def _ttl_days(text: str | None) -> int | None:
    """``P30D`` or ``30`` as days, as Camunda 7 reads ``historyTimeToLive``; else None."""
    if text is None:
        return None
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text.startswith("P") and text.endswith("D") and text[1:-1].isdigit():
        return int(text[1:-1])
    return None


def _removal_time(instance: ProcessInstance) -> int | None:
    # Camunda 7's default removal-time strategy: end time plus the definition's TTL.
    ttl = _definition_meta(instance.definition.resource, instance.definition.bpmn_process_id)[1]
    if instance.ended_at is None or ttl is None:
        return None
    return instance.ended_at + ttl * _DAY_MS


def _definition_dto(definition: ProcessDefinition) -> dict[str, Any]:
    category, ttl = _definition_meta(definition.resource, definition.bpmn_process_id)
    return {
        "id": definition.id,
        "key": definition.bpmn_process_id,
        "category": category,
        "description": None,
        "name": definition.name,
        "version": definition.version,
        "resource": definition.resource_name,
        "deploymentId": str(definition.deployment_key),
        "diagram": None,
        "suspended": False,
        "tenantId": definition.tenant_id,
        "versionTag": definition.version_tag,
        "historyTimeToLive": ttl,
        "startableInTasklist": True,
    }


def _instance_dto(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "links": [],
        "id": str(instance.key),
        "definitionId": instance.definition.id,
        "businessKey": instance.business_key,
        "caseInstanceId": None,
        "ended": instance.ended,
        "suspended": False,
        "tenantId": instance.tenant_id,
        "definitionKey": instance.definition.bpmn_process_id,
    }


_HISTORY_STATES = {
    InstanceState.ACTIVE: "ACTIVE",
    InstanceState.INCIDENT: "ACTIVE",
    InstanceState.COMPLETED: "COMPLETED",
    InstanceState.CANCELED: "EXTERNALLY_TERMINATED",
}


def _history_instance_dto(instance: ProcessInstance) -> dict[str, Any]:
    definition = instance.definition
    ended = instance.ended_at
    return {
        "id": str(instance.key),
        "businessKey": instance.business_key,
        "processDefinitionId": definition.id,
        "processDefinitionKey": definition.bpmn_process_id,
        "processDefinitionName": definition.name,
        "processDefinitionVersion": definition.version,
        "startTime": _fmt_time(instance.started_at),
        "endTime": _fmt_time(ended),
        "removalTime": _fmt_time(_removal_time(instance)),
        "durationInMillis": None if ended is None else ended - instance.started_at,
        "startUserId": None,
        "startActivityId": definition.graph.start_node,
        "deleteReason": None,
        "rootProcessInstanceId": str(instance.key),
        "superProcessInstanceId": None,
        "superCaseInstanceId": None,
        "caseInstanceId": None,
        "tenantId": instance.tenant_id,
        "state": _HISTORY_STATES[instance.state],
        "restartedProcessInstanceId": None,
    }


def _lock_expiration(job: JobRecord) -> int | None:
    if job.state is JobState.ACTIVATED:
        return job.deadline
    if job.state is JobState.BACKOFF:
        # Camunda 7 implements retryTimeout by locking the task until the backoff ends.
        return job.retry_at
    return None


def _task_dto(job: JobRecord) -> dict[str, Any]:
    definition = job.definition
    return {
        "activityId": job.element_id,
        "activityInstanceId": f"{job.element_id}:{job.element_instance_key}",
        "errorMessage": job.error_message,
        "executionId": str(job.element_instance_key),
        "id": str(job.key),
        "lockExpirationTime": _fmt_time(_lock_expiration(job)),
        "createTime": _fmt_time(job.created_at),
        "processDefinitionId": definition.id,
        "processDefinitionKey": definition.bpmn_process_id,
        "processDefinitionVersionTag": definition.version_tag,
        "processInstanceId": str(job.process_instance_key),
        "retries": job.retries,
        "suspended": False,
        "workerId": job.worker,
        "topicName": job.type,
        "tenantId": job.tenant_id,
        "priority": job.priority,
        "businessKey": job.business_key,
    }


def _locked_task_dto(
    job: ActivatedJob, *, include_extension_properties: bool, deserialize: bool
) -> dict[str, Any]:
    definition = job.definition
    return {
        "activityId": job.element_id,
        "activityInstanceId": f"{job.element_id}:{job.element_instance_key}",
        "errorMessage": job.error_message,
        "errorDetails": job.error_details,
        "executionId": str(job.element_instance_key),
        "id": str(job.key),
        "lockExpirationTime": _fmt_time(job.deadline),
        "createTime": _fmt_time(job.created_at),
        "processDefinitionId": definition.id,
        "processDefinitionKey": definition.bpmn_process_id,
        "processDefinitionVersionTag": definition.version_tag,
        "processInstanceId": str(job.process_instance_key),
        "retries": job.retries,
        "suspended": False,
        "workerId": job.worker,
        "topicName": job.type,
        "tenantId": job.tenant_id,
        "variables": typed_values_to_rest(job.variables, deserialize=deserialize),
        "priority": job.priority,
        "businessKey": job.business_key,
        "extensionProperties": (
            dict(job.extension_properties) if include_extension_properties else {}
        ),
    }


def _incident_dto(incident: Incident) -> dict[str, Any]:
    incident_type = (
        "failedExternalTask"
        if incident.type is IncidentType.JOB_NO_RETRIES
        else incident.type.value
    )
    return {
        "id": str(incident.key),
        "processDefinitionId": incident.instance.definition.id,
        "processInstanceId": str(incident.process_instance_key),
        "executionId": str(incident.element_instance_key),
        "incidentTimestamp": _fmt_time(incident.created_at),
        "incidentType": incident_type,
        "activityId": incident.element_id,
        "failedActivityId": None,
        "causeIncidentId": str(incident.key),
        "rootCauseIncidentId": str(incident.key),
        "configuration": None if incident.job_key is None else str(incident.job_key),
        "incidentMessage": incident.message,
        "tenantId": incident.instance.tenant_id,
        "jobDefinitionId": None,
        "annotation": None,
    }


def _history_variable_dto(
    instance: ProcessInstance, name: str, value: TypedValue, *, deserialize: bool
) -> dict[str, Any]:
    definition = instance.definition
    return {
        **typed_value_to_rest(value, deserialize=deserialize, history=True),
        "id": f"{instance.key}-{name}",
        "name": name,
        "processDefinitionKey": definition.bpmn_process_id,
        "processDefinitionId": definition.id,
        "processInstanceId": str(instance.key),
        "executionId": str(instance.key),
        "activityInstanceId": str(instance.key),
        "caseDefinitionKey": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "caseExecutionId": None,
        "taskId": None,
        "errorMessage": None,
        "tenantId": instance.tenant_id,
        "state": "CREATED",
        "createTime": _fmt_time(instance.started_at),
        "removalTime": _fmt_time(_removal_time(instance)),
        "rootProcessInstanceId": str(instance.key),
    }


# ------------------------------------------------------------------ handlers: engine


async def _version(request: web.Request) -> web.Response:
    return _json({"version": CAMUNDA7_VERSION})


async def _engines(request: web.Request) -> web.Response:
    return _json([{"name": "default"}])


def _position(data: bytes, element_id: str) -> tuple[int, int]:
    """Line and column just past the start tag of the element with this id (where Camunda
    7's SAX parser reports it); (0, 0) when the id cannot be found in the text."""
    text = data.decode("utf-8", errors="replace")
    at = text.find(f'id="{element_id}"')
    if at < 0:
        return 0, 0
    end = text.find(">", at) + 1
    line = text.count("\n", 0, end) + 1
    return line, end - (text.rfind("\n", 0, end) + 1) + 1


def _camunda7_parse_errors(
    name: str, data: bytes, *, enforce_ttl: bool, max_bytes: int
) -> list[tuple[str, str, int, int]]:
    """What Camunda 7's BPMN parse refuses in a resource the dev engine itself would run:
    a process without ``historyTimeToLive`` (when enforced) and a service task with no
    Camunda 7 implementation, as in a Camunda 8 (Zeebe) diagram. One (message, element
    id, line, column) per finding, in document order."""
    if not name.endswith((".bpmn", ".bpmn20.xml")):
        return []
    root = parse_xml(data, max_bytes=max_bytes)
    errors = []
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("isExecutable", "true").lower() == "false":
            continue
        process_id = process.get("id", "")
        if enforce_ttl and process.get(f"{{{CAMUNDA_NS}}}historyTimeToLive") is None:
            errors.append((_TTL_MISSING, process_id, *_position(data, process_id)))
        for task in process.iter(f"{{{BPMN_NS}}}serviceTask"):
            if not any(task.get(f"{{{CAMUNDA_NS}}}{a}") for a in _IMPLEMENTATIONS):
                task_id = task.get("id", "")
                errors.append((_NO_IMPLEMENTATION, task_id, *_position(data, task_id)))
    return errors


def _parse_exception(failures: Mapping[str, list[tuple[str, str, int, int]]]) -> web.Response:
    lines = [
        f"\n* {message} | resource {name} | line {line} | column {column}"
        for name, errors in failures.items()
        for message, _, line, column in errors
    ]
    details = {
        name: {
            "errors": [
                {
                    "message": message,
                    "line": line,
                    "column": column,
                    "mainElementId": element or None,
                    # sic: Camunda 7.24 spells this key with a Cyrillic e (U+0435)
                    "\u0435lementIds": [element] if element else [],
                }
                for message, element, line, column in errors
            ],
            "warnings": [],
        }
        for name, errors in failures.items()
    }
    return _json(
        {
            "type": "ParseException",
            "message": "ENGINE-09005 Could not parse BPMN process. Errors: " + "".join(lines),
            "code": 0,
            "details": details,
        },
        status=400,
    )


def _model_refused(
    error: BpmnModelError, resources: list[tuple[str, bytes]], *, max_bytes: int
) -> web.Response:
    """A model the embedded engine cannot run, as the ParseException Camunda 7 answers for
    a model it refuses: code 0 and ``details`` naming the resource and the element."""
    name = resources[0][0]
    for candidate, data in resources:  # which resource failed (only on this error path)
        try:
            parse_bpmn(data, max_bytes=max_bytes)
        except BpmnModelError:
            name = candidate
            break
    data = dict(resources)[name]
    element = error.element_id or ""
    position = _position(data, element) if element else (0, 0)
    return _parse_exception({name: [(str(error), element, *position)]})


_MAX_DEPLOYMENT_BYTES = 16 * 1024 * 1024  # all parts of one upload together


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    """Read one part in chunks, stopping as soon as it passes ``limit`` bytes.

    Reading it whole first would hold any upload in memory before a size check could
    refuse it (aiohttp's own ``part.read()`` checks only from 3.14 on, and per part).
    """
    data = bytearray()
    while chunk := await part.read_chunk():
        data += chunk
        if len(data) > limit:
            # 413, as an HTTP server with a body limit answers; nothing read was parsed
            raise _invalid_request(
                f"Request body size exceeds the limit: resource {part.filename or part.name!r} "
                f"is larger than {limit} bytes",
                status=413,
            )
    return bytes(data)


async def _deployment_create(request: web.Request) -> web.Response:
    engine = _engine(request)
    if not request.content_type.startswith("multipart/"):
        raise _unsupported_media_type()
    fields: dict[str, str] = {}
    resources: list[tuple[str, bytes]] = []
    reader = await request.multipart()
    left = _MAX_DEPLOYMENT_BYTES
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        # a part over the engine's resource limit but under the transport's is the
        # engine's to refuse, with its own message (a 400, as for any invalid model)
        data = await _read_part(part, min(request.client_max_size, left))
        left -= len(data)
        if part.filename is not None:
            resources.append((part.filename, data))
        elif part.name in _DEPLOYMENT_FIELDS:
            fields[part.name] = data.decode()
        else:
            resources.append((part.name, data))
    if not resources:
        raise _invalid_request("No deployment resources contained in the form upload.")
    enforce_ttl = request.app[_ENFORCE_TTL_KEY]
    failures = {}
    for name, data in resources:
        try:
            errors = _camunda7_parse_errors(
                name, data, enforce_ttl=enforce_ttl, max_bytes=engine.max_resource_bytes
            )
        except BpmnModelError as exc:
            # what the XML parser refuses (a DTD, entities, broken XML) Camunda 7.24 answers
            # before any BPMN check: a 500 naming the resource, no details
            raise _RestError(
                500, "ProcessEngineException", f"ENGINE-09003 Could not parse '{name}'. {exc}"
            ) from None
        if errors:
            failures[name] = errors
    if failures:
        return _parse_exception(failures)
    dedupe = _flag(fields.get("enable-duplicate-filtering")) or _flag(
        fields.get("deploy-changed-only")
    )
    try:
        deployment = engine.deploy(
            resources,
            tenant_id=fields.get("tenant-id"),
            name=fields.get("deployment-name"),
            deduplicate=dedupe,
        )
    except BpmnModelError as exc:
        return _model_refused(exc, resources, max_bytes=engine.max_resource_bytes)
    base = f"{request.url.origin()}/engine-rest"
    created = {
        d.id: _definition_dto(d) for d in deployment.processes if d.deployment_key == deployment.key
    }
    return _json(
        {
            "links": [
                {"method": "GET", "href": f"{base}/deployment/{deployment.id}", "rel": "self"}
            ],
            "id": deployment.id,
            # the engine names an unnamed deployment after its resource; Camunda 7 leaves it null
            "name": fields.get("deployment-name"),
            "source": fields.get("deployment-source"),
            "deploymentTime": _fmt_time(deployment.deployed_at),
            "tenantId": deployment.tenant_id,
            "deployedProcessDefinitions": created or None,
            "deployedCaseDefinitions": None,
            "deployedDecisionDefinitions": None,
            "deployedDecisionRequirementsDefinitions": None,
        }
    )


def _definition_by_key(engine: EmbeddedEngine, key: str) -> ProcessDefinition:
    try:
        return engine.latest_definition(key, flavour="camunda7")
    except NotFoundError:
        raise _RestError(
            404,
            "RestException",
            f"No matching process definition with key: {key} and no tenant-id",
            code=None,
        ) from None


def _definition_by_id(engine: EmbeddedEngine, definition_id: str) -> ProcessDefinition:
    try:
        definition = engine.get_definition(definition_id)
        if not _ours(definition):
            raise NotFoundError(definition_id)
        return definition
    except NotFoundError:
        raise _RestError(
            404, "InvalidRequestException", f"No matching definition with id {definition_id}"
        ) from None


async def _definition_list(request: web.Request) -> web.Response:
    engine = _engine(request)
    query = request.query
    definitions = [d for d in engine.list_definitions() if _ours(d)]
    if "key" in query:
        definitions = [d for d in definitions if d.bpmn_process_id == query["key"]]
    if "keysIn" in query:
        keys = set(query["keysIn"].split(","))
        definitions = [d for d in definitions if d.bpmn_process_id in keys]
    if _flag(query.get("latestVersion")):
        latest: dict[str, ProcessDefinition] = {}
        for d in definitions:
            if d.bpmn_process_id not in latest or latest[d.bpmn_process_id].version < d.version:
                latest[d.bpmn_process_id] = d
        definitions = list(latest.values())
    return _json([_definition_dto(d) for d in definitions])


async def _definition_get_by_key(request: web.Request) -> web.Response:
    return _json(_definition_dto(_definition_by_key(_engine(request), request.match_info["key"])))


async def _definition_get_by_id(request: web.Request) -> web.Response:
    return _json(_definition_dto(_definition_by_id(_engine(request), request.match_info["id"])))


async def _start(request: web.Request, definition: ProcessDefinition) -> web.Response:
    engine = _engine(request)
    body = await _json_body(request)
    try:
        variables = typed_values_from_rest(body.get("variables"))
    except VariableConversionError as exc:
        raise _invalid_request(
            f"Cannot instantiate process definition {definition.id}: {exc}"
        ) from None
    business_key = body.get("businessKey")
    instance = engine.start_instance(
        definition_key=definition.key,
        variables=variables,
        business_key=None if business_key is None else str(business_key),
    )
    base = f"{request.url.origin()}/engine-rest"
    dto = _instance_dto(instance)
    dto["links"] = [
        {"method": "GET", "href": f"{base}/process-instance/{instance.key}", "rel": "self"}
    ]
    if body.get("withVariablesInReturn"):
        dto["variables"] = typed_values_to_rest(instance.variables)
    return _json(dto)


async def _start_by_key(request: web.Request) -> web.Response:
    return await _start(request, _definition_by_key(_engine(request), request.match_info["key"]))


async def _start_by_id(request: web.Request) -> web.Response:
    return await _start(request, _definition_by_id(_engine(request), request.match_info["id"]))


# ------------------------------------------------------------------ handlers: instances


def _split(value: str | None) -> set[str] | None:
    return None if value is None else set(value.split(","))


def _filter_instances(
    instances: Iterable[ProcessInstance], query: Mapping[str, str]
) -> list[ProcessInstance]:
    ids = _split(query.get("processInstanceIds")) or _split(query.get("processInstanceIdIn"))
    if "processInstanceId" in query:
        ids = {query["processInstanceId"]}
    keys = _split(query.get("processDefinitionKeyIn"))
    if "processDefinitionKey" in query:
        keys = {query["processDefinitionKey"]}
    out = []
    for inst in instances:
        if not _ours(inst.definition):
            continue  # the Zeebe side's instances belong to the other engine
        if ids is not None and str(inst.key) not in ids:
            continue
        if keys is not None and inst.definition.bpmn_process_id not in keys:
            continue
        if "processDefinitionId" in query and inst.definition.id != query["processDefinitionId"]:
            continue
        if "businessKey" in query and inst.business_key != query["businessKey"]:
            continue
        out.append(inst)
    return out


async def _instance_list(request: web.Request) -> web.Response:
    engine = _engine(request)
    instances = _filter_instances(engine.list_instances(active=True), request.query)
    if _flag(request.query.get("withIncident")):
        instances = [i for i in instances if i.open_incidents]
    return _json([_instance_dto(i) for i in instances])


def _active_instance(engine: EmbeddedEngine, text: str) -> ProcessInstance | None:
    key = _key(text)
    if key is None:
        return None
    try:
        instance = engine.get_instance(key)
    except NotFoundError:
        return None
    return None if instance.ended or not _ours(instance.definition) else instance


async def _instance_get(request: web.Request) -> web.Response:
    text = request.match_info["id"]
    instance = _active_instance(_engine(request), text)
    if instance is None:
        raise _invalid_request(f"Process instance with id {text} does not exist", status=404)
    return _json(_instance_dto(instance))


async def _instance_variables(request: web.Request) -> web.Response:
    text = request.match_info["id"]
    instance = _active_instance(_engine(request), text)
    if instance is None:
        raise _RestError(
            500, "NullValueException", f"execution {text} doesn't exist: execution is null"
        )
    deserialize = _flag(request.query.get("deserializeValues"), default=True)
    return _json(typed_values_to_rest(instance.variables, deserialize=deserialize))


async def _instance_variable(request: web.Request) -> web.Response:
    text = request.match_info["id"]
    name = request.match_info["name"]
    instance = _active_instance(_engine(request), text)
    if instance is None:
        raise _RestError(
            500, "NullValueException", f"execution {text} doesn't exist: execution is null"
        )
    value = instance.variables.get(name)
    if value is None:
        raise _invalid_request(
            f"process instance variable with name {name} does not exist", status=404
        )
    deserialize = _flag(request.query.get("deserializeValue"), default=True)
    return _json(typed_value_to_rest(value, deserialize=deserialize))


async def _instance_modify_variables(request: web.Request) -> web.Response:
    """``POST /process-instance/{id}/variables``: the Java client's ``setVariables``."""
    engine = _engine(request)
    text = request.match_info["id"]
    body = await _json_body(request)
    try:
        modifications = typed_values_from_rest(body.get("modifications"))
    except VariableConversionError as error:
        raise _invalid_request(f"Cannot modify variables for process instance: {error}") from None
    deletions = body.get("deletions") or []
    if not isinstance(deletions, list) or not all(isinstance(d, str) for d in deletions):
        raise _invalid_request(
            "Cannot modify variables for process instance: deletions must be a list of names"
        )
    instance = _active_instance(engine, text)
    if instance is None:
        raise _RestError(
            500,
            "RestException",
            f"Cannot modify variables for process instance {text}: "
            f"execution {text} doesn't exist: execution is null",
        )
    if modifications:
        engine.set_variables(instance.key, modifications)
    for name in deletions:
        engine.delete_variable(instance.key, name)
    return _no_content()


# ------------------------------------------------------------------ handlers: history


def _history_instances(request: web.Request, query: Mapping[str, str]) -> list[ProcessInstance]:
    instances = _filter_instances(_engine(request).list_instances(), query)
    if _flag(query.get("finished")):
        instances = [i for i in instances if i.ended]
    if _flag(query.get("unfinished")):
        instances = [i for i in instances if not i.ended]
    if _flag(query.get("completed")):
        instances = [i for i in instances if i.state is InstanceState.COMPLETED]
    if _flag(query.get("active")):
        instances = [i for i in instances if not i.ended]
    return instances


async def _history_instance_list(request: web.Request) -> web.Response:
    return _json([_history_instance_dto(i) for i in _history_instances(request, request.query)])


async def _history_instance_count(request: web.Request) -> web.Response:
    return _json({"count": len(_history_instances(request, request.query))})


# Camunda 7's activityType for each flow node kind the engine runs.
_ACTIVITY_TYPES = {
    "startEvent": "startEvent",
    "endEvent": "noneEndEvent",
    "serviceTask": "serviceTask",
    "exclusiveGateway": "exclusiveGateway",
    "parallelGateway": "parallelGateway",
    "boundaryEvent": "boundaryError",
}


def _activity_dto(instance: ProcessInstance, record: ActivityRecord) -> dict[str, Any]:
    definition = instance.definition
    ended = record.ended_at
    return {
        "id": record.id,
        "parentActivityInstanceId": str(instance.key),
        "activityId": record.element_id,
        "activityName": record.name,
        "activityType": _ACTIVITY_TYPES.get(record.element_type, record.element_type),
        "processDefinitionKey": definition.bpmn_process_id,
        "processDefinitionId": definition.id,
        "processInstanceId": str(instance.key),
        "executionId": str(record.execution_key),
        "taskId": None,
        "calledProcessInstanceId": None,
        "calledCaseInstanceId": None,
        "assignee": None,
        "startTime": _fmt_time(record.started_at),
        "endTime": _fmt_time(ended),
        "durationInMillis": None if ended is None else ended - record.started_at,
        "canceled": record.canceled,
        "completeScope": record.completes_scope,
        "tenantId": instance.tenant_id,
        "removalTime": _fmt_time(_removal_time(instance)),
        "rootProcessInstanceId": str(instance.key),
    }


def _activities(request: web.Request) -> list[dict[str, Any]]:
    query = request.query
    rows = [
        _activity_dto(instance, record)
        for instance in _filter_instances(_engine(request).list_instances(), query)
        for record in instance.activities
    ]
    for name in ("activityId", "activityType", "activityInstanceId", "executionId"):
        if name in query:
            field = "id" if name == "activityInstanceId" else name
            rows = [r for r in rows if r[field] == query[name]]
    if _flag(query.get("finished")):
        rows = [r for r in rows if r["endTime"] is not None]
    if _flag(query.get("unfinished")):
        rows = [r for r in rows if r["endTime"] is None]
    if _flag(query.get("canceled")):
        rows = [r for r in rows if r["canceled"]]
    if _flag(query.get("completeScope")):
        rows = [r for r in rows if r["completeScope"]]
    return rows


async def _history_activity_list(request: web.Request) -> web.Response:
    # Unsorted, Camunda 7 answers in the order of its primary key; ours is the id.
    return _json(sorted(_activities(request), key=lambda row: str(row["id"])))


async def _history_activity_count(request: web.Request) -> web.Response:
    return _json({"count": len(_activities(request))})


async def _history_instance_get(request: web.Request) -> web.Response:
    text = request.match_info["id"]
    key = _key(text)
    try:
        if key is None:
            raise NotFoundError(text)
        instance = _engine(request).get_instance(key)
        if not _ours(instance.definition):
            raise NotFoundError(text)
    except NotFoundError:
        raise _invalid_request(
            f"Historic process instance with id {text} does not exist", status=404
        ) from None
    return _json(_history_instance_dto(instance))


def _history_variables(request: web.Request, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    # History records root-scope variables as they are now (the engine keeps no change log);
    # local variables of finished tasks are not part of it.
    text_query = {k: ",".join(v) if isinstance(v, list) else str(v) for k, v in query.items()}
    instances = _filter_instances(_engine(request).list_instances(), text_query)
    deserialize = _flag(text_query.get("deserializeValues"), default=True)
    names = _split(text_query.get("variableNameIn"))
    if "variableName" in text_query:
        names = {text_query["variableName"]}
    return [
        _history_variable_dto(inst, name, value, deserialize=deserialize)
        for inst in instances
        for name, value in inst.variables.items()
        if names is None or name in names
    ]


async def _history_variable_list(request: web.Request) -> web.Response:
    query: dict[str, Any] = dict(request.query)
    if request.method == "POST":
        query.update(await _json_body(request))
    return _json(_history_variables(request, query))


async def _history_variable_count(request: web.Request) -> web.Response:
    query: dict[str, Any] = dict(request.query)
    if request.method == "POST":
        query.update(await _json_body(request))
    return _json({"count": len(_history_variables(request, query))})


# ------------------------------------------------------------------ handlers: incidents


def _incidents(request: web.Request) -> list[Incident]:
    query = request.query
    # the Zeebe side's incidents belong to the other engine
    incidents = [i for i in _engine(request).list_incidents() if _ours(i.instance.definition)]
    if "processInstanceId" in query:
        incidents = [
            i for i in incidents if str(i.process_instance_key) == query["processInstanceId"]
        ]
    keys = _split(query.get("processDefinitionKeyIn"))
    if keys is not None:
        incidents = [i for i in incidents if i.instance.definition.bpmn_process_id in keys]
    if "incidentType" in query:
        incidents = [
            i for i in incidents if _incident_dto(i)["incidentType"] == query["incidentType"]
        ]
    if "activityId" in query:
        incidents = [i for i in incidents if i.element_id == query["activityId"]]
    return incidents


async def _incident_list(request: web.Request) -> web.Response:
    return _json([_incident_dto(i) for i in _incidents(request)])


async def _incident_count(request: web.Request) -> web.Response:
    return _json({"count": len(_incidents(request))})


# ------------------------------------------------------------------ handlers: external tasks


def _topic_filter(topic: Mapping[str, Any]) -> JobFilter:
    name = topic.get("topicName")
    if not name:
        raise _RestError(500, "NullValueException", "topicName is null")
    lock_ms = topic.get("lockDuration")
    if not isinstance(lock_ms, int) or isinstance(lock_ms, bool) or lock_ms <= 0:
        raise _RestError(500, "ProcessEngineException", "lockTime is not greater than 0")
    variables = topic.get("variables")
    definition_keys = topic.get("processDefinitionKeyIn")
    if topic.get("processDefinitionKey") is not None:
        definition_keys = [topic["processDefinitionKey"]]
    definition_ids = topic.get("processDefinitionIdIn")
    if topic.get("processDefinitionId") is not None:
        definition_ids = [topic["processDefinitionId"]]
    process_variables = topic.get("processVariables")
    tenants = topic.get("tenantIdIn")
    return JobFilter(
        type=str(name),
        lock_duration=lock_ms / 1000,
        variables=None if variables is None else tuple(str(v) for v in variables),
        local_variables_only=bool(topic.get("localVariables")),
        business_key=topic.get("businessKey"),
        bpmn_process_ids=None if definition_keys is None else tuple(definition_keys),
        process_definition_ids=None if definition_ids is None else tuple(definition_ids),
        tenant_ids=None if tenants is None else tuple(tenants),
        without_tenant_id=bool(topic.get("withoutTenantId")),
        process_variables=process_variables if isinstance(process_variables, dict) else None,
        flavour="camunda7",
    )


async def _fetch_and_lock(request: web.Request) -> web.Response:
    engine = _engine(request)
    body = await _json_body(request)
    timeout_ms = body.get("asyncResponseTimeout")
    if timeout_ms is not None and timeout_ms > _MAX_ASYNC_RESPONSE_TIMEOUT_MS:
        raise _invalid_request(
            "The asynchronous response timeout cannot be set to a value greater than "
            f"{_MAX_ASYNC_RESPONSE_TIMEOUT_MS} milliseconds"
        )
    worker = body.get("workerId")
    if worker is None:
        raise _RestError(500, "NullValueException", "workerId is null")
    topics = body.get("topics") or []
    if not topics:
        return _json([])
    max_tasks = body.get("maxTasks", 10)
    if not isinstance(max_tasks, int) or max_tasks < 1:
        return _json([])
    filters = [_topic_filter(t) for t in topics]
    options = {
        str(t["topicName"]): (
            bool(t.get("includeExtensionProperties")),
            bool(t.get("deserializeValues")),
        )
        for t in topics
    }
    jobs = await engine.activate_jobs(
        filters,
        worker=str(worker),
        max_jobs=max_tasks,
        request_timeout=(timeout_ms or 0) / 1000,
    )
    return _json(
        [
            _locked_task_dto(
                job,
                include_extension_properties=options[job.type][0],
                deserialize=options[job.type][1],
            )
            for job in jobs
        ]
    )


def _task_filter(jobs: Iterable[JobRecord], query: Mapping[str, str]) -> list[JobRecord]:
    now = _now_ms()
    out = []
    for job in jobs:
        if not _ours(job.definition):
            continue  # a Zeebe job is no Camunda 7 external task
        locked = job.state is JobState.ACTIVATED and (job.deadline or 0) > now
        checks = (
            ("externalTaskId", str(job.key)),
            ("topicName", job.type),
            ("workerId", job.worker),
            ("processInstanceId", str(job.process_instance_key)),
            ("activityId", job.element_id),
            ("processDefinitionId", job.definition.id),
            ("processDefinitionKey", job.definition.bpmn_process_id),
            ("executionId", str(job.element_instance_key)),
        )
        if any(name in query and query[name] != value for name, value in checks):
            continue
        if _flag(query.get("locked")) and not locked:
            continue
        if _flag(query.get("notLocked")) and locked:
            continue
        if _flag(query.get("withRetriesLeft")) and job.retries == 0:
            continue
        if _flag(query.get("noRetriesLeft")) and job.retries != 0:
            continue
        out.append(job)
    return out


async def _task_list(request: web.Request) -> web.Response:
    jobs = _task_filter(_engine(request).iter_open_jobs(), request.query)
    return _json([_task_dto(j) for j in jobs])


async def _task_count(request: web.Request) -> web.Response:
    jobs = _task_filter(_engine(request).iter_open_jobs(), request.query)
    return _json({"count": len(jobs)})


async def _task_get(request: web.Request) -> web.Response:
    job = _job_or_404(_engine(request), request.match_info["id"], code=None)
    return _json(_task_dto(job))


async def _task_error_details(request: web.Request) -> web.Response:
    task_id = request.match_info["id"]
    key = _key(task_id)
    try:
        if key is None:
            raise NotFoundError(task_id)
        job = _engine(request).get_job(key)
        if not _ours(job.definition):
            raise NotFoundError(task_id)
    except NotFoundError:
        raise _RestError(
            500,
            "NullValueException",
            f"No external task found with id {task_id}: externalTask is null",
        ) from None
    if job.error_details is None:
        return web.Response(status=204)
    return web.Response(body=job.error_details.encode(), content_type="text/plain")


def _no_content() -> web.Response:
    return web.Response(status=204)


async def _task_complete(request: web.Request) -> web.Response:
    engine = _engine(request)
    task_id = request.match_info["id"]
    body = await _json_body(request)
    job = _job_or_404(engine, task_id)
    worker = _require_owner(
        job, body.get("workerId"), f"External Task {task_id} cannot be completed"
    )
    variables = typed_values_from_rest(body.get("variables"))
    local_variables = typed_values_from_rest(body.get("localVariables"))
    engine.complete_job(
        job.key, variables=variables, local_variables=local_variables, worker=worker
    )
    return _no_content()


_JAVA_INT_MAX = 2**31 - 1


async def _task_failure(request: web.Request) -> web.Response:
    engine = _engine(request)
    task_id = request.match_info["id"]
    body = await _json_body(request)
    job = _job_or_404(engine, task_id)
    worker = _require_owner(
        job, body.get("workerId"), f"Failure of External Task {task_id} cannot be reported"
    )
    # Camunda 7 reads a missing "retries" as 0: the task stops and an incident opens.
    retries = body.get("retries") or 0
    if not isinstance(retries, int) or retries > _JAVA_INT_MAX:
        # Camunda 7 binds retries to a Java int: Jackson refuses anything else
        raise _invalid_request(f"Cannot deserialize value of type `int` from {retries!r}")
    if retries < 0:
        raise _RestError(500, "ProcessEngineException", "retries is not greater than or equal to 0")
    variables = typed_values_from_rest(body.get("variables"))
    local_variables = typed_values_from_rest(body.get("localVariables"))
    if variables:
        engine.set_variables(job.element_instance_key, variables)
    engine.fail_job(
        job.key,
        retries=retries,
        error_message=body.get("errorMessage"),
        error_details=body.get("errorDetails"),
        retry_backoff=(body.get("retryTimeout") or 0) / 1000,
        variables=local_variables,
        worker=worker,
    )
    return _no_content()


async def _task_bpmn_error(request: web.Request) -> web.Response:
    engine = _engine(request)
    task_id = request.match_info["id"]
    body = await _json_body(request)
    job = _job_or_404(engine, task_id)
    worker = _require_owner(
        job, body.get("workerId"), f"Bpmn error of External Task {task_id} cannot be reported"
    )
    engine.throw_error(
        job.key,
        error_code=str(body.get("errorCode") or ""),
        error_message=body.get("errorMessage"),
        variables=typed_values_from_rest(body.get("variables")),
        worker=worker,
        end_if_uncaught=True,
    )
    return _no_content()


async def _task_extend_lock(request: web.Request) -> web.Response:
    engine = _engine(request)
    task_id = request.match_info["id"]
    body = await _json_body(request)
    job = _job_or_404(engine, task_id)
    worker = _require_owner(
        job,
        body.get("workerId"),
        f"The lock of the External Task {task_id} cannot be extended",
        quote="''",  # sic: Camunda 7.24's message has a doubled quote here
    )
    new_duration = body.get("newDuration")
    if not isinstance(new_duration, int) or new_duration <= 0:
        raise _RestError(500, "ProcessEngineException", "lockTime is not greater than 0")
    if job.state is not JobState.ACTIVATED:
        raise _RestError(
            400,
            "RestException",
            "Cannot extend a lock that expired: lockExpirationTime is not greater than or "
            f"equal to {_now_ms()}",
        )
    engine.update_timeout(job.key, new_duration / 1000, worker=worker)
    return _no_content()


async def _task_lock(request: web.Request) -> web.Response:
    engine = _engine(request)
    task_id = request.match_info["id"]
    body = await _json_body(request)
    # Camunda 7 checks its input before it looks the task up
    worker = body.get("workerId")
    if worker is None:
        raise _RestError(500, "NullValueException", "workerId is null")
    duration = body.get("lockDuration")
    if not isinstance(duration, int) or duration <= 0:
        raise _RestError(400, "RestException", "lockDuration is not greater than 0")
    job = _job_or_404(engine, task_id)
    try:
        engine.lock_job(job.key, duration / 1000, worker=str(worker))
    except JobLockedByOtherWorkerError:
        raise _RestError(
            400,
            "RestException",
            f"External Task {task_id} cannot be locked by worker '{worker}'. "
            f"It is locked by worker '{_owner(job)}'.",
        ) from None
    return _no_content()


async def _task_unlock(request: web.Request) -> web.Response:
    engine = _engine(request)
    job = _job_or_404(engine, request.match_info["id"])
    engine.unlock_job(job.key)
    return _no_content()


async def _task_retries(request: web.Request) -> web.Response:
    engine = _engine(request)
    body = await _json_body(request)
    retries = body.get("retries")
    if not isinstance(retries, int) or retries < 0:
        raise _RestError(
            400,
            "BadUserRequestException",
            "The number of retries cannot be negative: retries is not greater than or equal to 0",
        )
    job = _job_or_404(engine, request.match_info["id"])
    engine.update_retries(job.key, retries, resolve_incident=True)
    return _no_content()


# ------------------------------------------------------------------ app


def create_camunda7_app(
    engine: EmbeddedEngine, *, enforce_history_time_to_live: bool = True
) -> web.Application:
    """Build the Camunda 7 REST front of a dev engine, rooted at ``/engine-rest``.

    Deployments are refused as Camunda 7.24 refuses them: a process without
    ``camunda:historyTimeToLive`` (unless ``enforce_history_time_to_live`` is False, like
    Camunda's ``enforceHistoryTimeToLive=false``) and a service task with no Camunda 7
    implementation, which is what a Camunda 8 (Zeebe) diagram has.

    Args:
        engine: the engine to serve; must live in the event loop that runs the app.
        enforce_history_time_to_live: refuse processes without a history time to live.

    Returns:
        An aiohttp application; run it with an ``AppRunner`` on loopback.
    """
    app = web.Application(middlewares=[_cache_control_middleware, _errors_middleware])
    app[_ENGINE_KEY] = engine
    app[_ENFORCE_TTL_KEY] = enforce_history_time_to_live
    routes = [
        web.get("/engine-rest/version", _version),
        web.get("/engine-rest/engine", _engines),
        web.post("/engine-rest/deployment/create", _deployment_create),
        web.get("/engine-rest/process-definition", _definition_list),
        web.get("/engine-rest/process-definition/key/{key}", _definition_get_by_key),
        web.post("/engine-rest/process-definition/key/{key}/start", _start_by_key),
        web.get("/engine-rest/process-definition/{id}", _definition_get_by_id),
        web.post("/engine-rest/process-definition/{id}/start", _start_by_id),
        web.get("/engine-rest/process-instance", _instance_list),
        web.get("/engine-rest/process-instance/{id}", _instance_get),
        web.get("/engine-rest/process-instance/{id}/variables", _instance_variables),
        web.post("/engine-rest/process-instance/{id}/variables", _instance_modify_variables),
        web.get("/engine-rest/process-instance/{id}/variables/{name}", _instance_variable),
        web.get("/engine-rest/history/process-instance", _history_instance_list),
        web.get("/engine-rest/history/process-instance/count", _history_instance_count),
        web.get("/engine-rest/history/process-instance/{id}", _history_instance_get),
        web.get("/engine-rest/history/activity-instance", _history_activity_list),
        web.get("/engine-rest/history/activity-instance/count", _history_activity_count),
        web.get("/engine-rest/history/variable-instance", _history_variable_list),
        web.post("/engine-rest/history/variable-instance", _history_variable_list),
        web.get("/engine-rest/history/variable-instance/count", _history_variable_count),
        web.post("/engine-rest/history/variable-instance/count", _history_variable_count),
        web.get("/engine-rest/incident", _incident_list),
        web.get("/engine-rest/incident/count", _incident_count),
        web.post("/engine-rest/external-task/fetchAndLock", _fetch_and_lock),
        web.get("/engine-rest/external-task", _task_list),
        web.get("/engine-rest/external-task/count", _task_count),
        web.get("/engine-rest/external-task/{id}", _task_get),
        web.get("/engine-rest/external-task/{id}/errorDetails", _task_error_details),
        web.post("/engine-rest/external-task/{id}/complete", _task_complete),
        web.post("/engine-rest/external-task/{id}/failure", _task_failure),
        web.post("/engine-rest/external-task/{id}/bpmnError", _task_bpmn_error),
        web.post("/engine-rest/external-task/{id}/extendLock", _task_extend_lock),
        web.post("/engine-rest/external-task/{id}/lock", _task_lock),
        web.post("/engine-rest/external-task/{id}/unlock", _task_unlock),
        web.put("/engine-rest/external-task/{id}/retries", _task_retries),
    ]
    app.add_routes(routes)
    return app
