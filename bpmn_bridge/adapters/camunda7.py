"""The Camunda 7 adapter: external tasks over the engine's REST API.

``Camunda7Adapter`` fetches and locks external tasks (``POST /external-task/fetchAndLock``
with long polling), hands them to the core as :class:`~bpmn_bridge.core.Job`, and completes,
fails, throws BPMN errors, extends and releases locks. Topic, external task id, lock duration
and worker id stop here. Variables are converted as :mod:`._camunda7_variables` describes;
HTTP answers become core errors as :mod:`._camunda7_errors` describes.

Example::

    config = Camunda7Config.from_env()
    async with Camunda7Adapter(config) as engine:
        jobs = await engine.fetch(FetchRequest("send-mail", "w1", 10, timedelta(minutes=1)))
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bpmn_bridge.adapters._base import FetchRequest
from bpmn_bridge.adapters._camunda7_config import Camunda7Config
from bpmn_bridge.adapters._camunda7_errors import error_for_response, translate_transport_errors
from bpmn_bridge.adapters._camunda7_variables import decode_variables, encode_variables, parse_date
from bpmn_bridge.core import EngineRejectedError, Job, JobInfo

__all__ = ["Camunda7Adapter", "Camunda7Config"]

MAX_LONG_POLL = timedelta(minutes=30)
"""The engine refuses an ``asyncResponseTimeout`` above 1 800 000 ms (HTTP 400)."""

MAX_ERROR_MESSAGE = 666
"""The engine's ``ERROR_MSG_`` column. 7.24 cuts longer messages itself; cutting here keeps
older engines and the dev engine alike. The full text goes to ``errorDetails``."""

_JSON_HEADERS = {"Content-Type": "application/json"}


def _millis(duration: timedelta) -> int:
    return max(1, round(duration.total_seconds() * 1000))


def _auth_header(config: Camunda7Config) -> dict[str, str]:
    if config.username is not None and config.password is not None:
        pair = f"{config.username}:{config.password}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
    if config.token is not None:
        return {"Authorization": f"Bearer {config.token}"}
    return {}


def _env_proxy(url: str) -> str | None:
    """The proxy ``HTTP_PROXY`` / ``HTTPS_PROXY`` name for ``url``, unless ``NO_PROXY`` spares it.

    Read once per adapter: aiohttp's ``trust_env`` reads the environment on every request,
    which tripled the client's CPU per request.
    """
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.netloc):
        return None
    return proxy


class Camunda7Adapter:
    """An :class:`~bpmn_bridge.adapters.EngineAdapter` for one Camunda 7 engine.

    One pooled ``aiohttp.ClientSession`` serves every call, opened by ``async with`` and
    closed on exit. aiohttp rather than httpx: per request it costs a fraction of the CPU
    (httpx's pool rescans every connection for every request). camunda-external-task-client-
    python3's clients do not fit a runtime that polls for its free capacity: the async client
    hard-codes ``maxTasks: 1`` and opens a new HTTP client (a new connection) per call, and
    the sync client blocks the event loop.

    ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``NO_PROXY`` are honoured as they are when the adapter
    opens.

    Args:
        config: Where the engine is and how to talk to it.
    """

    def __init__(self, config: Camunda7Config) -> None:
        self.config = config
        self.name = config.name
        self._session: aiohttp.ClientSession | None = None
        self._proxy: str | None = None
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=config.connect_timeout.total_seconds(),
            sock_read=config.request_timeout.total_seconds(),
        )

    async def __aenter__(self) -> Camunda7Adapter:
        self._proxy = _env_proxy(self.config.base_url)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.config.max_connections),
            headers={"Accept": "application/json", **_auth_header(self.config)},
            timeout=self._timeout,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        *,
        action: str,
        job_id: str | None = None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> bytes:
        if self._session is None:
            raise RuntimeError("use Camunda7Adapter in 'async with' before calling it")
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        with translate_transport_errors(
            engine=self.name, action=action, url=self.config.base_url, job_id=job_id
        ):
            async with self._session.request(
                method,
                self.config.base_url + path,
                data=data,
                headers=None if data is None else _JSON_HEADERS,
                timeout=timeout or self._timeout,
                proxy=self._proxy,
            ) as response:
                status = response.status
                content = await response.read()
        if status >= 300:
            raise error_for_response(
                status, content, engine=self.name, action=action, job_id=job_id
            )
        return content

    async def _post(
        self,
        path: str,
        body: Mapping[str, Any] | None,
        *,
        action: str,
        job_id: str | None = None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> bytes:
        return await self._request(
            "POST", path, body, action=action, job_id=job_id, timeout=timeout
        )

    async def check(self) -> None:
        """Ask the engine for its version (``GET /version``).

        Raises:
            EngineUnavailableError: The engine cannot be reached or is not a Camunda 7 REST API.
            EngineRejectedError: The engine refused the credentials.
        """
        await self._request("GET", "/version", None, action="check")

    async def fetch(self, request: FetchRequest) -> list[Job]:
        """Fetch and lock up to ``request.max_jobs`` external tasks of one topic.

        The engine holds the request open up to ``request.long_poll`` (at most 30 minutes)
        while no task is ready; the read timeout is that plus ``request_timeout``.

        Args:
            request: Topic, worker, capacity, lease, long poll, variables and tenants.

        Returns:
            The locked tasks as jobs; empty when the long poll ended without one.

        Raises:
            EngineUnavailableError: The engine cannot be reached.
            EngineRejectedError: The engine refused the request.
        """
        if request.max_jobs < 1:
            return []
        long_poll = min(max(request.long_poll, timedelta(0)), MAX_LONG_POLL)
        worker = request.worker or self.config.worker_id
        topic: dict[str, Any] = {
            "topicName": request.type,
            "lockDuration": _millis(request.lease),
            "includeExtensionProperties": True,
        }
        if request.variables is not None:
            topic["variables"] = list(request.variables)
        tenants = request.tenant_ids if request.tenant_ids is not None else self.config.tenant_ids
        if tenants is not None:
            topic["tenantIdIn"] = list(tenants)
        body = {
            "workerId": worker,
            "maxTasks": request.max_jobs,
            "usePriority": self.config.use_priority,
            "asyncResponseTimeout": int(long_poll.total_seconds() * 1000),
            "topics": [topic],
        }
        timeout = aiohttp.ClientTimeout(
            sock_connect=self.config.connect_timeout.total_seconds(),
            sock_read=(long_poll + self.config.request_timeout).total_seconds(),
        )
        content = await self._post(
            "/external-task/fetchAndLock", body, action="fetch", timeout=timeout
        )
        return [self._job(task, worker) for task in json.loads(content)]

    def _job(self, task: Mapping[str, Any], worker: str) -> Job:
        expires = task.get("lockExpirationTime")
        retries = task.get("retries")
        info = JobInfo(
            engine=self.name,
            id=str(task["id"]),
            type=str(task.get("topicName") or ""),
            process_instance_id=str(task.get("processInstanceId") or ""),
            bpmn_process_id=str(task.get("processDefinitionKey") or ""),
            process_definition_id=str(task.get("processDefinitionId") or ""),
            element_id=str(task.get("activityId") or ""),
            element_instance_id=str(task.get("activityInstanceId") or ""),
            business_key=task.get("businessKey"),
            tenant_id=task.get("tenantId"),
            retries=int(retries) if retries is not None else None,
            deadline=parse_date(expires) if expires else None,
            worker=str(task.get("workerId") or worker),
        )
        headers = {
            str(key): str(value) for key, value in (task.get("extensionProperties") or {}).items()
        }
        return Job(info=info, variables=decode_variables(task.get("variables")), headers=headers)

    def _encode(self, variables: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        try:
            return encode_variables(
                variables,
                document_type=self.config.document_type,
                max_string_length=self.config.max_string_length,
            )
        except (TypeError, ValueError) as exc:
            # a refusal like the engine's own, so the runtime raises an incident for this
            # job instead of a codec error taking the worker down
            raise EngineRejectedError(f"Engine {self.name}: {exc}") from exc

    def _worker(self, job: JobInfo) -> str:
        return job.worker or self.config.worker_id

    async def complete(
        self,
        job: JobInfo,
        variables: Mapping[str, Any],
        *,
        local_variables: Mapping[str, Any] | None = None,
    ) -> None:
        """Complete the external task, setting ``variables`` on the process instance and
        ``local_variables`` on the task's scope (``localVariables``).

        Raises:
            JobNotFoundError: The task is gone or locked by another worker.
            EngineRejectedError: The engine refused (e.g. an output mapping failed), or a
                variable has no Camunda 7 form.
            EngineUnavailableError: The engine cannot be reached.
        """
        body = {"workerId": self._worker(job), "variables": self._encode(variables)}
        if local_variables:
            body["localVariables"] = self._encode(local_variables)
        await self._post(
            f"/external-task/{job.id}/complete", body, action="complete", job_id=job.id
        )

    async def fail(
        self,
        job: JobInfo,
        *,
        message: str,
        details: str,
        retries: int,
        backoff: timedelta,
        variables: Mapping[str, Any],
    ) -> None:
        """Report a failure; with ``retries`` 0 the engine raises an incident.

        Args:
            job: The job.
            message: A short message, cut to the engine's 666 characters.
            details: The full text (a traceback), kept whole by the engine.
            retries: Retries left.
            backoff: How long before the engine offers the task again.
            variables: Variables set on the process instance (Camunda 7.21+).

        Raises:
            JobNotFoundError: The task is gone or locked by another worker.
            EngineRejectedError: The engine refused the request.
            EngineUnavailableError: The engine cannot be reached.
        """
        body: dict[str, Any] = {
            "workerId": self._worker(job),
            "errorMessage": message[:MAX_ERROR_MESSAGE],
            "errorDetails": details or message,
            "retries": max(0, retries),
            "retryTimeout": max(0, round(backoff.total_seconds() * 1000)),
        }
        if variables:
            body["variables"] = self._encode(variables)
        await self._post(f"/external-task/{job.id}/failure", body, action="fail", job_id=job.id)

    async def throw_bpmn_error(
        self, job: JobInfo, *, code: str, message: str, variables: Mapping[str, Any]
    ) -> None:
        """Throw a BPMN error from the external task's activity.

        Without a matching error boundary or event subprocess Camunda 7 ends the path
        silently (no incident).

        Raises:
            JobNotFoundError: The task is gone or locked by another worker.
            EngineRejectedError: The engine refused the request.
            EngineUnavailableError: The engine cannot be reached.
        """
        body = {
            "workerId": self._worker(job),
            "errorCode": code,
            "errorMessage": message,
            "variables": self._encode(variables),
        }
        await self._post(
            f"/external-task/{job.id}/bpmnError", body, action="throw BPMN error", job_id=job.id
        )

    async def extend_lease(self, job: JobInfo, duration: timedelta) -> None:
        """Keep the task locked to this worker for ``duration`` from now.

        Raises:
            JobNotFoundError: The task is gone or locked by another worker.
            EngineRejectedError: The engine refused the request.
            EngineUnavailableError: The engine cannot be reached.
        """
        body = {"workerId": self._worker(job), "newDuration": _millis(duration)}
        await self._post(
            f"/external-task/{job.id}/extendLock", body, action="extend lease", job_id=job.id
        )

    async def return_job(self, job: JobInfo) -> None:
        """Unlock the task so any worker fetches it at once; spends no retry.

        Raises:
            JobNotFoundError: The task is gone.
            EngineUnavailableError: The engine cannot be reached.
        """
        await self._post(
            f"/external-task/{job.id}/unlock", None, action="return job", job_id=job.id
        )
