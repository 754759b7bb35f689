from __future__ import annotations

import re

import pytest

from ml.schedule import parse_five_field_cron, parse_schedule


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


def test_cron_fields_are_parsed_once_for_every_reader() -> None:
    cron = parse_schedule("cron(0/20 8-10,18 ? JAN,jul mon-FRI *)").cron
    assert cron is not None
    assert cron.minutes.values == {0, 20, 40}
    assert cron.hours.values == {8, 9, 10, 18}
    assert cron.day_of_month.unspecified
    assert cron.month.values == {1, 7}
    # AWS numbers weekdays from 1 (Sunday).
    assert cron.day_of_week.values == {2, 3, 4, 5, 6}
    assert cron.year is not None and cron.year.every
    assert parse_schedule("rate(5 minutes)").cron is None


def test_calendar_rules_are_marked_not_expanded() -> None:
    cron = parse_schedule("cron(0 9 ? * 2#1 *)").cron
    assert cron is not None
    assert cron.day_of_week.calendar_rule
    assert cron.day_of_week.values == frozenset()


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("cron(0/0 6 * * ? *)", "cron field minutes '0/0' is not valid"),
        ("cron(0 6 01 * ? *)", "cron field day-of-month '01' is not valid"),
        ("cron(0 6 * * ? 1969)", "cron field year '1969' is not valid"),
    ],
)
def test_steps_leading_zeros_and_years_follow_aws(expression: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_schedule(expression)


def test_the_five_field_form_counts_weekdays_from_zero() -> None:
    cron = parse_five_field_cron("0 */4 * * SUN,6")
    assert cron.hours.values == {0, 4, 8, 12, 16, 20}
    assert cron.day_of_week.values == {0, 6}
    assert cron.year is None
    assert parse_five_field_cron("30 6 1 * 7").day_of_week.values == {7}


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("0 6 * *", "cron needs 5 fields, got 4"),
        ("0 6 * * ? *", "cron needs 5 fields, got 6"),
        ("0 25 * * *", "cron field hours '25' is not valid"),
        ("0 6 ? * 1", "cron field day-of-month '?' is not valid"),
    ],
)
def test_the_five_field_form_says_why(expression: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_five_field_cron(expression)
