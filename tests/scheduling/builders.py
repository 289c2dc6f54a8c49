"""Test data for the scheduler: users, plans, and a clock-driven run of reminder passes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from resilience.scheduling.mailer import Mailer, SmtpMailer
from resilience.scheduling.reminder_pass import PassReport, run_reminder_pass
from resilience.storage.models import ReminderClaim, User
from tests.support.builders import make_user

STAFF = ("officer@council.test", "planner@council.test")
OWNER = "member-owner@council.test"
PASS_AT = time(8, 0)  # UTC: 08:00 or 09:00 in London, the same calendar day


# Refresher training is reminded through the same passes, counted from when an account was made.
# The people of the plan-duty tests joined after every day those tests simulate (and the real
# clock's, for decades), so that none of them is due training there: what those tests count is
# plan reminders. test_training_reminders.py gives its people real join and attendance dates.
JOINED = datetime(2090, 1, 1, 9, 0, tzinfo=UTC)


def add_user(
    session: Session, email: str, role: str, active: bool = True, joined: datetime = JOINED
) -> User:
    """Return a stored user who joined after every day the plan-duty tests simulate."""
    return make_user(session, email, role, joined=joined, active=active)


def add_council(session: Session) -> None:
    """Add the people of most tests: two staff, an owner, and two who never get reminders."""
    add_user(session, STAFF[0], "officer")
    add_user(session, STAFF[1], "planner")
    add_user(session, OWNER, "member")
    add_user(session, "member-other@council.test", "member")
    add_user(session, "admin-gone@council.test", "admin", active=False)


def mailer_on(port: int) -> SmtpMailer:
    return SmtpMailer(host="127.0.0.1", port=port, sender="resilience@council.test", timeout=5)


def morning(day: date, at: time = PASS_AT) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)


def days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def reminders_for(due: date, first: date, last: date) -> list[tuple[date, str]]:
    """Return (day sent, lead) for a due date that stands from ``first`` to ``last``.

    Listed by the rule: 90, 30 and 7 days before, then every 7 days from a week after. If
    reminders fell due before ``first`` (the scheduler first saw the duty that day), only the
    latest of them is sent, on ``first``.
    """
    schedule = [(due - timedelta(days=n), f"d-{n}") for n in (90, 30, 7)]
    week = 1
    while due + timedelta(weeks=week) <= last:
        schedule.append((due + timedelta(weeks=week), f"overdue-{week}"))
        week += 1
    earlier = [(day, lead) for day, lead in schedule if day <= first]
    sent = [(first, earlier[-1][1])] if earlier else []
    return sent + [(day, lead) for day, lead in schedule if first < day <= last]


def scheduler_env(database_url: str, smtp_port: int, instance: Path) -> dict[str, str]:
    """Return the environment of a `resilience scheduler` process for this test."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RESILIENCE_INSTANCE=str(instance),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        MAIL_FROM="resilience@council.test",
    )
    return env


def scheduler_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "resilience.cli", "scheduler", *args]


@dataclass
class Runner:
    """Runs reminder passes at times a test chooses, with a settable clock."""

    sessions: sessionmaker[Session]
    mailer: Mailer | None
    clock: SettableClock

    def run_at(self, moment: datetime) -> PassReport:
        self.clock.set(moment)
        return run_reminder_pass(self.sessions, self.clock, self.mailer)


def claims(sessions: sessionmaker[Session]) -> list[ReminderClaim]:
    with sessions() as session:
        return list(session.scalars(select(ReminderClaim).order_by(ReminderClaim.id)))
