"""Exceptions raised by the FEEL subpackage.

The tree::

    ValueError
    └── FeelError                 any FEEL problem
        ├── FeelSyntaxError       bad syntax (naming the column and the construct);
        │                         raised by compile_expression, never during evaluation
        └── FeelEvaluationError   an evaluation Camunda's engine fails too (assert,
                                  modulo by zero, ...), or an unusable bpmnError/jobError;
                                  most FEEL errors are not fatal: they yield null
"""

from __future__ import annotations

__all__ = ["FeelError", "FeelEvaluationError", "FeelSyntaxError"]


class FeelError(ValueError):
    """Base class of every error raised by :mod:`bpmn_bridge.feel`."""


class FeelSyntaxError(FeelError):
    """The expression cannot be compiled.

    Attributes:
        source: The expression text as given (including any leading ``=``).
        column: 1-based column in ``source`` where the problem starts.
        reason: The message without the location suffix.
    """

    def __init__(self, reason: str, *, source: str, column: int) -> None:
        self.source = source
        self.column = column
        self.reason = reason
        super().__init__(f"{reason} (column {column} of {source!r})")


class FeelEvaluationError(FeelError):
    """Evaluation failed in a way FEEL's null semantics cannot absorb.

    Raised where Camunda's FEEL engine fails the evaluation rather than yielding null
    (``assert(x, false)``, ``modulo(5, 0)``, ``?`` outside a unary test), and when
    ``bpmnError`` is called without an error code: there is no sensible null result for
    "throw a BPMN error" and silently continuing would hide the modelling mistake.
    """
