"""Dates typed into plan records: the plausible range and the check."""

from __future__ import annotations

from datetime import date

from resilience.errors import InputError

# Dates outside these bounds are typing mistakes, and far-future ones would overflow date sums.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def check_date(day: date | None, field: str, *, today: date | None = None) -> None:
    """Return None if ``day`` is empty or plausible; raise InputError naming ``field`` otherwise.

    With ``today``, a date after it is refused: it records something that has happened.
    """
    if day is None:
        return
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(
            f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}", field=field
        )
    if today is not None and day > today:
        raise InputError("The date cannot be in the future", field=field)
