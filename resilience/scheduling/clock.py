"""Where the scheduler gets the time from: the system, or a clock a test moves by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# Reminder days are UK calendar days: a reminder for 1 March goes out from midnight in London,
# not from midnight UTC (an hour late all summer).
LOCAL_TIMEZONE = ZoneInfo("Europe/London")


class Clock(Protocol):
    """Anything that tells the current time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...


class SystemClock:
    """The real time, from the operating system."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class SettableClock:
    """A clock that stands still until it is set or advanced (for tests and simulations)."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        """Return the time the clock was last set to."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (backwards too: a test may want that)."""
        self._now = _aware(moment)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock on by ``delta`` and return the new time."""
        self._now += delta
        return self._now


def _aware(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; raise ValueError for a naive datetime, which is ambiguous."""
    if moment.tzinfo is None:
        raise ValueError(f"a clock needs a timezone-aware datetime, not {moment!r}")
    return moment.astimezone(UTC)


def local_today(moment: datetime) -> date:
    """Return the UK calendar day at ``moment``."""
    return moment.astimezone(LOCAL_TIMEZONE).date()
