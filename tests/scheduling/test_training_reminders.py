"""Refresher training is reminded by the same passes as plan duties: claimed, sent once, retried.

The expected reminders are worked out here from the rules as they are stated (elected members
train once every municipal year, from 1 May; reminders 90, 30 and 7 days before, weekly from a
week after), by plain date arithmetic, without the code under test.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock, local_date
from resilience.domain.training.sessions import record_attendance
from resilience.storage.models import Notification, Plan, User
from tests.scheduling.builders import (
    Runner,
    add_user,
    claims,
    days,
    mailer_on,
    morning,
    reminders_for,
)
from tests.scheduling.smtp_sink import SmtpSink, free_port
from tests.support.builders import add_plan, make_session

START, END = date(2026, 11, 1), date(2027, 6, 30)
JOINED_2026 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # municipal year 2026/27
END_OF_YEAR = date(2027, 4, 30)  # the last day of 2026/27: never-trained members are due by it
NEVER = "never-trained@council.test"
MARCH = "trained-in-march@council.test"
OFFICER = "officer@council.test"
Sent = tuple[tuple[str, str, date, str, str], date]  # (ref, duty, due, lead, to), day sent


def _user_id(session: Session, email: str) -> int:
    return session.scalars(select(User.id).where(User.email == email)).one()


def _record_attendance(sessions: sessionmaker[Session], email: str, held_on: date) -> None:
    """Hold a session on ``held_on`` evening; record the next morning that ``email`` attended."""
    with sessions.begin() as session:
        record = make_session(session, f"Refresher {held_on}", held_on)
        outcomes = {_user_id(session, email): "attended"}
        record_attendance(session, record, outcomes, OFFICER, morning(held_on + timedelta(days=1)))


def _sent(smtp: SmtpSink, count: int) -> Counter[Sent]:
    """Return each reminder e-mail that arrived with the UK day it was sent on."""
    sent: Counter[Sent] = Counter()
    for message in smtp.wait_for(count):
        ref, duty, due, lead = str(message["X-Resilience-Reminder"]).split(" ")
        day = local_date(parsedate_to_datetime(str(message["Date"])))
        sent[((ref, duty, date.fromisoformat(due), lead, str(message["To"])), day)] += 1
    return sent


def test_a_member_who_never_trained_is_reminded_once_each_until_they_attend(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        never = add_user(session, NEVER, "member", joined=JOINED_2026).id
        march = add_user(session, MARCH, "member", joined=JOINED_2026).id
        # A responder who trained on 1 September 2025 is next due on 1 September 2028.
        officer = add_user(session, OFFICER, "officer", joined=datetime(2020, 1, 6, tzinfo=UTC))
        trained = make_session(session, "Responders", date(2025, 9, 1), audience="responders")
        record_attendance(session, trained, {officer.id: "attended"}, "x", morning(START))
        # A plan duty alongside: review due 2 March 2027, recorded on 25 February.
        add_plan(session, "P1", adopted_on=date(2024, 3, 2), last_exercised_on=date(2026, 1, 1))
        session.commit()

    expected: Counter[Sent] = Counter()
    # Never trained: due by the end of 2026/27; attends on 17 May 2027 (2027/28 covered).
    for day, lead in reminders_for(END_OF_YEAR, START, date(2027, 5, 17)):
        expected[((f"TRAINING-{never}", "training", END_OF_YEAR, lead, NEVER), day)] += 1
    # Attends on 10 March 2027, between the 90- and 30-day reminders: only the first goes.
    for day, lead in reminders_for(END_OF_YEAR, START, date(2027, 3, 10)):
        expected[((f"TRAINING-{march}", "training", END_OF_YEAR, lead, MARCH), day)] += 1
    for day, lead in reminders_for(date(2027, 3, 2), START, date(2027, 2, 24)):
        expected[(("P1", "review", date(2027, 3, 2), lead, OFFICER), day)] += 1
    # Hand-listed, so the arithmetic above is checked too.
    assert sorted(day for (key, day) in expected if key[4] == NEVER) == [
        date(2027, 1, 30),
        date(2027, 3, 31),
        date(2027, 4, 23),
        date(2027, 5, 7),
        date(2027, 5, 14),
    ]
    assert [key[3] for key, _ in expected if key[4] == MARCH] == ["d-90"]

    changes = {
        date(2027, 2, 25): lambda: _record_review(sessions),
        date(2027, 3, 11): lambda: _record_attendance(sessions, MARCH, date(2027, 3, 10)),
        date(2027, 5, 18): lambda: _record_attendance(sessions, NEVER, date(2027, 5, 17)),
    }
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(START)))
    for day in days(START, END):
        if day in changes:
            changes[day]()
        report = runner.run_at(morning(day))
        assert report.failed == report.lost == report.cancelled == 0
        if day.toordinal() % 3 == 0:  # and again in the evening: nothing new to send
            assert runner.run_at(morning(day, time(19, 30))).sent == 0

    assert len(expected) == 9 and max(expected.values()) == 1
    sent = _sent(smtp, len(expected))
    assert sent == expected
    # One claim and one in-app notification per reminder sent, to the person alone.
    assert {(c.recipient, c.state) for c in claims(sessions) if c.duty == "training"} == {
        (NEVER, "sent"),
        (MARCH, "sent"),
    }
    with sessions() as session:
        notes = session.scalars(
            select(Notification).where(Notification.user_id == never).order_by(Notification.id)
        ).all()
    assert [n.title for n in notes] == [
        "Your refresher training is due in 90 days: attend a session by Friday 30 April 2027",
        "Your refresher training is due in 30 days: attend a session by Friday 30 April 2027",
        "Your refresher training is due in 7 days: attend a session by Friday 30 April 2027",
        "Your refresher training is overdue by 7 days: it was due by Friday 30 April 2027",
        "Your refresher training is overdue by 14 days: it was due by Friday 30 April 2027",
    ]
    assert {n.link for n in notes} == {"/training/"}


def _record_review(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        plan = session.scalars(select(Plan).where(Plan.ref == "P1")).one()
        plan.last_reviewed_on = date(2027, 2, 25)


def test_the_e_mail_says_which_training_is_due_and_by_when(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        never = add_user(session, NEVER, "member", joined=JOINED_2026).id
        session.commit()
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(date(2027, 3, 31))))
    assert runner.run_at(morning(date(2027, 3, 31))).sent == 1
    (message,) = smtp.wait_for(1)
    assert str(message["To"]) == NEVER
    assert str(message["Subject"]) == (
        "Your refresher training is due in 30 days: attend a session by Friday 30 April 2027"
    )
    assert str(message["X-Resilience-Reminder"]) == f"TRAINING-{never} training 2027-04-30 d-30"
    body = message.get_content()
    assert "Training: refresher training for elected members, local policy" in body
    assert "Due by: Friday 30 April 2027 (due in 30 days)" in body
    assert "You train once every municipal year (from 1 May) (local policy)." in body
    assert "No training attended yet; due by 30 April 2027." in body
    with sessions() as session:
        (note,) = session.scalars(select(Notification)).all()
    assert note.user_id == never and note.title == str(message["Subject"])
    assert "Due by: Friday 30 April 2027 (due in 30 days)" in note.body


def test_a_training_reminder_is_retried_when_the_mail_server_is_down(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    d90 = date(2027, 1, 30)
    with sessions() as session:
        add_user(session, NEVER, "member", joined=JOINED_2026)
        add_user(session, MARCH, "member", joined=JOINED_2026)
        session.commit()
    runner = Runner(sessions, mailer_on(free_port()), SettableClock(morning(d90)))
    first = runner.run_at(morning(d90, time(8)))
    assert (first.claimed, first.sent, first.failed) == (2, 0, 2)
    assert {(c.state, c.attempts) for c in claims(sessions)} == {("claimed", 1)}
    with sessions() as session:
        assert session.scalars(select(Notification)).all() == []  # nothing said until it is sent

    # MARCH attended yesterday evening, recorded now: their reminder is no longer true.
    _record_attendance(sessions, MARCH, d90 - timedelta(days=1))
    runner.mailer = mailer_on(smtp.port)
    assert runner.run_at(morning(d90, time(8, 10))).sent == 0  # the back-off has not run out
    retry = runner.run_at(morning(d90 + timedelta(days=1), time(8)))
    assert (retry.sent, retry.cancelled, retry.failed) == (1, 1, 0)
    for day in days(d90 + timedelta(days=1), d90 + timedelta(days=20)):
        assert runner.run_at(morning(day, time(17))).sent == 0
    assert [key[-1] for key in smtp.keys()] == [NEVER]
    assert sorted((c.recipient, c.state, c.attempts) for c in claims(sessions)) == [
        (NEVER, "sent", 2),
        (MARCH, "cancelled", 1),
    ]
