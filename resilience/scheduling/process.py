"""The scheduler process: APScheduler with its jobs in the app's database, running reminder passes.

Run by `resilience scheduler`, in one dedicated process and never inside a web worker (each
worker would run its own scheduler). Correctness does not depend on there being only one: the
claims make a second process harmless, merely wasteful.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import Clock, SystemClock
from resilience.domain.duties.rules import DutyPolicy
from resilience.scheduling.claims import CLAIM_LEASE
from resilience.scheduling.mailer import Mailer
from resilience.scheduling.reminder_pass import PassReport, run_reminder_pass
from resilience.storage.models import scheduler_jobs

log = logging.getLogger(__name__)

JOB_ID = "resilience.reminders"
PASS_EVERY = timedelta(hours=1)


@dataclass
class ReminderService:
    """Everything a reminder pass needs, held by the process that runs the scheduler."""

    sessions: sessionmaker[Session]
    mailer: Mailer | None
    clock: Clock = field(default_factory=SystemClock)
    policy: DutyPolicy | None = None  # None: the stored policy, read by each pass
    lease: timedelta = CLAIM_LEASE

    def run_pass(self) -> PassReport:
        """Run one reminder pass now."""
        return run_reminder_pass(self.sessions, self.clock, self.mailer, self.policy, self.lease)


# The job store keeps a reference to the job function, never its arguments' live objects (and
# never the database password), so the function finds the process's service here.
_service: ReminderService | None = None
_service_lock = threading.Lock()


def reminder_pass_job() -> None:
    """Run one reminder pass with this process's service (the scheduled job's function)."""
    with _service_lock:
        service = _service
    if service is None:
        raise RuntimeError("the reminder service is not set up in this process")
    service.run_pass()


def stored_next_run(engine: Engine) -> datetime | None:
    """Return when the job store says the reminder job should next run, if it holds the job."""
    with engine.connect() as connection:
        timestamp = connection.scalar(
            select(scheduler_jobs.c.next_run_time).where(scheduler_jobs.c.id == JOB_ID)
        )
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


def build_scheduler(
    service: ReminderService, engine: Engine, every: timedelta = PASS_EVERY
) -> BackgroundScheduler:
    """Return a scheduler, not yet started, with the reminder job in the database's job store.

    The job has a fixed id and replaces whatever the store held under it, so a restart (or a
    new release with a new interval) never adds a second job. Its stored next run time is kept,
    though: replacing the job alone would schedule it an interval from now and forget a run that
    fell due while the process was down.
    """
    global _service
    with _service_lock:
        _service = service
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        # One worker and one instance: passes never overlap within the process.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        timezone=UTC,
    )
    scheduler.add_job(
        reminder_pass_job,
        trigger=IntervalTrigger(seconds=int(every.total_seconds()), timezone=UTC),
        id=JOB_ID,
        name="Reminder pass: claim and send due reminders",
        replace_existing=True,
        # APScheduler's default grace of one second would skip, with a log line and nothing else,
        # a run that fell due while the process was stopped, suspended, or busy. A late pass is
        # exactly as right as a punctual one (it works from dates), so it must always run.
        misfire_grace_time=None,
        # And all the runs missed in a long stop are one run: a pass catches up everything
        # itself, and twenty back-to-back passes would only repeat the first.
        coalesce=True,
        max_instances=1,
        # No stored run (a new database): run a first pass at once rather than in an hour.
        next_run_time=stored_next_run(engine) or service.clock.now(),
    )
    return scheduler


def start_scheduler(
    service: ReminderService, engine: Engine, every: timedelta = PASS_EVERY
) -> BackgroundScheduler:
    """Start the scheduler of ``build_scheduler`` and return it."""
    scheduler = build_scheduler(service, engine, every)
    scheduler.start()
    log.info("scheduler started: reminder pass every %s", every)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop the scheduler, letting a pass in progress finish (its claims stay consistent)."""
    global _service
    scheduler.shutdown(wait=True)
    with _service_lock:
        _service = None
    log.info("scheduler stopped")


def run_until(stop: threading.Event, service: ReminderService, engine: Engine) -> None:
    """Run the scheduler until ``stop`` is set (by a signal handler), then stop it cleanly."""
    scheduler = start_scheduler(service, engine)
    try:
        stop.wait()
    finally:
        stop_scheduler(scheduler)
