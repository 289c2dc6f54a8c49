"""A scheduler in its own OS process, stepping through simulated days in lock-step with others."""

from __future__ import annotations

from collections import Counter
from datetime import date
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from resilience.clock import SettableClock
from resilience.scheduling.reminder_pass import run_reminder_pass
from resilience.storage.database import make_engine, make_sessionmaker
from tests.scheduling.builders import mailer_on, morning

BARRIER_TIMEOUT = 120.0


def race(
    url: str, smtp_port: int, barrier: Barrier, days: list[date], results: Queue[dict[str, int]]
) -> None:
    """Run a pass on each day as soon as every racer is ready; put the totals on ``results``."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    clock = SettableClock(morning(days[0]))
    mailer = mailer_on(smtp_port)
    totals: Counter[str] = Counter()
    try:
        for day in days:
            barrier.wait(BARRIER_TIMEOUT)  # all processes start the day's pass together
            clock.set(morning(day))
            report = run_reminder_pass(sessions, clock, mailer)
            totals.update(
                claimed=report.claimed, sent=report.sent, lost=report.lost, failed=report.failed
            )
    finally:
        engine.dispose()
    results.put(dict(totals))
