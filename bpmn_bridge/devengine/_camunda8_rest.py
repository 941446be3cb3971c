"""The dev engine's Camunda 8 REST front: the Orchestration Cluster API (``/v2``) subset.

Serves what job workers and tests use: topology, deployments (multipart), process-instance
creation (with ``awaitCompletion``), job activation with long polling, completion, failure,
BPMN errors, timeout and retry updates, and the searches a test needs to see end states
(process instances, incidents, variables). It serves the same Camunda 8 (Zeebe-flavour)
state as the Zeebe gRPC front: a process deployed over gRPC is visible here, as on a real
cluster.

Keys are rendered as strings, as Camunda 8.8 does, and accepted as strings or numbers.
Errors are RFC 9457 ``ProblemDetail`` documents (``application/problem+json``), translated
here and nowhere else: `NotFoundError` → 404, `InvalidArgumentError` → 400,
`InvalidStateError` → 409.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import BodyPartReader, web

from ._engine import DEFAULT_TENANT, EmbeddedEngine
from ._errors import DevEngineError, InvalidArgumentError, InvalidStateError, NotFoundError
from ._model import ActivatedJob, Incident, InstanceState, JobFilter, ProcessInstance
from ._zeebe_gateway import GATEWAY_VERSION, _refuse_what_zeebe_refuses

__all__ = ["create_camunda8_app"]

DEFAULT_LONG_POLL_SECONDS = 10.0  # requestTimeout 0: the gateway's default
DEFAULT_WITH_RESULT_SECONDS = 15.0
_MAX_DEPLOYMENT_BYTES = 16 * 1024 * 1024
_ENGINE_KEY: web.AppKey[EmbeddedEngine] = web.AppKey("camunda8_engine", EmbeddedEngine)
_STATES = {
    InstanceState.ACTIVE: "ACTIVE",
    InstanceState.INCIDENT: "ACTIVE",
    InstanceState.COMPLETED: "COMPLETED",
    InstanceState.CANCELED: "TERMINATED",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _Problem(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def _bad(detail: str) -> _Problem:
    return _Problem(400, "INVALID_ARGUMENT", detail)


def _json(data: Any, *, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data, separators=(",", ":"), default=str).encode(),
        status=status,
        content_type="application/json",
    )


def _problem_response(problem: _Problem, instance: str) -> web.Response:
    body = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
    }
    return web.Response(
        body=json.dumps(body).encode(),
        status=problem.status,
        content_type="application/problem+json",
    )


def _for_engine_error(error: DevEngineError) -> _Problem:
    if isinstance(error, NotFoundError):
        return _Problem(404, "NOT_FOUND", str(error))
    if isinstance(error, InvalidArgumentError):
        return _Problem(400, "INVALID_ARGUMENT", str(error))
    if isinstance(error, InvalidStateError):
        return _Problem(409, "INVALID_STATE", str(error))
    return _Problem(500, "INTERNAL", str(error))  # pragma: no cover - every error is above


@web.middleware
async def _problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except _Problem as problem:
        return _problem_response(problem, request.path)
    except DevEngineError as error:
        return _problem_response(_for_engine_error(error), request.path)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _problem_response(
            _Problem(exc.status, exc.reason, exc.text or exc.reason), request.path
        )


def _engine(request: web.Request) -> EmbeddedEngine:
    return request.app[_ENGINE_KEY]


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except (ValueError, RecursionError) as exc:
        raise _bad(f"Request body is not a JSON document: {exc}") from exc
    if not isinstance(body, dict):
        raise _bad("Expected the request body to be a JSON object")
    return body


def _key(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise _bad(f"{what} must be a key, not {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad(f"{what} must be a numeric key, not {value!r}") from None


_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _int(
    body: Mapping[str, Any],
    name: str,
    default: int | None = None,
    *,
    bounds: tuple[int, int] = _INT64,
) -> int:
    """An integer field, in the range of its OpenAPI format (int32 or int64), as Camunda
    checks it: out of range is a 400, never a value the engine then runs with."""
    value = body.get(name, default)
    if value is None:
        raise _bad(f"No {name} provided.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{name} must be an integer, not {value!r}")
    if not bounds[0] <= value <= bounds[1]:
        raise _bad(f"{name} {value} is out of range ({bounds[0]} to {bounds[1]})")
    return value


def _variables(body: Mapping[str, Any]) -> dict[str, Any]:
    value = body.get("variables")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad("variables must be a JSON object")
    return value


def _tenant(tenant_id: str | None) -> str:
    return tenant_id or DEFAULT_TENANT


def _time(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC).isoformat(timespec="milliseconds")


def _job_json(job: ActivatedJob) -> dict[str, Any]:
    return {
        "jobKey": str(job.key),
        "type": job.type,
        "processDefinitionId": job.definition.bpmn_process_id,
        "processDefinitionVersion": job.definition.version,
        "processDefinitionKey": str(job.definition.key),
        "processInstanceKey": str(job.process_instance_key),
        "elementId": job.element_id,
        "elementInstanceKey": str(job.element_instance_key),
        "customHeaders": dict(job.custom_headers),
        "worker": job.worker,
        "retries": job.retries if job.retries is not None else 0,
        "deadline": job.deadline,
        "variables": job.plain_variables(),
        "tenantId": _tenant(job.tenant_id),
        "kind": "BPMN_ELEMENT",
        "listenerEventType": "UNSPECIFIED",
    }


# ------------------------------------------------------------------ cluster


async def _topology(request: web.Request) -> web.Response:
    host = request.url.host or "127.0.0.1"
    port = request.url.port or 0
    return _json(
        {
            "brokers": [
                {
                    "nodeId": 0,
                    "host": host,
                    "port": port,
                    "partitions": [{"partitionId": 1, "role": "leader", "health": "healthy"}],
                    "version": GATEWAY_VERSION,
                }
            ],
            "clusterSize": 1,
            "partitionsCount": 1,
            "replicationFactor": 1,
            "gatewayVersion": GATEWAY_VERSION,
            "lastCompletedChangeId": "-1",
        }
    )


# -------------------------------------------------------------- deployments


async def _deploy(request: web.Request) -> web.Response:
    engine = _engine(request)
    if not request.content_type.startswith("multipart/"):
        raise _Problem(415, "UNSUPPORTED_MEDIA_TYPE", "Expected a multipart/form-data upload")
    resources: list[tuple[str, bytes]] = []
    tenant_id: str | None = None
    reader = await request.multipart()
    left = _MAX_DEPLOYMENT_BYTES
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = bytearray()
        while chunk := await part.read_chunk():
            data += chunk
            if len(data) > left:
                raise _Problem(413, "PAYLOAD_TOO_LARGE", "The deployment is too large")
        left -= len(data)
        if part.name == "tenantId" and part.filename is None:
            tenant_id = data.decode() or None
        elif part.name == "resources":
            resources.append((part.filename or "resource.bpmn", bytes(data)))
        else:
            raise _bad(f"Unexpected form field {part.name!r}: send 'resources' and 'tenantId'")
    if not resources:
        raise _bad("No resources given: add one or more 'resources' file parts")
    _refuse_what_zeebe_refuses(resources, max_bytes=engine.max_resource_bytes)
    deployment = engine.deploy(resources, tenant_id=tenant_id)
    return _json(
        {
            "deploymentKey": str(deployment.key),
            "tenantId": _tenant(deployment.tenant_id),
            "deployments": [
                {
                    "processDefinition": {
                        "processDefinitionId": d.bpmn_process_id,
                        "processDefinitionVersion": d.version,
                        "resourceName": d.resource_name,
                        "tenantId": _tenant(d.tenant_id),
                        "processDefinitionKey": str(d.key),
                    }
                }
                for d in deployment.processes
            ],
        }
    )


# ---------------------------------------------------------------- instances


async def _create_instance(request: web.Request) -> web.Response:
    engine = _engine(request)
    body = await _body(request)
    variables = _variables(body)
    if body.get("startInstructions"):
        raise _bad("Start instructions are not supported by the development engine")
    if body.get("processDefinitionKey") is not None:
        instance = engine.start_instance(
            definition_key=_key(body["processDefinitionKey"], "processDefinitionKey"),
            variables=variables,
            flavour="camunda8",
        )
    elif body.get("processDefinitionId"):
        version = body.get("processDefinitionVersion", -1)
        if isinstance(version, bool) or not isinstance(version, int):
            raise _bad(f"processDefinitionVersion must be an integer, not {version!r}")
        tenant = body.get("tenantId")
        instance = engine.start_instance(
            str(body["processDefinitionId"]),
            version=version if version > 0 else None,
            variables=variables,
            tenant_id=None if tenant in (None, DEFAULT_TENANT) else str(tenant),
            flavour="camunda8",
        )
    else:
        raise _bad("Expected either a processDefinitionId or a processDefinitionKey")
    definition = instance.definition
    answer: dict[str, Any] = {
        "processDefinitionId": definition.bpmn_process_id,
        "processDefinitionKey": str(definition.key),
        "processDefinitionVersion": definition.version,
        "processInstanceKey": str(instance.key),
        "tenantId": _tenant(definition.tenant_id),
        "variables": {},
    }
    if body.get("awaitCompletion"):
        timeout = body.get("requestTimeout") or 0
        seconds = timeout / 1000 if timeout > 0 else DEFAULT_WITH_RESULT_SECONDS
        try:
            ended = await engine.wait_for_end(instance.key, timeout=seconds)
        except TimeoutError:
            raise _Problem(
                504,
                "DEADLINE_EXCEEDED",
                f"Process instance {instance.key} did not complete within {seconds:g} s",
            ) from None
        if ended.state is not InstanceState.COMPLETED:
            raise _Problem(
                409,
                "ABORTED",
                f"Process instance {instance.key} ended with state {ended.state.value}",
            )
        result = ended.plain_variables()
        wanted = body.get("fetchVariables")
        if wanted:
            result = {k: v for k, v in result.items() if k in set(wanted)}
        answer["variables"] = result
    return _json(answer)


def _filter(body: Mapping[str, Any]) -> dict[str, Any]:
    raw = body.get("filter") or {}
    if not isinstance(raw, dict):
        raise _bad("filter must be a JSON object")
    plain: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            if set(value) != {"$eq"}:
                raise _bad(f"filter {name!r}: only plain values and $eq are supported")
            value = value["$eq"]
        plain[name] = value
    return plain


def _page(items: list[dict[str, Any]], body: Mapping[str, Any]) -> web.Response:
    page = body.get("page") or {}
    limit = page.get("limit", 100) if isinstance(page, dict) else 100
    start = page.get("from", 0) if isinstance(page, dict) else 0
    chosen = items[start : start + limit]
    return _json({"items": chosen, "page": {"totalItems": len(items)}})


def _instance_json(instance: ProcessInstance) -> dict[str, Any]:
    definition = instance.definition
    return {
        "processInstanceKey": str(instance.key),
        "processDefinitionId": definition.bpmn_process_id,
        "processDefinitionName": definition.name or definition.bpmn_process_id,
        "processDefinitionVersion": definition.version,
        "processDefinitionKey": str(definition.key),
        "startDate": _time(instance.started_at),
        "endDate": _time(instance.ended_at),
        "state": _STATES[instance.state],
        "hasIncident": instance.open_incidents > 0,
        "tenantId": _tenant(instance.tenant_id),
    }


def _matches(row: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(name not in row or str(row[name]) == str(value) for name, value in wanted.items())


async def _search_instances(request: web.Request) -> web.Response:
    body = await _body(request)
    wanted = _filter(body)
    rows = [
        _instance_json(instance)
        for instance in _engine(request).list_instances()
        if instance.definition.flavour != "camunda7"
    ]
    return _page([row for row in rows if _matches(row, wanted)], body)


def _incident_json(incident: Incident) -> dict[str, Any]:
    definition = incident.instance.definition
    return {
        "incidentKey": str(incident.key),
        "processDefinitionKey": str(definition.key),
        "processDefinitionId": definition.bpmn_process_id,
        "processInstanceKey": str(incident.process_instance_key),
        "errorType": incident.type.value,
        "errorMessage": incident.message,
        "elementId": incident.element_id,
        "elementInstanceKey": str(incident.element_instance_key),
        "creationTime": _time(incident.created_at),
        "state": "RESOLVED" if incident.resolved else "ACTIVE",
        "jobKey": None if incident.job_key is None else str(incident.job_key),
        "tenantId": _tenant(incident.instance.tenant_id),
    }


async def _search_incidents(request: web.Request) -> web.Response:
    body = await _body(request)
    wanted = _filter(body)
    rows = [_incident_json(incident) for incident in _engine(request).list_incidents()]
    return _page([row for row in rows if _matches(row, wanted)], body)


async def _search_variables(request: web.Request) -> web.Response:
    body = await _body(request)
    wanted = _filter(body)
    if "processInstanceKey" not in wanted:
        raise _bad("The development engine searches variables of one processInstanceKey")
    engine = _engine(request)
    instance = engine.get_instance(_key(wanted["processInstanceKey"], "processInstanceKey"))
    rows = [
        {
            "variableKey": f"{instance.key}-{name}",
            "name": name,
            "value": json.dumps(value.plain(), separators=(",", ":"), default=str),
            "isTruncated": False,
            "scopeKey": str(instance.key),
            "processInstanceKey": str(instance.key),
            "tenantId": _tenant(instance.tenant_id),
        }
        for name, value in engine.get_variables(instance.key).items()
    ]
    return _page([row for row in rows if _matches(row, wanted)], body)


# --------------------------------------------------------------------- jobs


async def _activate(request: web.Request) -> web.Response:
    engine = _engine(request)
    body = await _body(request)
    job_type = body.get("type")
    if not isinstance(job_type, str) or not job_type.strip():
        raise _bad("No type provided.")
    timeout = _int(body, "timeout")
    max_jobs = _int(body, "maxJobsToActivate", bounds=_INT32)
    request_timeout = _int(body, "requestTimeout", 0)
    fetch = body.get("fetchVariable")
    tenants = body.get("tenantIds")
    job_filter = JobFilter(
        type=job_type,
        lock_duration=timeout / 1000,
        variables=tuple(fetch) if fetch else None,
        tenant_ids=tuple(tenants) if tenants else None,
        flavour="camunda8",
    )
    if request_timeout > 0:
        wait = request_timeout / 1000
    elif request_timeout == 0:
        wait = DEFAULT_LONG_POLL_SECONDS
    else:
        wait = 0.0
    jobs = await engine.activate_jobs(
        [job_filter],
        worker=str(body.get("worker") or "default"),
        max_jobs=max_jobs,
        request_timeout=wait,
    )
    transport = request.transport
    if jobs and (transport is None or transport.is_closing()):
        # the client went away while it waited: hand the jobs back at once rather than
        # leave them to their lease timeout
        for job in jobs:
            engine.yield_job(job.key)
        jobs = []
    return _json({"jobs": [_job_json(job) for job in jobs]})


def _job_key(request: web.Request) -> int:
    return _key(request.match_info["job_key"], "jobKey")


async def _complete(request: web.Request) -> web.Response:
    body = await _body(request)
    _engine(request).complete_job(_job_key(request), variables=_variables(body))
    return web.Response(status=204)


async def _fail(request: web.Request) -> web.Response:
    body = await _body(request)
    retries = _int(body, "retries", 0, bounds=_INT32)
    backoff = _int(body, "retryBackOff", 0)
    message = body.get("errorMessage")
    _engine(request).fail_job(
        _job_key(request),
        retries=retries,
        error_message=str(message) if message else None,
        retry_backoff=max(backoff, 0) / 1000,
        variables=_variables(body),
    )
    return web.Response(status=204)


async def _throw(request: web.Request) -> web.Response:
    body = await _body(request)
    code = body.get("errorCode")
    if not isinstance(code, str) or not code:
        raise _bad("No errorCode provided.")
    message = body.get("errorMessage")
    _engine(request).throw_error(
        _job_key(request),
        error_code=code,
        error_message=str(message) if message else None,
        variables=_variables(body),
    )
    return web.Response(status=204)


async def _update(request: web.Request) -> web.Response:
    body = await _body(request)
    changeset = body.get("changeset")
    if not isinstance(changeset, dict) or not changeset:
        raise _bad("No changeset provided: give retries and/or timeout")
    engine = _engine(request)
    key = _job_key(request)
    if changeset.get("retries") is not None:
        retries = _int(changeset, "retries", bounds=_INT32)
        if retries < 1:
            raise _bad(f"Expected retries to be greater than 0, but it was {retries}")
        engine.update_retries(key, retries)
    if changeset.get("timeout") is not None:
        engine.update_timeout(key, _int(changeset, "timeout") / 1000)
    return web.Response(status=204)


def create_camunda8_app(engine: EmbeddedEngine) -> web.Application:
    """The ``/v2`` application serving ``engine``.

    Args:
        engine: The engine whose Camunda 8 side to serve.

    Returns:
        An aiohttp application; `DevEngine` serves it on loopback.
    """
    app = web.Application(middlewares=[_problems], client_max_size=_MAX_DEPLOYMENT_BYTES)
    app[_ENGINE_KEY] = engine
    app.router.add_get("/v2/topology", _topology)
    app.router.add_post("/v2/deployments", _deploy)
    app.router.add_post("/v2/process-instances", _create_instance)
    app.router.add_post("/v2/process-instances/search", _search_instances)
    app.router.add_post("/v2/incidents/search", _search_incidents)
    app.router.add_post("/v2/variables/search", _search_variables)
    app.router.add_post("/v2/jobs/activation", _activate)
    app.router.add_post("/v2/jobs/{job_key}/completion", _complete)
    app.router.add_post("/v2/jobs/{job_key}/failure", _fail)
    app.router.add_post("/v2/jobs/{job_key}/error", _throw)
    app.router.add_patch("/v2/jobs/{job_key}", _update)
    return app
