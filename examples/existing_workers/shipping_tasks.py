"""A pyzeebe app, as it was before bpmn-bridge: pyzeebe's own worker serves it on Zeebe
(``python -m examples.existing_workers.shipping_tasks``). bpmn-bridge serves the same router
on Camunda 7 too:

    bpmn-bridge run --engine zeebe --engine camunda7 \\
        --connector examples.existing_workers.shipping_tasks:router
"""

import asyncio
import logging
import os

from pyzeebe import Job, ZeebeTaskRouter, ZeebeWorker, create_insecure_channel

log = logging.getLogger(__name__)


def log_job(job: Job) -> Job:
    log.info("shipping job %s of %s", job.key, job.bpmn_process_id)
    return job


router = ZeebeTaskRouter(before=[log_job])


@router.task(task_type="ship-invoice", single_value=True, variable_name="trackingNumber")
async def ship(invoiceId: str, express: bool = False) -> str:
    return f"{'EX' if express else 'ST'}-{invoiceId}"


async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    channel = create_insecure_channel(os.environ.get("ZEEBE_ADDRESS", "localhost:26500"))
    worker = ZeebeWorker(channel)
    worker.include_router(router)
    await worker.work()


if __name__ == "__main__":
    asyncio.run(main())
