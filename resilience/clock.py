"""What "now" and "today" are, for every part of the app: the one module that reads the time.

Times are kept in UTC. Dates shown to people, and the days duties fall due on, are UK calendar
days (Europe/London): a reminder for 1 March goes out from midnight in London, not from
midnight UTC (an hour late all summer). A test passes a ``SettableClock`` instead of the
system's: the scheduler takes one as an argument, the web app reads ``app.config["CLOCK"]``
(see ``resilience.web.clock``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_TIMEZONE = ZoneInfo("Europe/London")


def utc_now() -> datetime:
    """Return the system's current time in UTC (also the default of every timestamp column)."""
    return datetime.now(UTC)


class Clock(Protocol):
    """Anything that tells the current time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...


class SystemClock:
    """The real time, from the operating system."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return utc_now()


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


def as_utc(moment: datetime) -> datetime:
    """Return a stored time as an aware UTC time (naive values are UTC, as SQLite gives them)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_time(moment: datetime) -> datetime:
    """Return a stored time in UK local time."""
    return as_utc(moment).astimezone(LOCAL_TIMEZONE)


def local_date(moment: datetime) -> date:
    """Return the UK calendar day at ``moment``."""
    return local_time(moment).date()
