"""A Camunda 7 worker module written for camunda-external-task-client-python3, as it was
before bpmn-bridge: ``python -m examples.existing_workers.invoice_handlers`` runs it with the
library's own worker on Camunda 7. bpmn-bridge serves the same handlers on Zeebe too:

    bpmn-bridge run --engine zeebe --engine camunda7 \\
        --external-task validate-invoice=examples.existing_workers.invoice_handlers:validate_invoice
"""

import logging
import os

from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker

APPROVAL_LIMIT = 1000


def validate_invoice(task: ExternalTask) -> TaskResult:
    """Approves invoices up to the limit the task's ``approvalLimit`` property sets."""
    amount = task.get_variable("amount")
    if amount is None:
        return task.failure("No amount", "the invoice has no amount variable", 0, 1000)
    limit = int(task.get_extension_property("approvalLimit") or APPROVAL_LIMIT)
    if amount > limit:
        return task.bpmn_error(
            "INVOICE_REJECTED",
            f"{amount} is over the approval limit",
            {"rejectedBecause": f"over {limit}"},
        )
    return task.complete({"approved": True, "approvedFor": task.get_business_key()})


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    url = os.environ.get("CAMUNDA7_URL", "http://localhost:8080/engine-rest")
    worker = ExternalTaskWorker(worker_id="invoices", base_url=url, config={"maxTasks": 1})
    worker.subscribe("validate-invoice", validate_invoice)


if __name__ == "__main__":
    main()
