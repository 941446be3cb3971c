"""A duration too long for ``timedelta`` is an invalid value, not a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_bridge.core import InvalidHeaderError, parse_duration, parse_standard_headers


def test_overlong_duration_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="longer than any duration"):
        parse_duration("P99999999999D")
    assert parse_duration("P999999D") == timedelta(days=999999)


def test_overlong_header_duration_names_the_header() -> None:
    with pytest.raises(InvalidHeaderError, match="jobTimeout"):
        parse_standard_headers({"jobTimeout": "P99999999999D"})
