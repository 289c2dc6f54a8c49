"""What "now" and "today" are in a request: the app's clock (``app.config["CLOCK"]``, the
system's unless a test sets one), with today as the UK calendar day."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from resilience.clock import Clock, SystemClock, local_date

SYSTEM_CLOCK = SystemClock()


def clock() -> Clock:
    """Return the clock of the running app."""
    configured: Clock = current_app.config.get("CLOCK") or SYSTEM_CLOCK
    return configured


def now() -> datetime:
    """Return the current time (UTC, aware)."""
    return clock().now()


def today() -> date:
    """Return today's UK calendar date: what pages, duties and reports count from."""
    return local_date(now())
