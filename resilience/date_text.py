"""How dates and times are written for people, in every page, e-mail, feed and document.

Dates as GOV.UK writes them ("8 November 2023"); times of day on the 24-hour clock ("14:05"),
as the emergency services write them, always in UK local time. Templates use the one filter
``when`` (``{{ plan.adopted_on | when }}``, ``{{ session.starts_at | when("date_time") }}``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from resilience.clock import local_time

Style = Literal["date", "weekday", "date_time", "time", "month", "short", "timestamp"]
STYLES: tuple[Style, ...] = ("date", "weekday", "date_time", "time", "month", "short", "timestamp")


def long_date(day: date) -> str:
    """Return a date as GOV.UK writes it: 8 November 2023."""
    return f"{day.day} {day:%B %Y}"


def when(value: date | datetime | None, style: Style = "date") -> str:
    """Return ``value`` written in ``style`` (datetimes in UK local time); "" for None.

    date: 8 November 2023 · weekday: Wednesday 8 November 2023 · date_time: 8 November 2023,
    14:05 · time: 14:05 · month: November 2023 · short: 8 Nov 2023 · timestamp:
    2023-11-08 14:05:09 (sortable, for logs and the audit trail).
    """
    if value is None:
        return ""
    if style not in STYLES:
        raise ValueError(f"unknown date style {style!r}")
    moment = local_time(value) if isinstance(value, datetime) else None
    day: date = moment.date() if moment is not None else value
    if style == "date":
        return long_date(day)
    if style == "weekday":
        return f"{day:%A} {long_date(day)}"
    if style == "month":
        return f"{day:%B %Y}"
    if style == "short":
        return f"{day.day} {day:%b %Y}"
    if moment is None:
        raise ValueError(f"a date has no time of day for style {style!r}")
    if style == "time":
        return f"{moment:%H:%M}"
    if style == "date_time":
        return f"{long_date(day)}, {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M:%S}"
