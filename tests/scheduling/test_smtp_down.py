"""The mail server refuses connections: claims are kept, retried with back-off, never lost."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from tests.scheduling.builders import STAFF, Runner, add_council, claims, days, mailer_on, morning
from tests.scheduling.smtp_sink import SmtpSink, free_port
from tests.support.builders import add_plan

# Review due 2 March 2027: d-30 on 31 January, d-7 on 23 February, overdue-1 on 9 March.
D30 = date(2027, 1, 31)


def _plan(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        add_council(session)
        add_plan(
            session,
            "P1",
            adopted_on=date(2024, 3, 2),
            last_reviewed_on=date(2024, 3, 2),
            last_exercised_on=date(2026, 1, 1),
        )
        session.commit()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return morning(day, time(hour, minute))


def test_refused_connections_are_retried_with_back_off_and_sent_once(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    _plan(sessions)
    closed = mailer_on(free_port())  # nothing listens there: connection refused
    runner = Runner(sessions, closed, SettableClock(_at(D30, 8)))
    first = runner.run_at(_at(D30, 8))
    assert (first.claimed, first.sent, first.failed) == (2, 0, 2)
    assert {(c.state, c.attempts) for c in claims(sessions)} == {("claimed", 1)}
    assert all("ConnectionRefusedError" in c.last_error for c in claims(sessions))

    # Retried once each back-off has passed: after 15 min, then 30, 60, 120...
    retried = [runner.run_at(_at(D30, h, m)).failed for h, m in ((8, 10), (8, 15), (9, 0))]
    assert retried == [0, 2, 2]
    retried = [runner.run_at(_at(D30, h)).failed for h in (10, 11, 12)]
    assert retried == [2, 0, 2]
    assert {c.attempts for c in claims(sessions)} == {5}

    # The server is back at 13:00, but the last back-off runs to 16:00: sent then, once.
    runner.mailer = mailer_on(smtp.port)
    assert runner.run_at(_at(D30, 13)).sent == 0
    assert runner.run_at(_at(D30, 16)).sent == 2
    for day in days(D30, D30 + timedelta(days=10)):
        assert runner.run_at(morning(day, time(17))).sent == 0
    assert smtp.keys() == Counter(
        {("P1", "review", "2027-03-02", "d-30", email): 1 for email in STAFF}
    )
    assert {(c.state, c.attempts) for c in claims(sessions)} == {("sent", 6)}


def test_an_outage_across_reminders_delivers_the_current_one(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    _plan(sessions)
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(D30)))
    runner.run_at(morning(D30))
    # Down from 20 February to 11 March: d-7 (23 February) and overdue-1 (9 March) fail.
    runner.mailer = mailer_on(free_port())
    for day in days(date(2027, 2, 20), date(2027, 3, 11)):
        assert runner.run_at(morning(day)).sent == 0
    runner.mailer = mailer_on(smtp.port)
    back = runner.run_at(morning(date(2027, 3, 12)))
    # d-7 was superseded by overdue-1 on 9 March (it would say the same, a week late).
    assert (back.sent, back.cancelled) == (2, 0)
    assert smtp.keys() == Counter(
        {
            ("P1", "review", "2027-03-02", lead, email): 1
            for lead in ("d-30", "overdue-1")
            for email in STAFF
        }
    )
    states = Counter((c.lead, c.state) for c in claims(sessions))
    assert states == Counter(
        {("d-30", "sent"): 2, ("d-7", "cancelled"): 2, ("overdue-1", "sent"): 2}
    )
