"""EventBridge Scheduler expressions: `rate(...)` and `cron(...)`, checked before AWS sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_RATE = re.compile(r"^rate\((?P<value>[1-9]\d*) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}

RATE_HELP = "rate(<n> minute|minutes|hour|hours|day|days), e.g. rate(1 day)"
CRON_HELP = (
    "cron(minutes hours day-of-month month day-of-week year) with '?' in one of the two "
    "day fields, e.g. cron(0 6 * * ? *)"
)
ALLOWED_HELP = f"{RATE_HELP}, or {CRON_HELP}"

_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"


def _field(atom: str, *specials: str) -> re.Pattern[str]:
    """A cron field: '*', a comma list of atoms, ranges and increments, or one special form."""
    item = rf"(?:{atom})(?:-(?:{atom}))?(?:/\d+)?|\*(?:/\d+)?"
    alternatives = [rf"(?:{item})(?:,(?:{item}))*", *specials]
    return re.compile("^(?:" + "|".join(alternatives) + ")$")


_NUM_0_59 = r"[0-5]?\d"
_NUM_0_23 = r"[01]?\d|2[0-3]"
_CRON_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("minutes", _field(_NUM_0_59)),
    ("hours", _field(_NUM_0_23)),
    ("day-of-month", _field(r"[1-9]|[12]\d|3[01]", r"\?", "L", r"(?:[1-9]|[12]\d|3[01])W")),
    ("month", _field(rf"1[0-2]|[1-9]|{_MONTHS}")),
    ("day-of-week", _field(rf"[1-7]|{_DAYS}", r"\?", "L", rf"(?:[1-7]|{_DAYS})(?:L|#[1-5])")),
    ("year", _field(r"19[7-9]\d|2[01]\d\d")),
)


@dataclass(frozen=True)
class Schedule:
    expression: str
    # Seconds between runs for rate(); None for cron, whose periods are irregular.
    rate_seconds: int | None


def parse_schedule(expression: str) -> Schedule:
    """Parse an expression or raise ValueError naming what is wrong."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate["value"]), rate["unit"]
        if (value == 1) != (not unit.endswith("s")):
            expected = unit.rstrip("s") if value == 1 else unit.rstrip("s") + "s"
            raise ValueError(f"the unit must be '{expected}' for a value of {value}")
        return Schedule(expression, value * _UNIT_SECONDS[unit.rstrip("s")])
    cron = _CRON.match(expression)
    if cron:
        _check_cron_fields(cron["fields"].split())
        return Schedule(expression, None)
    if expression.startswith("at("):
        raise ValueError("one-time at() schedules are not supported for a recurring pipeline")
    raise ValueError("is neither a rate() nor a cron() expression")


def _check_cron_fields(fields: list[str]) -> None:
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(f"cron needs 6 fields, got {len(fields)}")
    for (name, pattern), value in zip(_CRON_FIELDS, fields, strict=True):
        if not pattern.match(value.upper()):
            raise ValueError(f"cron field {name} {value!r} is not valid")
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError("exactly one of day-of-month and day-of-week must be '?'")
