"""Exceptions raised by the FEEL subpackage.

The tree::

    ValueError
    └── FeelError                 any FEEL problem
        ├── FeelSyntaxError       bad syntax, or a construct outside the supported subset;
        │                         raised by compile_expression, never during evaluation
        └── FeelEvaluationError   a fatal problem while evaluating (most FEEL errors are
                                  not fatal: they yield null, as FEEL prescribes)
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

    Raised, for example, when ``bpmnError`` is called without an error code: there is no
    sensible null result for "throw a BPMN error" and silently continuing would hide the
    modelling mistake.
    """
