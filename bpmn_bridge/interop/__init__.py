"""Bridges between bpmn-bridge and the worker libraries teams already use.

Existing workers served by the runtime on either engine, unchanged:

- :func:`from_pyzeebe`: the tasks of a pyzeebe ``ZeebeTaskRouter`` / ``ZeebeWorker``
  (``Runtime`` and ``bpmn-bridge run --connector`` take the app itself too).
- :func:`from_external_task_handler`: a handler written for
  camunda-external-task-client-python3 (``bpmn-bridge run --external-task TOPIC=...``).

Connectors inside the worker apps teams already run, with the whole job pipeline:

- :func:`as_pyzeebe_router`: ``worker.include_router(as_pyzeebe_router(connector))``.
- :func:`as_external_task_handler`:
  ``ExternalTaskWorker(...).subscribe(topic, as_external_task_handler(connector))``.

The external-task bridges need camunda-external-task-client-python3, an optional extra:
``pip install 'bpmn-bridge[camunda7-client]'``; without it their names raise a
:class:`~bpmn_bridge.core.ConfigurationError` that says so.

What cannot cross is refused when the bridge is built, with a
:class:`~bpmn_bridge.core.ConfigurationError` naming the task and the reason.
See docs/migrating-workers.md for the mapping tables.
"""

import typing

from bpmn_bridge.interop._pyzeebe_apps import from_pyzeebe, is_pyzeebe_app, pyzeebe_job
from bpmn_bridge.interop._pyzeebe_router import as_pyzeebe_router

__all__ = [
    "ExternalTaskHandler",
    "as_external_task_handler",
    "as_pyzeebe_router",
    "external_task",
    "from_external_task_handler",
    "from_pyzeebe",
    "is_pyzeebe_app",
    "pyzeebe_job",
]

_EXTERNAL_TASK_NAMES = frozenset(
    {
        "ExternalTaskHandler",
        "as_external_task_handler",
        "external_task",
        "from_external_task_handler",
    }
)

try:
    from bpmn_bridge.interop._external_task_handlers import (
        ExternalTaskHandler,
        external_task,
        from_external_task_handler,
    )
    from bpmn_bridge.interop._external_task_worker import as_external_task_handler
except ModuleNotFoundError as _missing:
    if _missing.name is None or _missing.name.partition(".")[0] != "camunda":
        raise

    def __getattr__(name: str) -> typing.Any:
        if name in _EXTERNAL_TASK_NAMES:
            from bpmn_bridge.core import ConfigurationError

            raise ConfigurationError(
                f"bpmn_bridge.interop.{name} bridges handlers written for "
                "camunda-external-task-client-python3, which is not installed; install the "
                "extra: pip install 'bpmn-bridge[camunda7-client]'"
            )
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
