"""The Camunda 8 REST adapter: jobs over the Orchestration Cluster REST API (``/v2``).

``Camunda8RestAdapter`` activates jobs with long polling (``POST /v2/jobs/activation``),
hands them to the core as :class:`~bpmn_bridge.core.Job`, and completes
(``/completion``), fails (``/failure``), throws BPMN errors (``/error``) and extends leases
(``PATCH /v2/jobs/{key}`` with a ``timeout`` changeset). It is the same engine as
:class:`~bpmn_bridge.adapters.ZeebeAdapter` reached over HTTP instead of gRPC: variables
are converted by the same rules, and failure messages carry their details the same way.

Camunda answers errors as RFC 9457 ``ProblemDetail`` documents (``type``, ``title``,
``status``, ``detail``); they are translated at this boundary, in
:mod:`._camunda8_rest_errors`::

    404 (job gone: completed, cancelled, timed out and taken)  -> JobNotFoundError
    409 (job in a state that refuses the command)              -> EngineRejectedError
    400, 401 (after one token refresh), 403, 413               -> EngineRejectedError
    429, 500, 502, 503 (incl. RESOURCE_EXHAUSTED back pressure),
    504, an answer that is not Camunda's, no answer at all      -> EngineUnavailableError

``EngineUnavailableError`` makes the runtime back off and retry; with back pressure that
is what Camunda asks clients to do.

Example::

    config = Camunda8RestConfig.from_env()
    async with Camunda8RestAdapter(config) as engine:
        jobs = await engine.fetch(FetchRequest("send-mail", "w1", 10, timedelta(minutes=1)))
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import anyio

from bpmn_bridge.adapters._base import FetchRequest
from bpmn_bridge.adapters._camunda7_errors import translate_transport_errors
from bpmn_bridge.adapters._camunda8_rest_config import Camunda8RestConfig
from bpmn_bridge.adapters._camunda8_rest_errors import error_for_problem
from bpmn_bridge.adapters._zeebe_jobs import _encode, dumps_variables, error_message, milliseconds
from bpmn_bridge.core import EngineRejectedError, EngineUnavailableError, Job, JobInfo

__all__ = ["Camunda8RestAdapter", "Camunda8RestConfig"]

_JSON_HEADERS = {"Content-Type": "application/json"}
_TOKEN_MARGIN = 30.0  # seconds before expiry a token is renewed
_MAX_RETRIES = 2**31 - 1  # the API's int32
_MAX_MS = 2**63 - 1  # the API's int64 milliseconds


class Camunda8RestAdapter:
    """An :class:`~bpmn_bridge.adapters.EngineAdapter` for Camunda 8 over its REST API.

    One pooled ``aiohttp.ClientSession`` serves every call, opened by ``async with`` and
    closed on exit: the same client library as the Camunda 7 adapter, chosen there for its
    CPU per request. OAuth tokens are fetched with client credentials, kept until shortly
    before they expire, and fetched again once when the API answers 401.

    Args:
        config: Where the API is and how to authenticate.
    """

    def __init__(self, config: Camunda8RestConfig) -> None:
        self.config = config
        self.name = config.name
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = anyio.Lock()
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=config.connect_timeout.total_seconds(),
            sock_read=config.request_timeout.total_seconds(),
        )

    def __repr__(self) -> str:
        return f"Camunda8RestAdapter(name={self.name!r}, url={self.config.base_url!r})"

    async def __aenter__(self) -> Camunda8RestAdapter:
        if self._session is not None:
            raise RuntimeError(f"{self!r} is already open")
        headers = {"Accept": "application/json"}
        if self.config.username is not None and self.config.password is not None:
            pair = f"{self.config.username}:{self.config.password}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(pair).decode('ascii')}"
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.config.max_connections),
            headers=headers,
            timeout=self._timeout,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError(f"{self!r} is not open; use 'async with' first")
        return self._session

    async def _bearer(self, *, renew: bool = False) -> dict[str, str]:
        if not self.config.uses_oauth:
            return {}
        async with self._token_lock:
            if renew or self._token is None or time.monotonic() >= self._token_expires:
                self._token, lifetime = await self._fetch_token()
                self._token_expires = time.monotonic() + max(lifetime - _TOKEN_MARGIN, 1.0)
            return {"Authorization": f"Bearer {self._token}"}

    async def _fetch_token(self) -> tuple[str, float]:
        url = self.config.token_url
        assert url is not None and self.config.client_id is not None  # checked by the config
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret or "",
        }
        if self.config.token_audience:
            form["audience"] = self.config.token_audience
        if self.config.scope:
            form["scope"] = self.config.scope
        with translate_transport_errors(engine=self.name, action="fetch OAuth token", url=url):
            async with self._open_session().post(url, data=form) as response:
                status = response.status
                content = await response.read()
        if status >= 500:
            raise EngineUnavailableError(
                f"{self.name}: the token endpoint {url} answered HTTP {status}",
                engine=self.name,
                action="fetch OAuth token",
                status=status,
            )
        try:
            body = json.loads(content) if status == 200 else {}
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in") or 300)
        except (ValueError, KeyError, TypeError):
            raise EngineRejectedError(
                f"{self.name}: the token endpoint {url} refused the client credentials "
                f"(HTTP {status}): {content[:200].decode(errors='replace')}",
                engine=self.name,
                action="fetch OAuth token",
                status=status,
            ) from None
        return token, lifetime

    async def _request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        *,
        action: str,
        job_id: str | None = None,
        read_timeout: float | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> bytes:
        session = self._open_session()
        data = None if body is None else _dumps(body, variables, action)
        timeout = (
            None
            if read_timeout is None
            else aiohttp.ClientTimeout(
                sock_connect=self.config.connect_timeout.total_seconds(), sock_read=read_timeout
            )
        )
        for attempt in (1, 2):
            headers = {
                **(_JSON_HEADERS if data is not None else {}),
                **await self._bearer(renew=attempt == 2),
            }
            with translate_transport_errors(
                engine=self.name, action=action, url=self.config.base_url, job_id=job_id
            ):
                async with session.request(
                    method,
                    self.config.base_url + path,
                    data=data,
                    headers=headers,
                    timeout=timeout or self._timeout,
                ) as response:
                    status = response.status
                    content = await response.read()
            if status == 401 and attempt == 1 and self.config.uses_oauth:
                continue  # the token may have been revoked or expired early: renew once
            break
        if status >= 300:
            raise error_for_problem(status, content, engine=self.name, action=action, job_id=job_id)
        return content

    async def check(self) -> None:
        """Ask the cluster for its topology (``GET /v2/topology``).

        Raises:
            EngineUnavailableError: The API cannot be reached.
            EngineRejectedError: The API refused the credentials.
        """
        await self._request("GET", "/topology", None, action="check")

    async def fetch(self, request: FetchRequest) -> list[Job]:
        """Activate up to ``request.max_jobs`` jobs, long polling for ``request.long_poll``.

        Args:
            request: The job type, worker, capacity, lease, long poll, variables, tenants.
                Tenants default to the config's ``tenant_ids``.

        Returns:
            The activated jobs; empty when the long poll ended with none.

        Raises:
            EngineUnavailableError: The API cannot be reached or pushes back.
            EngineRejectedError: The API refused the request (e.g. a blank type).
        """
        if request.max_jobs < 1:
            return []
        long_poll_ms = milliseconds(request.long_poll)
        body: dict[str, Any] = {
            "type": request.type,
            "worker": request.worker,
            "timeout": milliseconds(request.lease),
            "maxJobsToActivate": request.max_jobs,
            # 0 would mean "the gateway's default"; a negative value disables long polling
            "requestTimeout": long_poll_ms if long_poll_ms > 0 else -1,
        }
        if request.variables is not None:
            body["fetchVariable"] = list(request.variables)
        tenants = request.tenant_ids if request.tenant_ids is not None else self.config.tenant_ids
        if tenants:
            body["tenantIds"] = list(tenants)
        content = await self._request(
            "POST",
            "/jobs/activation",
            body,
            action="activate jobs",
            read_timeout=long_poll_ms / 1000 + self.config.request_timeout.total_seconds(),
        )
        try:
            jobs = json.loads(content)["jobs"]
            return [self._job(job) for job in jobs]
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineUnavailableError(
                f"{self.name}: activate jobs answered what is not a job list: {exc}",
                engine=self.name,
                action="activate jobs",
            ) from exc

    def _job(self, job: Mapping[str, Any]) -> Job:
        deadline = job.get("deadline")
        retries = job.get("retries")
        tenant = job.get("tenantId")
        info = JobInfo(
            engine=self.name,
            id=str(job["jobKey"]),
            type=str(job.get("type") or ""),
            process_instance_id=str(job.get("processInstanceKey") or ""),
            bpmn_process_id=str(job.get("processDefinitionId") or ""),
            process_definition_id=str(job.get("processDefinitionKey") or ""),
            process_definition_version=int(job.get("processDefinitionVersion") or 0),
            element_id=str(job.get("elementId") or ""),
            element_instance_id=str(job.get("elementInstanceKey") or ""),
            tenant_id=str(tenant) if tenant else None,
            retries=int(retries) if retries is not None else None,
            deadline=datetime.fromtimestamp(int(deadline) / 1000, tz=UTC) if deadline else None,
            worker=str(job.get("worker") or ""),
        )
        variables = job.get("variables")
        headers = job.get("customHeaders") or {}
        return Job(
            info=info,
            variables=variables if isinstance(variables, dict) else {},
            headers={
                str(k): v if isinstance(v, str) else json.dumps(v) for k, v in headers.items()
            },
        )

    async def complete(
        self,
        job: JobInfo,
        variables: Mapping[str, Any],
        *,
        local_variables: Mapping[str, Any] | None = None,
    ) -> None:
        """Complete the job, setting ``variables`` on the process.

        Args:
            job: The job, as fetched.
            variables: Variables to set; merged into the process by the output mappings.
            local_variables: Camunda 8 completes with one set of variables: these join
                ``variables`` (and win on a clash), as in the gRPC adapter.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The API refused, or a variable cannot be sent as JSON.
            EngineUnavailableError: The API cannot be reached.
        """
        if local_variables:
            variables = {**variables, **local_variables}
        await self._request(
            "POST",
            f"/jobs/{job.id}/completion",
            {"variables": variables},
            action="complete",
            job_id=job.id,
            variables=variables,
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
        """Fail the job; with ``retries`` 0 Camunda raises an incident.

        Args:
            job: The job, as fetched.
            message: What went wrong, in one line.
            details: More detail; sent after the message, the whole cut to 6000 characters.
            retries: Retries the job has left after this failure.
            backoff: How long Camunda waits before offering the job again.
            variables: Variables set on the task's local scope.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The API refused the request.
            EngineUnavailableError: The API cannot be reached.
        """
        if retries > _MAX_RETRIES or milliseconds(backoff) > _MAX_MS:
            # the API's fields are int32 and int64; refused here as over gRPC, so the
            # runtime raises an incident instead of the job retrying without end
            raise EngineRejectedError(
                f"{self.name}: fail job {job.id}: retries {retries} or backoff {backoff} "
                "do not fit Camunda's fields",
                engine=self.name,
                action="fail",
                job_id=job.id,
            )
        body = {
            "retries": max(0, retries),
            "errorMessage": error_message(message, details),
            "retryBackOff": milliseconds(backoff),
            "variables": variables,
        }
        await self._request(
            "POST",
            f"/jobs/{job.id}/failure",
            body,
            action="fail",
            job_id=job.id,
            variables=variables,
        )

    async def throw_bpmn_error(
        self, job: JobInfo, *, code: str, message: str, variables: Mapping[str, Any]
    ) -> None:
        """Throw a BPMN error from the job's element; a matching error event catches it.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The API refused the request.
            EngineUnavailableError: The API cannot be reached.
        """
        body = {
            "errorCode": code,
            "errorMessage": error_message(message, ""),
            "variables": variables,
        }
        await self._request(
            "POST",
            f"/jobs/{job.id}/error",
            body,
            action="throw BPMN error",
            job_id=job.id,
            variables=variables,
        )

    async def extend_lease(self, job: JobInfo, duration: timedelta) -> None:
        """Keep the job leased for ``duration`` from now (``PATCH /v2/jobs/{key}``).

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The API refused the request.
            EngineUnavailableError: The API cannot be reached.
        """
        await self._request(
            "PATCH",
            f"/jobs/{job.id}",
            {"changeset": {"timeout": milliseconds(duration)}},
            action="extend lease",
            job_id=job.id,
        )

    async def return_job(self, job: JobInfo) -> None:
        """Hand the job back so another worker can take it at once, spending no retry.

        As over gRPC, this fails the job with the retries it was activated with and no
        backoff.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: ``job`` carries no retries, or the API refused.
            EngineUnavailableError: The API cannot be reached.
        """
        if job.retries is None or job.retries < 1:
            raise EngineRejectedError(
                f"Cannot return job {job.id}: it carries no retries ({job.retries}); "
                "only a job fetched from Camunda 8 can be returned"
            )
        body = {
            "retries": job.retries,
            "errorMessage": f"returned by worker {job.worker or self.name} on shutdown",
            "retryBackOff": 0,
        }
        await self._request(
            "POST", f"/jobs/{job.id}/failure", body, action="return job", job_id=job.id
        )


def _dumps(body: Mapping[str, Any], variables: Mapping[str, Any] | None, action: str) -> bytes:
    try:
        return json.dumps(body, default=_encode, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        if variables:
            dumps_variables(variables, action)  # raises naming the variable
        raise EngineRejectedError(f"{action}: the request cannot be sent as JSON: {exc}") from exc
