from __future__ import annotations

import re

import botocore.session
import pytest

from ml.schedule import CronFields, parse_schedule
from ml.schedule.cadence import (
    GRACE_SECONDS,
    MAX_WARM_UP_SECONDS,
    MAX_WINDOW_SECONDS,
    longest_cron_gap,
    missed_run_window,
)

HOUR = 3600
DAY = 24 * HOUR


@pytest.mark.parametrize(
    ("expression", "timezone", "window"),
    [
        # rate(): the period plus the grace, rounded up to whole minutes or hours.
        ("rate(5 minutes)", "UTC", 20 * 60),
        ("rate(1 hour)", "UTC", 2 * HOUR),
        ("rate(1 day)", "UTC", 25 * HOUR),
        # Daily at 02:00 London time: the autumn change makes one gap 25 hours.
        ("cron(0 2 * * ? *)", "Europe/London", 26 * HOUR),
        ("cron(0 2 * * ? *)", "UTC", 25 * HOUR),
        # Weekdays only: Friday 06:00 to Monday 06:00.
        ("cron(0 6 ? * MON-FRI *)", "UTC", 73 * HOUR),
        # Twice a day, unevenly: 18 hours from 08:00 to 02:00 the next day.
        ("cron(0 2,8 * * ? *)", "UTC", 19 * HOUR),
    ],
)
def test_window_covers_the_longest_gap_plus_grace(
    expression: str, timezone: str, window: int
) -> None:
    assert missed_run_window(parse_schedule(expression), timezone) == window


@pytest.mark.parametrize(
    "expression",
    [
        "rate(7 days)",  # seven days plus grace is past CloudWatch's look-back
        "cron(0 6 ? * MON *)",
        "cron(0 6 1 * ? *)",  # monthly
        "cron(0 6 L * ? *)",  # last day of the month: calendar rule
        "cron(0 6 ? * 2#1 *)",  # first Monday
        "cron(0 6 * * ? 2031)",  # a year list ends the schedule
    ],
)
def test_no_window_where_cloudwatch_cannot_look_back_far_enough(expression: str) -> None:
    assert missed_run_window(parse_schedule(expression), "UTC") is None


def cron(expression: str) -> CronFields:
    fields = parse_schedule(expression).cron
    assert fields is not None
    return fields


def test_month_names_and_steps_are_understood() -> None:
    # Every 15 minutes in January and July only: the longest gap is July 31 to January 1.
    assert longest_cron_gap(cron("cron(0/15 * * JAN,JUL ? *)"), "UTC") > 150 * DAY
    assert longest_cron_gap(cron("cron(*/30 9-17 ? * MON-FRI *)"), "UTC") == (
        (24 - 17 + 9) * HOUR - 30 * 60 + 2 * DAY
    )


def test_the_limits_are_cloudwatchs_own() -> None:
    """PutMetricAlarm as botocore describes it: the warm-up's range, and the longest period."""
    alarm = botocore.session.get_session().get_service_model("cloudwatch")
    request = alarm.operation_model("PutMetricAlarm").input_shape.members
    warm_up = request["WarmUpConfiguration"].members["WarmUpPeriodDurationInMinutes"]
    assert warm_up.metadata["max"] * 60 == MAX_WARM_UP_SECONDS
    period = re.sub(r"<[^>]+>", "", request["Period"].documentation)
    longest = re.search(r"can't be more than ([\d,]+) seconds", period)
    assert longest is not None
    assert int(longest[1].replace(",", "")) == MAX_WINDOW_SECONDS


def test_the_grace_keeps_a_daily_run_within_one_period_of_a_day() -> None:
    # A daily run that starts a little late is not a missed run; a day plus grace still fits.
    assert missed_run_window(parse_schedule("rate(1 day)"), "UTC") == DAY + HOUR
    assert GRACE_SECONDS < HOUR
