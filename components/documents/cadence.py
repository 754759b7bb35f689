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

from ml.settings.schedule import Schedule

MAX_WINDOW_SECONDS = 7 * 24 * 3600
GRACE_SECONDS = 15 * 60
# A fixed reference year keeps the result deterministic; it spans both DST changes.
_REFERENCE_START = date(2027, 1, 1)
_REFERENCE_DAYS = 380
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


class IrregularSchedule(ValueError):
    """The gaps depend on calendar rules this module does not evaluate."""


def missed_run_window(schedule: Schedule, timezone: str) -> int | None:
    """Seconds the alarm looks back, or None when no window within CloudWatch's limit fits."""
    try:
        gap = schedule.rate_seconds or longest_cron_gap(schedule.expression, timezone)
    except IrregularSchedule:
        return None
    unit = 3600 if gap >= 3600 else 60
    window = math.ceil((gap + GRACE_SECONDS) / unit) * unit
    return window if window <= MAX_WINDOW_SECONDS else None


# CloudWatch keeps a new or updated alarm quiet for at most this long (warm-up, PutMetricAlarm).
MAX_WARM_UP_SECONDS = 2880 * 60


def describe_window(seconds: int) -> str:
    """The one wording of a missed-run window, for the alarm's text and for `make plan`."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{math.ceil(seconds / 60)} minutes"


def longest_cron_gap(expression: str, timezone: str) -> int:
    minutes, hours, day_of_month, month, day_of_week, year = expression[5:-1].split()
    if year != "*":
        raise IrregularSchedule("year lists make the schedule end")
    times = sorted(
        (hour, minute) for hour in _values(hours, 0, 23) for minute in _values(minutes, 0, 59)
    )
    months = _values(month, 1, 12, _MONTHS)
    by_month_day = day_of_week == "?"
    days = _values(day_of_month, 1, 31) if by_month_day else _values(day_of_week, 1, 7, _DAYS)
    zone = ZoneInfo(timezone)
    span = _REFERENCE_DAYS
    firings: list[datetime] = []
    for offset in range(span):
        day = _REFERENCE_START + timedelta(days=offset)
        # AWS numbers weekdays 1 (Sunday) to 7 (Saturday).
        weekday = (day.weekday() + 1) % 7 + 1
        if day.month in months and (day.day if by_month_day else weekday) in days:
            firings.extend(
                datetime(day.year, day.month, day.day, h, m, tzinfo=zone).astimezone(UTC)
                for h, m in times
            )
    if len(firings) < 2:
        raise IrregularSchedule("fewer than two runs a year")
    return int(max((b - a).total_seconds() for a, b in itertools.pairwise(firings)))


def _values(field: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    values: set[int] = set()
    for item in field.upper().split(","):
        if any(special in item for special in ("L", "W", "#")) and not _is_name(item, names):
            raise IrregularSchedule(f"{item!r} depends on the calendar")
        values.update(_item_values(item, low, high, names))
    return values


def _item_values(item: str, low: int, high: int, names: list[str] | None) -> range:
    spec, _, step_text = item.partition("/")
    step = int(step_text) if step_text else 1
    if spec == "*":
        return range(low, high + 1, step)
    first, _, last = spec.partition("-")
    start = _number(first, low, names)
    end = _number(last, low, names) if last else (high if step_text else start)
    return range(start, end + 1, step)


def _number(text: str, low: int, names: list[str] | None) -> int:
    if names and text in names:
        return names.index(text) + low
    return int(text)


def _is_name(item: str, names: list[str] | None) -> bool:
    parts = item.replace("-", ",").replace("/", ",").split(",")
    return bool(names) and all(p in (names or []) or p.isdigit() for p in parts)
