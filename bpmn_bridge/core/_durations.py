"""ISO-8601 durations (``PT5S``, ``P1DT2H``), as Camunda headers and FEEL use them."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["format_duration", "parse_duration"]

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?!$)"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO-8601 day-time duration.

    Args:
        text: For example ``PT10S``, ``PT1M30S``, ``P2D``, ``PT0.5S``.

    Returns:
        The duration.

    Raises:
        ValueError: ``text`` is not a day-time ISO-8601 duration (years and months have no
            fixed length, so they are refused).
    """
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not an ISO-8601 duration such as 'PT10S', 'PT5M' or 'P1DT2H'"
        )
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    try:
        delta = timedelta(
            days=parts.get("days", 0.0),
            hours=parts.get("hours", 0.0),
            minutes=parts.get("minutes", 0.0),
            seconds=parts.get("seconds", 0.0),
        )
    except OverflowError:
        # Callers handle ValueError (a header value becomes an incident); an overflow
        # escaping from here took a whole worker down.
        raise ValueError(f"{text!r} is longer than any duration can be") from None
    return -delta if match.group("sign") else delta


def format_duration(delta: timedelta) -> str:
    """Format a duration as ISO-8601 (``PT1.5S``, ``P1DT2H``).

    Args:
        delta: A non-negative duration.

    Returns:
        The ISO-8601 text.
    """
    total_ms = round(delta.total_seconds() * 1000)
    days, rest_ms = divmod(total_ms, 86_400_000)
    hours, rest_ms = divmod(rest_ms, 3_600_000)
    minutes, rest_ms = divmod(rest_ms, 60_000)
    seconds = rest_ms / 1000
    out = "P" + (f"{days}D" if days else "")
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if seconds or not (days or hours or minutes):
        time += f"{seconds:g}S"
    return out + ("T" + time if time else "")
