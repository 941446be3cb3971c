"""FEEL expressions: the subset of Camunda's FEEL that connector mappings use.

Compile once, evaluate per job::

    >>> from bpmn_bridge.feel import compile_expression
    >>> expr = compile_expression('={id: response.body.id, ok: response.status = 200}')
    >>> expr.evaluate({"response": {"status": 200, "body": {"id": 7}}})
    {'id': 7, 'ok': True}
    >>> sorted(expr.variable_names)
    ['response']

The supported subset, its null semantics and what is rejected are described in
``docs/feel.md``. Errors form one tree, documented in :mod:`bpmn_bridge.feel._errors`::

    ValueError
    └── FeelError
        ├── FeelSyntaxError       (compile time: bad or unsupported syntax)
        └── FeelEvaluationError   (fatal evaluation problem; most errors yield null)
"""

from ._errors import FeelError, FeelEvaluationError, FeelSyntaxError
from ._expression import Expression, compile_expression, evaluate
from ._results import BpmnErrorResult, JobErrorResult

__all__ = [
    "BpmnErrorResult",
    "Expression",
    "FeelError",
    "FeelEvaluationError",
    "FeelSyntaxError",
    "JobErrorResult",
    "compile_expression",
    "evaluate",
]
