"""FEEL expressions: Camunda's FEEL expression language (feel-scala 1.19 semantics).

Compile once, evaluate per job::

    >>> from bpmn_bridge.feel import compile_expression
    >>> expr = compile_expression('={id: response.body.id, ok: response.status = 200}')
    >>> expr.evaluate({"response": {"status": 200, "body": {"id": 7}}})
    {'id': 7, 'ok': True}
    >>> compile_expression("0.1 + 0.2").evaluate({})
    Decimal('0.3')
    >>> compile_expression("{total: 0.1 + 0.2}").evaluate_json({})
    {'total': 0.3}
    >>> sorted(expr.variable_names)
    ['response']

The language, its null semantics, how numbers enter and leave, and the few known
differences from Camunda's engine are described in ``docs/feel.md``. Errors form one
tree, documented in :mod:`bpmn_bridge.feel._errors`::

    ValueError
    └── FeelError
        ├── FeelSyntaxError       (compile time: bad syntax, naming column and construct)
        └── FeelEvaluationError   (where Camunda fails an evaluation; most errors yield null)
"""

from ._errors import FeelError, FeelEvaluationError, FeelSyntaxError
from ._expression import Expression, compile_expression, evaluate
from ._results import BpmnErrorResult, JobErrorResult
from ._values import FeelFunction, FeelRange, YearMonthDuration, ZonedTime, to_json

__all__ = [
    "BpmnErrorResult",
    "Expression",
    "FeelError",
    "FeelEvaluationError",
    "FeelFunction",
    "FeelRange",
    "FeelSyntaxError",
    "JobErrorResult",
    "YearMonthDuration",
    "ZonedTime",
    "compile_expression",
    "evaluate",
    "to_json",
]
