"""Element templates for Camunda Modeler, generated from a connector's spec and input model.

One connector, two templates: :func:`camunda8_template` for the Camunda 8 (Zeebe) Modeler
and :func:`camunda7_template` for the Camunda 7 Modeler; :func:`write_templates` writes
them to disk; :func:`apply_template` builds a one-task diagram from a template the way the
Modeler applies it, for tests that run a template on an engine. docs/templates.md describes
how each pydantic feature becomes a property.
"""

from bpmn_bridge.templates._apply import apply_template
from bpmn_bridge.templates._camunda7 import CAMUNDA7_SCHEMA, camunda7_template
from bpmn_bridge.templates._camunda8 import CAMUNDA8_SCHEMA, camunda8_template
from bpmn_bridge.templates._common import template_id
from bpmn_bridge.templates._write import Engine, dump_template, write_templates

__all__ = [
    "CAMUNDA7_SCHEMA",
    "CAMUNDA8_SCHEMA",
    "Engine",
    "apply_template",
    "camunda7_template",
    "camunda8_template",
    "dump_template",
    "template_id",
    "write_templates",
]
