"""One reminder that cannot be built or sent never stops the others: it is recorded and retried."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from resilience.storage.models import Notification, User
from tests.scheduling.builders import STAFF, Runner, add_user, claims, mailer_on, morning
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan

# Reviews due 2 March 2027: the 30-day reminder goes out on 31 January.
D30 = date(2027, 1, 31)
BROKEN = "broken@council.test\r\nBcc: evil@example.org"


def _plans(sessions: sessionmaker[Session]) -> None:
    """Two staff, one of whose stored address (from before the edge checks) has a line break."""
    with sessions() as session:
        add_user(session, STAFF[0], "officer")
        add_user(session, BROKEN, "officer")
        for ref, title in (("P1", "Plan one\r\nBcc: evil@example.org"), ("P2", "Plan two")):
            add_plan(
                session,
                ref,
                title=title,
                adopted_on=date(2024, 3, 2),
                last_reviewed_on=date(2024, 3, 2),
                last_exercised_on=date(2026, 1, 1),
            )
        session.commit()


def test_a_reminder_that_cannot_be_sent_is_kept_and_the_rest_go_out(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    _plans(sessions)
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(D30)))

    first = runner.run_at(morning(D30))

    # Two plans' review reminders, each to two officers: the two to the broken address fail.
    assert (first.claimed, first.sent, first.failed) == (4, 2, 2)
    delivered = smtp.wait_for(2)
    assert sorted(str(m["To"]) for m in delivered) == [STAFF[0], STAFF[0]]
    # The line break in the title did not become a header of its own.
    assert all(m["Bcc"] is None for m in delivered)
    assert all("\n" not in str(m["Subject"]) for m in delivered)
    with sessions() as session:
        notified = session.scalars(select(Notification.title)).all()
    assert len(notified) == 2
    failed = [c for c in claims(sessions) if c.state == "claimed"]
    assert {c.recipient for c in failed} == {BROKEN.lower()}
    assert all(c.last_error.startswith("ValueError") for c in failed)
    assert all(c.next_attempt_at is not None and c.attempts == 1 for c in failed)

    # The next pass, before the back-off has passed, leaves them alone and crashes on nothing.
    again = runner.run_at(morning(D30) + timedelta(minutes=5))
    assert (again.sent, again.failed) == (0, 0)

    # Once the address is mended, the retry after the back-off delivers each exactly once.
    with sessions.begin() as session:
        session.execute(
            update(User).where(User.email == BROKEN).values(email="mended@council.test")
        )
    later = runner.run_at(morning(D30) + timedelta(hours=3))
    assert later.cancelled == 2  # the old address no longer receives anything: claims closed
    final = {(c.recipient, c.state) for c in claims(sessions)}
    assert (BROKEN.lower(), "cancelled") in final
    assert ("mended@council.test", "sent") in final
    assert len(smtp.wait_for(4)) == 4


def test_an_administrator_sees_why_a_reminder_was_not_sent(
    sessions: sessionmaker[Session], smtp: SmtpSink, client_as: Any
) -> None:
    _plans(sessions)
    Runner(sessions, mailer_on(smtp.port), SettableClock(morning(D30))).run_at(morning(D30))

    page = client_as("admin").get("/admin/reminders")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("Header values may not contain linefeed") == 2
    assert "P1" in text and "P2" in text
    assert client_as("officer").get("/admin/reminders").status_code == 403
