"""Compiled expressions and the cached compile entry point."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, final

from ._compile import Evaluator, compile_node, free_names, needs_conversion
from ._errors import FeelEvaluationError, FeelSyntaxError
from ._parser import parse
from ._values import to_json

__all__ = ["Expression", "compile_expression", "evaluate"]


@final
class Expression:
    """A compiled FEEL expression; immutable, thread-safe and cheap to evaluate repeatedly.

    Attributes:
        source: The expression text exactly as given to :func:`compile_expression`.
        variable_names: Top-level variable names the expression may read. Fetching only
            these variables from the engine is enough to evaluate it.
    """

    __slots__ = ("_convert", "_evaluator", "source", "variable_names")

    source: str
    variable_names: frozenset[str]
    _evaluator: Evaluator
    _convert: bool

    def __init__(
        self,
        source: str,
        evaluator: Evaluator,
        variable_names: frozenset[str],
        *,
        convert: bool = True,
    ) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "variable_names", variable_names)
        object.__setattr__(self, "_evaluator", evaluator)
        object.__setattr__(self, "_convert", convert)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def evaluate_json(self, variables: Mapping[str, Any]) -> Any:
        """Evaluate and return the result as JSON-ready data (see :func:`to_json`).

        What the workers and the embedded engine store as process variables.

        Args:
            variables: Variable name to JSON-like value; see :meth:`evaluate`.

        Returns:
            The result with numbers as ``int`` (integral) or ``float``, temporal values as
            their FEEL text, ranges and functions as ``None``; ``BpmnErrorResult`` and
            ``JobErrorResult`` unchanged.

        Raises:
            FeelEvaluationError: As :meth:`evaluate`.
        """
        result = self.evaluate(variables)
        if self._convert:
            return to_json(result)
        return result

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """Evaluate against ``variables``; returns the FEEL value.

        Args:
            variables: Variable name to JSON-like value (``dict``, ``list``, ``str``,
                ``int``, ``float``, ``bool``, ``None``; ``Decimal`` and ``datetime``
                values are read as FEEL numbers and temporal values). A ``float`` is read
                as the decimal its shortest ``repr`` spells. Missing variables read as null.

        Returns:
            The FEEL value: numbers as ``int`` (integral results of integer arithmetic) or
            ``Decimal``; ``str``, ``bool``, ``None``, ``list``, ``dict``; temporal values
            as ``datetime.date``/``time``/``datetime``/``timedelta``, :class:`ZonedTime`
            or :class:`YearMonthDuration`; :class:`FeelRange`, :class:`FeelFunction`; or a
            :class:`BpmnErrorResult` / :class:`JobErrorResult` where the expression calls
            ``bpmnError``/``jobError``. Type errors inside the expression yield ``None``
            (FEEL null), as in Camunda. Use :meth:`evaluate_json` for JSON-ready data.

        Raises:
            FeelEvaluationError: Where Camunda's engine fails the evaluation (e.g.
                ``assert`` with a false condition, ``modulo(1, 0)``), for ``bpmnError``
                without an error code, or if ``variables`` is not a mapping.
        """
        if type(variables) is not dict and not isinstance(variables, Mapping):
            raise FeelEvaluationError(
                f"variables must be a mapping, got {type(variables).__name__}"
            )
        try:
            return self._evaluator(variables)
        except FeelEvaluationError as exc:
            exc.add_note(f"while evaluating FEEL expression {self.source!r}")
            raise
        except RecursionError as exc:
            raise FeelEvaluationError(
                f"cannot evaluate FEEL expression {self.source!r}: nested too deeply"
            ) from exc
        except Exception as exc:
            raise FeelEvaluationError(
                f"cannot evaluate FEEL expression {self.source!r}: {exc!r}"
            ) from exc


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> Expression:
    """Compile FEEL source, with or without Camunda's leading ``=``, into an Expression.

    Results are cached by ``source``, so compiling the same text per job is cheap.

    Args:
        source: FEEL text in the supported subset, e.g. ``"=response.body.id"``.

    Returns:
        The compiled :class:`Expression`.

    Raises:
        FeelSyntaxError: If ``source`` is not valid FEEL, or uses a construct outside the
            supported subset (the message names the construct and its column).
    """
    try:
        node = parse(source)
        return Expression(
            source, compile_node(node), free_names(node), convert=needs_conversion(node)
        )
    except RecursionError:
        # Thousands of nested brackets; no mapping needs that, and the parser recurses.
        raise FeelSyntaxError("expression is nested too deeply", source=source, column=1) from None


def evaluate(source: str, variables: Mapping[str, Any]) -> Any:
    """Compile (cached) and evaluate ``source`` against ``variables`` in one call.

    Args:
        source: FEEL text, with or without a leading ``=``.
        variables: Variable name to JSON-like value.

    Returns:
        The result of :meth:`Expression.evaluate`.

    Raises:
        FeelSyntaxError: If ``source`` does not compile.
        FeelEvaluationError: For fatal evaluation problems.
    """
    return compile_expression(source).evaluate(variables)
