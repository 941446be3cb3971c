"""``bpmn_bridge.feel`` against Camunda's FEEL engine, case by case.

A case is an expression and its JSON-like variables. Both engines evaluate it; the verdict is

- ``agree``: both produced a value, of the same FEEL type and equal (numbers compare as
  decimals: ``2.50`` equals ``2.5``, ``0.30000000000000004`` does not equal ``0.3``);
- ``both-error``: both refused it (a syntax error, or a failure such as ``assert``);
- ``differ``: anything else, including a Python exception other than ``FeelError`` escaping
  our evaluator (never acceptable).

Our values are described in the peer's typed form (see ``camunda_feel``), so one comparison
covers both sides. Run as a program to see the counts per area, or to rewrite the list of
cases that are known to differ::

    python -m tests.feel.differential                          # counts, one JSON line last
    python -m tests.feel.differential --write-known-differences
    python -m tests.feel.differential --compare 'x + 1' '{"x": 0.5}'   # one ad-hoc case
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from bpmn_bridge.feel import FeelError, evaluate

from .camunda_feel import CamundaFeel, CamundaResult, run_peer, variables_key

Case = tuple[str, dict[str, Any]]
Verdict = Literal["agree", "both-error", "differ"]


def case_id(source: str, variables: Mapping[str, Any]) -> str:
    """A case's stable name: the source, plus the variables as canonical JSON when there are any."""
    return source if not variables else f"{source}  with {variables_key(dict(variables))}"


# -- our side, in the peer's typed form ------------------------------------------------------


def _time_text(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def _zone_text(tz: dt.tzinfo | None, offset: dt.timedelta | None) -> str:
    key = getattr(tz, "key", None)  # zoneinfo.ZoneInfo: a region such as Europe/Berlin
    if isinstance(key, str):
        return "@" + key
    if offset is None:
        return ""
    if not offset:
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def _duration_text(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    days, seconds, micros = value.days, value.seconds, value.microseconds
    hours, minutes, secs = seconds // 3600, seconds % 3600 // 60, seconds % 60
    text = sign + "P" + (f"{days}D" if days else "")
    if hours or minutes or secs or micros or not days:
        text += "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        if secs or micros or not (hours or minutes):
            text += str(secs) + ("." + f"{micros:06d}".rstrip("0") if micros else "") + "S"
    return text


def _months_text(months: int) -> str:
    sign, months = ("-" if months < 0 else ""), abs(months)
    years, rest = divmod(months, 12)
    return sign + "P" + (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")


def describe(value: Any) -> dict[str, Any]:
    """A value of ours in the peer's typed form.

    Args:
        value: what ``bpmn_bridge.feel`` returned.

    Returns:
        ``{"type": FEEL type name, ...}``; a Python type FEEL has no name for gets
        ``"python <class name>"``, which never equals anything Camunda answers.
    """
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, int | Decimal):
        return {"type": "number", "value": str(value)}
    if isinstance(value, float):
        return {"type": "number", "value": repr(value)}
    if isinstance(value, str):
        return {"type": "string", "value": value}
    if isinstance(value, list | tuple):
        return {"type": "list", "items": [describe(item) for item in value]}
    if isinstance(value, Mapping):
        return {"type": "context", "entries": {str(k): describe(v) for k, v in value.items()}}
    if isinstance(value, dt.datetime):
        zone = _zone_text(value.tzinfo, value.utcoffset())
        return {"type": "date and time", "value": f"{value.date()}T{_time_text(value)}{zone}"}
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, dt.time):
        zone = _zone_text(value.tzinfo, value.utcoffset())
        return {"type": "time", "value": _time_text(value) + zone}
    if isinstance(value, dt.timedelta):
        return {"type": "days and time duration", "value": _duration_text(value)}
    # The evaluator's own value classes, read by shape so this module needs no private import:
    # YearMonthDuration(months), ZonedTime(time, offset seconds, zone), FeelRange(start,
    # start_closed, end, end_closed), FeelFunction.
    name = type(value).__name__
    if name == "YearMonthDuration":
        return {"type": "years and months duration", "value": _months_text(value.months)}
    if name == "ZonedTime":
        offset = dt.timedelta(seconds=value.offset)
        zone = f"@{value.zone}" if value.zone else _zone_text(None, offset)
        return {"type": "time", "value": _time_text(value.time) + zone}
    if name == "FeelRange":
        return {
            "type": "range",
            "start": {"value": describe(value.start), "closed": value.start_closed},
            "end": {"value": describe(value.end), "closed": value.end_closed},
        }
    if name == "FeelFunction" or callable(value):
        return {"type": "function"}
    return {"type": f"python {type(value).__name__}", "value": repr(value)}


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def same(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    """Typed values equal in FEEL type and value (numbers as decimals, contexts unordered).

    Args:
        ours: a value from ``describe``.
        theirs: a value from the peer.

    Returns:
        Whether they are the same FEEL value.
    """
    kind = ours.get("type")
    if kind != theirs.get("type"):
        return False
    if kind == "number":
        a, b = _number(ours["value"]), _number(theirs["value"])
        return a is not None and a == b
    if kind == "list":
        return len(ours["items"]) == len(theirs["items"]) and all(
            same(a, b) for a, b in zip(ours["items"], theirs["items"], strict=True)
        )
    if kind == "context":
        mine, other = ours["entries"], theirs["entries"]
        return mine.keys() == other.keys() and all(same(mine[k], other[k]) for k in mine)
    if kind == "range":
        return all(
            ours[end]["closed"] == theirs[end]["closed"]
            and same(ours[end]["value"], theirs[end]["value"])
            for end in ("start", "end")
        )
    if kind == "function":
        return True
    return bool(ours.get("value") == theirs.get("value"))


# -- one comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ours:
    """What ``bpmn_bridge.feel`` made of a case: a typed value, or an error message.

    Attributes:
        value: the typed value, or None when it raised.
        error: ``"FeelSyntaxError: ..."`` etc., or None.
        crashed: a Python exception other than ``FeelError`` escaped.
    """

    value: dict[str, Any] | None
    error: str | None
    crashed: bool = False


def run_ours(source: str, variables: Mapping[str, Any]) -> Ours:
    """Evaluate a case with ``bpmn_bridge.feel``.

    Args:
        source: the expression.
        variables: JSON-like variables (copied, so a case's table stays intact).

    Returns:
        Its outcome.
    """
    try:
        result = evaluate(source, json.loads(json.dumps(dict(variables))))
    except FeelError as error:
        return Ours(value=None, error=f"{type(error).__name__}: {error}")
    except Exception as error:  # an escaping exception is itself the finding
        return Ours(value=None, error=f"{type(error).__name__}: {error}", crashed=True)
    return Ours(value=describe(result), error=None)


def _show(value: Mapping[str, Any] | None) -> str:
    # A lone surrogate (FEEL strings are UTF-16 and can be cut mid-pair) is shown escaped.
    text = json.dumps(value, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Comparison:
    """One case, both outcomes, and the verdict."""

    area: str
    source: str
    variables: dict[str, Any]
    ours: Ours
    camunda: CamundaResult

    @property
    def case_id(self) -> str:
        return case_id(self.source, self.variables)

    @property
    def verdict(self) -> Verdict:
        if self.ours.crashed:
            return "differ"
        if self.ours.error is not None and self.camunda.failed:
            return "both-error"
        if self.ours.value is not None and self.camunda.value is not None:
            return "agree" if same(self.ours.value, self.camunda.value) else "differ"
        return "differ"

    def explain(self) -> str:
        """A message that shows both sides."""
        mine = self.ours.error if self.ours.error is not None else _show(self.ours.value)
        theirs = (
            f"error: {self.camunda.error}"
            if self.camunda.error is not None
            else _show(self.camunda.value)
            + (
                f" (suppressed: {'; '.join(self.camunda.warnings)})"
                if self.camunda.warnings
                else ""
            )
        )
        crash = " (a Python exception escaped)" if self.ours.crashed else ""
        return f"[{self.area}] {self.case_id}\n  ours{crash}: {mine}\n  Camunda FEEL 1.19: {theirs}"


def compare(
    peer: CamundaFeel, cases: Iterable[tuple[str, str, dict[str, Any]]]
) -> list[Comparison]:
    """Evaluate ``(area, source, variables)`` cases on both engines (the peer in one batch).

    Args:
        peer: the running Camunda FEEL peer.
        cases: the cases.

    Returns:
        One comparison per case, in order.
    """
    listed = list(cases)
    answers = peer.evaluate_many((source, variables) for _, source, variables in listed)
    return [
        Comparison(area, source, variables, run_ours(source, variables), answer)
        for (area, source, variables), answer in zip(listed, answers, strict=True)
    ]


def tally(comparisons: Sequence[Comparison]) -> dict[str, int]:
    """Counts per verdict, with all three keys present."""
    counts = Counter(c.verdict for c in comparisons)
    return {verdict: counts.get(verdict, 0) for verdict in ("agree", "both-error", "differ")}


# -- as a program ------------------------------------------------------------------------------


def _known_differences_text(ids: Iterable[str]) -> str:
    lines = [
        '"""Cases where ``bpmn_bridge.feel`` does not agree with Camunda\'s FEEL engine yet.',
        "",
        "The differential test marks these ``xfail(strict=True)``: a listed case that starts to",
        "agree fails the run until it is taken off, so this list only shrinks. Rewritten by",
        "``python -m tests.feel.differential --write-known-differences``.",
        '"""',
        "",
        "KNOWN_DIFFERENCES: frozenset[str] = frozenset(",
        "    {",
        *(f"        {json.dumps(i, ensure_ascii=False)}," for i in sorted(set(ids))),
        "    }",
        ")",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    from .test_against_camunda import all_cases

    if argv[:1] == ["--compare"] and len(argv) in (2, 3):
        variables = json.loads(argv[2]) if len(argv) == 3 else {}
        with tempfile.TemporaryDirectory() as log_dir, run_peer(Path(log_dir)) as peer:
            [comparison] = compare(peer, [("ad hoc", argv[1], variables)])
        print(f"{comparison.verdict}: {comparison.explain()}")
        return 0 if comparison.verdict != "differ" else 1
    cases = all_cases()
    with tempfile.TemporaryDirectory() as log_dir, run_peer(Path(log_dir)) as peer:
        comparisons = compare(peer, cases)
    per_area: dict[str, dict[str, int]] = {}
    for area in dict.fromkeys(area for area, _, _ in cases):
        per_area[area] = tally([c for c in comparisons if c.area == area])
        print(f"{area:24} {per_area[area]}")
    if "--write-known-differences" in argv:
        from .known_differences import KNOWN_DIFFERENCES

        differing = {c.case_id for c in comparisons if c.verdict == "differ"}
        target = Path(__file__).with_name("known_differences.py")
        target.write_text(_known_differences_text(differing), encoding="utf-8")
        # The project's formatter decides the quotes, so the file passes `ruff format --check`.
        subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(target)], check=True)
        lines = target.read_text(encoding="utf-8").splitlines()
        target.write_text(
            "".join(
                f"{line}  # noqa: E501\n" if len(line) > 100 else f"{line}\n" for line in lines
            ),
            encoding="utf-8",
        )
        # Newly listed cases are regressions unless they are new cases: say which, loudly.
        for name in sorted(differing - KNOWN_DIFFERENCES):
            print(f"now listed:    {name}")
        print(
            f"taken off: {len(KNOWN_DIFFERENCES - differing)}, now listed: "
            f"{len(differing - KNOWN_DIFFERENCES)}, listed in all: {len(differing)}"
        )
    total = tally(comparisons)
    share = total["agree"] + total["both-error"]
    print(
        json.dumps(
            {
                "differential": "feel-vs-camunda-feel-1.19.3",
                "cases": len(comparisons),
                **total,
                "agreement_percent": math.floor(1000 * share / max(len(comparisons), 1)) / 10,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
