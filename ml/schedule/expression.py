"""Schedule expressions, parsed once into their fields.

Two forms: EventBridge Scheduler's `rate(...)` and six-field `cron(...)` (the pipeline's
schedule), and the five-field cron of Pulumi Deployments' drift runs (the bootstrap). Whoever
needs to know when a schedule fires reads the fields parsed here, never the text again.
"""

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

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_ATOM = re.compile(r"^(?P<first>\w+)(?:-(?P<last>\w+))?(?:/(?P<step>\d+))?$")
_EVERY = re.compile(r"^\*(?:/(?P<step>\d+))?$")


@dataclass(frozen=True)
class _Grammar:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    # Whole-field forms whose days depend on the calendar (or '?': "no value").
    specials: re.Pattern[str] | None = None


@dataclass(frozen=True)
class CronField:
    text: str
    # The numbers the field selects: weekdays count from Sunday (1 in AWS cron, 0 in the
    # five-field form); empty for '?' and for calendar rules.
    values: frozenset[int]
    # Every value of the field's range, however written (`*`, `*/1`, `0-59`).
    every: bool = False
    unspecified: bool = False  # '?'
    calendar_rule: bool = False  # L, W or #: which days depends on the month


@dataclass(frozen=True)
class CronFields:
    minutes: CronField
    hours: CronField
    day_of_month: CronField
    month: CronField
    day_of_week: CronField
    # None in the five-field form, which repeats every year.
    year: CronField | None = None


@dataclass(frozen=True)
class Schedule:
    expression: str
    # Seconds between runs for rate(); None for cron, whose periods are irregular.
    rate_seconds: int | None
    cron: CronFields | None = None


_DAY_NAME = "|".join(DAYS)
_AWS_FIELDS = (
    _Grammar("minutes", 0, 59),
    _Grammar("hours", 0, 23),
    _Grammar("day-of-month", 1, 31, specials=re.compile(r"^(?:\?|L|(?:[1-9]|[12]\d|3[01])W)$")),
    _Grammar("month", 1, 12, MONTHS),
    _Grammar(
        "day-of-week", 1, 7, DAYS, re.compile(rf"^(?:\?|L|(?:[1-7]|{_DAY_NAME})(?:L|#[1-5]))$")
    ),
    _Grammar("year", 1970, 2199),
)
# The five-field form numbers weekdays 0-7 (0 and 7 are Sunday) and has no special forms.
_FIVE_FIELDS = (
    *_AWS_FIELDS[:2],
    _Grammar("day-of-month", 1, 31),
    _AWS_FIELDS[3],
    _Grammar("day-of-week", 0, 7, DAYS),
)


def parse_schedule(expression: str) -> Schedule:
    """Parse an EventBridge Scheduler expression or raise ValueError naming what is wrong."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate["value"]), rate["unit"]
        if (value == 1) != (not unit.endswith("s")):
            expected = unit.rstrip("s") if value == 1 else unit.rstrip("s") + "s"
            raise ValueError(f"the unit must be '{expected}' for a value of {value}")
        return Schedule(expression, value * _UNIT_SECONDS[unit.rstrip("s")])
    cron = _CRON.match(expression)
    if cron:
        fields = cron["fields"].split()
        if len(fields) != len(_AWS_FIELDS):
            raise ValueError(f"cron needs 6 fields, got {len(fields)}")
        parsed = CronFields(*(_field(g, text) for g, text in zip(_AWS_FIELDS, fields, strict=True)))
        if parsed.day_of_month.unspecified == parsed.day_of_week.unspecified:
            raise ValueError("exactly one of day-of-month and day-of-week must be '?'")
        return Schedule(expression, None, parsed)
    if expression.startswith("at("):
        raise ValueError("one-time at() schedules are not supported for a recurring pipeline")
    raise ValueError("is neither a rate() nor a cron() expression")


def parse_five_field_cron(expression: str) -> CronFields:
    """Parse `minutes hours day-of-month month day-of-week` or raise ValueError."""
    fields = expression.split()
    if len(fields) != len(_FIVE_FIELDS):
        raise ValueError(f"cron needs 5 fields, got {len(fields)}")
    return CronFields(*(_field(g, text) for g, text in zip(_FIVE_FIELDS, fields, strict=True)))


def _field(grammar: _Grammar, text: str) -> CronField:
    upper = text.upper()
    if grammar.specials and grammar.specials.match(upper):
        return CronField(text, frozenset(), unspecified=upper == "?", calendar_rule=upper != "?")
    values: set[int] = set()
    for item in upper.split(","):
        selected = _item(grammar, item)
        if selected is None:
            raise ValueError(f"cron field {grammar.name} {text!r} is not valid")
        values.update(selected)
    every = values == set(range(grammar.low, grammar.high + 1))
    return CronField(text, frozenset(values), every=every)


def _item(grammar: _Grammar, item: str) -> range | None:
    """`*`, a value, or a range, each with an optional /step; None when not valid."""
    every = _EVERY.match(item)
    if every:
        step = int(every["step"] or 1)
        return range(grammar.low, grammar.high + 1, step) if step else None
    atom = _ATOM.match(item)
    if not atom:
        return None
    step = int(atom["step"] or 1)
    first = _number(grammar, atom["first"])
    last = _number(grammar, atom["last"]) if atom["last"] else first
    if not step or first is None or last is None:
        return None
    if atom["step"] and not atom["last"]:
        # A start with a step and no end ("5/15") runs to the end of the field's range.
        last = grammar.high
    return range(first, last + 1, step)


def _number(grammar: _Grammar, text: str) -> int | None:
    if text in grammar.names:
        # Names count from the field's first value: JAN is 1, SUN is 1 in AWS cron, 0 in the
        # five-field form.
        return grammar.names.index(text) + grammar.low
    # As AWS writes them: minutes and hours may have a leading zero, the other fields not.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(grammar.high)):
        return None
    if text.startswith("0") and len(text) > 1 and grammar.low > 0:
        return None
    value = int(text)
    return value if grammar.low <= value <= grammar.high else None
