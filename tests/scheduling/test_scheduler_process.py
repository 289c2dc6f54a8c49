"""The scheduler process: APScheduler with the job in the database, stopped and started again.

Time is moved with time-machine, which APScheduler's own clock follows; nothing sleeps.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SystemClock
from resilience.scheduling.process import (
    JOB_ID,
    ReminderService,
    build_scheduler,
    reminder_pass_job,
    stop_scheduler,
    stored_next_run,
)
from resilience.storage.models import scheduler_jobs
from tests.scheduling.builders import (
    STAFF,
    add_council,
    mailer_on,
    scheduler_command,
    scheduler_env,
)
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan

WAIT = 30.0


class JobEvents:
    """Collects APScheduler's job events, and waits for them without sleeping."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.changed = threading.Condition()

    def __call__(self, event: JobEvent) -> None:
        with self.changed:
            self.codes.append(event.code)
            self.changed.notify_all()

    def wait_for(self, code: int, count: int = 1) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.codes.count(code) >= count, WAIT), self.codes


def _overdue_soon(sessions: sessionmaker[Session]) -> None:
    """Add staff and a plan whose review is due 2 March 2027 (d-30 31 January, d-7 23 February)."""
    with sessions() as session:
        add_council(session)
        add_plan(session, "P1", adopted_on=date(2024, 3, 2), last_exercised_on=date(2026, 1, 1))
        session.commit()


def _run_scheduler_once(service: ReminderService, engine: Engine) -> JobEvents:
    """Start the scheduler, wait for one pass to finish, stop it; return the job events."""
    events = JobEvents()
    scheduler = build_scheduler(service, engine)
    scheduler.add_listener(events, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        events.wait_for(EVENT_JOB_EXECUTED)
    finally:
        stop_scheduler(scheduler)
    return events


def test_a_restart_across_a_due_date_catches_up_once(
    engine: Engine, sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    _overdue_soon(sessions)
    service = ReminderService(sessions=sessions, mailer=mailer_on(smtp.port), clock=SystemClock())
    with time_machine.travel(datetime(2027, 2, 20, 8, 0, tzinfo=UTC), tick=False) as traveller:
        # A new database: the first start runs a pass at once (d-30 is the latest reminder).
        assert _run_scheduler_once(service, engine).codes == [EVENT_JOB_EXECUTED]
        assert stored_next_run(engine) == datetime(2027, 2, 20, 9, 0, tzinfo=UTC)

        # Down from then until 25 February: d-7 (23 February) fell due meanwhile, and 125
        # hourly runs were missed. One run, at once, sends it.
        traveller.move_to(datetime(2027, 2, 25, 10, 30, tzinfo=UTC))
        assert _run_scheduler_once(service, engine).codes == [EVENT_JOB_EXECUTED]
        assert stored_next_run(engine) == datetime(2027, 2, 25, 11, 0, tzinfo=UTC)

    assert smtp.keys() == Counter(
        {
            ("P1", "review", "2027-03-02", lead, email): 1
            for lead in ("d-30", "d-7")
            for email in STAFF
        }
    )
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(scheduler_jobs)) == 1


def test_apschedulers_default_grace_would_skip_the_missed_run(
    engine: Engine, sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    # Why process.py sets misfire_grace_time=None: the same job with APScheduler's defaults.
    _overdue_soon(sessions)
    events = JobEvents()
    with time_machine.travel(datetime(2027, 2, 25, 10, 30, tzinfo=UTC), tick=False):
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine)}, timezone=UTC
        )
        scheduler.add_listener(events, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        scheduler.add_job(
            reminder_pass_job,
            trigger=IntervalTrigger(hours=1, timezone=UTC),
            id=JOB_ID,
            replace_existing=True,
            next_run_time=datetime(2027, 2, 20, 9, 0, tzinfo=UTC),
        )
        scheduler.start()
        try:
            events.wait_for(EVENT_JOB_MISSED)
        finally:
            scheduler.shutdown(wait=True)
    assert events.codes == [EVENT_JOB_MISSED]
    assert smtp.messages == []


def test_the_scheduler_command_runs_until_sigterm(
    database_url: str,
    engine: Engine,
    sessions: sessionmaker[Session],
    smtp: SmtpSink,
    tmp_path: Path,
) -> None:
    with sessions() as session:
        add_council(session)
        add_plan(session, "P1", adopted_on=date(2019, 3, 1), last_exercised_on=date(2019, 3, 1))
        session.commit()
    process = subprocess.Popen(
        scheduler_command(),
        env=scheduler_env(database_url, smtp.port, tmp_path / "instance"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The first pass runs at once: both duties, long overdue, to both staff.
        assert len(smtp.wait_for(4, timeout=60)) == 4
        started = time.time()
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "SIGTERM: stopping" in err
    assert "scheduler stopped" in err
    next_run = stored_next_run(engine)
    assert next_run is not None and 0 < next_run.timestamp() - started <= 3600
