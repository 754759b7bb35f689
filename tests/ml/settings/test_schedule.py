from __future__ import annotations

import re

import pytest

from ml.settings.schedule import parse_schedule


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(2 days)", 172_800),
        ("cron(0 6 * * ? *)", None),
        ("cron(0/15 8-18 ? * MON-FRI *)", None),
        ("cron(30 2 L * ? 2027)", None),
        ("cron(0 9 ? * 2#1 *)", None),
        ("cron(0 9 15W JAN,JUL ? *)", None),
    ],
)
def test_valid_expressions_parse(expression: str, seconds: int | None) -> None:
    assert parse_schedule(expression).rate_seconds == seconds


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("rate(0 days)", "neither a rate() nor a cron()"),
        ("rate(2 day)", "the unit must be 'days' for a value of 2"),
        ("rate(1 week)", "neither a rate() nor a cron()"),
        ("cron(0 6 * * *)", "cron needs 6 fields, got 5"),
        ("cron(60 6 * * ? *)", "cron field minutes '60' is not valid"),
        ("cron(0 6 ? * FUNDAY *)", "cron field day-of-week 'FUNDAY' is not valid"),
        ("cron(0 6 ? ? ? *)", "cron field month '?' is not valid"),
        ("cron(0 6 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("at(2027-01-01T00:00:00)", "one-time at() schedules are not supported"),
    ],
)
def test_invalid_expressions_say_why(expression: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_schedule(expression)
