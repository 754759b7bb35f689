"""Schedules: the one parser of schedule expressions, and the missed-run cadence built on it."""

from ml.schedule.expression import (
    ALLOWED_HELP,
    CronField,
    CronFields,
    Schedule,
    parse_five_field_cron,
    parse_schedule,
)

__all__ = [
    "ALLOWED_HELP",
    "CronField",
    "CronFields",
    "Schedule",
    "parse_five_field_cron",
    "parse_schedule",
]
