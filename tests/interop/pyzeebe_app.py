"""A pyzeebe app written the way pyzeebe's documentation shows: a router with decorators
and an exception handler, sync and async tasks, every task option. Nothing here knows
bpmn-bridge exists. (No ``from __future__ import annotations``: pyzeebe finds the ``job``
parameter by comparing its annotation with ``Job`` itself.)"""

import dataclasses
import logging
from typing import Any

from pyzeebe import Job, JobController, ZeebeTaskRouter
from pyzeebe.errors import BusinessError

log = logging.getLogger(__name__)


def mark_before(job: Job) -> Job:
    return dataclasses.replace(job, variables={**job.variables, "decorated": True})


async def mark_after(job: Job) -> Job:
    if isinstance(job.task_result, dict):
        job.task_result["after"] = True
    return job


async def report_as_business_error(
    exception: Exception, job: Job, controller: JobController
) -> None:
    log.warning("task %s failed: %s", job.type, exception)
    await controller.set_error_status(f"handled: {exception}", error_code="CUSTOM")


router = ZeebeTaskRouter(before=[mark_before], after=[mark_after])


@router.task(task_type="pyzeebe-app-greet", timeout_ms=20_000, max_running_jobs=4)
async def greet(name: str, greeting: str = "Hello", decorated: bool = False) -> dict[str, Any]:
    return {"message": f"{greeting}, {name}", "decorated": decorated}


@router.task(task_type="pyzeebe-app-add", single_value=True, variable_name="total")
def add(a: int, b: int) -> int:
    return a + b


@router.task(task_type="pyzeebe-app-inspect", variables_to_fetch=["orderId"])
async def inspect_job(orderId: str, job: Job) -> dict[str, Any]:
    return {
        "seenOrder": orderId,
        "seenVariables": sorted(job.variables),
        "typeMatches": job.type == "pyzeebe-app-inspect",
        "element": job.element_id,
        "retriesLeft": job.retries,
        "region": job.custom_headers.get("region"),
        "hasKey": bool(job.key),
        "hasInstance": bool(job.process_instance_key),
        "process": job.bpmn_process_id.startswith("p_"),
    }


@router.task(task_type="pyzeebe-app-check")
def check(amount: int) -> dict[str, Any]:
    if amount < 0:
        raise BusinessError("NEGATIVE")
    return {"accepted": True}


@router.task(task_type="pyzeebe-app-explode")
async def explode() -> dict[str, Any]:
    raise RuntimeError("boom")


@router.task(task_type="pyzeebe-app-custom", exception_handler=report_as_business_error)
def custom(code: str) -> dict[str, Any]:
    raise ValueError(f"cannot handle {code}")
