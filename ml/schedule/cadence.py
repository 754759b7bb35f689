"""How long a scheduled pipeline may go without starting before that is an incident.

The missed-run alarm watches `ExecutionStarted` over one window: the longest gap between two
scheduled runs (daylight-saving shifts included, in the schedule's time zone) plus a grace
period. CloudWatch looks back at most seven days, so schedules with longer gaps (weekly on
Mondays is exactly seven; monthly is more) and cron forms whose gaps depend on the calendar
(`L`, `W`, `#`, year lists) get no such alarm; `make plan` says so.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ml.schedule.expression import CronField, CronFields, Schedule

MAX_WINDOW_SECONDS = 7 * 24 * 3600
GRACE_SECONDS = 15 * 60
# CloudWatch keeps a new or updated alarm quiet for at most this long (warm-up, PutMetricAlarm).
MAX_WARM_UP_SECONDS = 2880 * 60
# A fixed reference year keeps the result deterministic; it spans both DST changes.
_REFERENCE_START = date(2027, 1, 1)
_REFERENCE_DAYS = 380
YEAR = timedelta(days=365)
YEAR_SECONDS = int(YEAR.total_seconds())


class IrregularSchedule(ValueError):
    """The gaps depend on calendar rules this module does not evaluate."""


def missed_run_window(schedule: Schedule, timezone: str) -> int | None:
    """Seconds the alarm looks back, or None when no window within CloudWatch's limit fits."""
    try:
        gap = schedule.rate_seconds or longest_cron_gap(_cron_of(schedule), timezone)
    except IrregularSchedule:
        return None
    unit = 3600 if gap >= 3600 else 60
    window = math.ceil((gap + GRACE_SECONDS) / unit) * unit
    return window if window <= MAX_WINDOW_SECONDS else None


def describe_window(seconds: int) -> str:
    """The one wording of a missed-run window, for the alarm's text and for `make plan`."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{math.ceil(seconds / 60)} minutes"


def runs_per_year(schedule: Schedule, timezone: str) -> int | None:
    """How many runs the schedule starts in a year, or None where calendar rules decide."""
    if schedule.rate_seconds:
        return YEAR_SECONDS // schedule.rate_seconds
    try:
        start = datetime.combine(_REFERENCE_START, datetime.min.time(), UTC)
        return sum(1 for f in _firings(_cron_of(schedule), timezone) if f < start + YEAR)
    except IrregularSchedule:
        return None


def longest_cron_gap(cron: CronFields, timezone: str) -> int:
    firings = _firings(cron, timezone)
    if len(firings) < 2:
        raise IrregularSchedule("fewer than two runs a year")
    return int(max((b - a).total_seconds() for a, b in itertools.pairwise(firings)))


def _firings(cron: CronFields, timezone: str) -> list[datetime]:
    """Every start over the reference span (just over a year), in UTC."""
    if cron.year is not None and not cron.year.every:
        raise IrregularSchedule("year lists make the schedule end")
    times = sorted((h, m) for h in cron.hours.values for m in cron.minutes.values)
    # AWS cron fills exactly one of the two day fields; the other is '?'.
    by_month_day = cron.day_of_week.unspecified
    days = _days(cron.day_of_month if by_month_day else cron.day_of_week)
    zone = ZoneInfo(timezone)
    firings: list[datetime] = []
    for offset in range(_REFERENCE_DAYS):
        day = _REFERENCE_START + timedelta(days=offset)
        # AWS numbers weekdays 1 (Sunday) to 7 (Saturday).
        weekday = (day.weekday() + 1) % 7 + 1
        if day.month in cron.month.values and (day.day if by_month_day else weekday) in days:
            firings.extend(
                datetime(day.year, day.month, day.day, h, m, tzinfo=zone).astimezone(UTC)
                for h, m in times
            )
    return firings


def _cron_of(schedule: Schedule) -> CronFields:
    if schedule.cron is None:
        raise ValueError(f"{schedule.expression!r} is neither a rate nor a cron schedule")
    return schedule.cron


def _days(field: CronField) -> frozenset[int]:
    if field.calendar_rule:
        raise IrregularSchedule(f"{field.text!r} depends on the calendar")
    return field.values
