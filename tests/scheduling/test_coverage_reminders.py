"""A hazard with no plan: every staff member is reminded each week until a plan covers it."""

from __future__ import annotations

from datetime import date

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from resilience.domain.duties.rules import DEFAULT_POLICY
from resilience.scheduling.reminder_text import details, headline
from resilience.scheduling.reminders import due_reminders
from resilience.storage.models import Notification
from tests.scheduling.builders import STAFF, Runner, add_council, mailer_on, morning
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan, make_establishment

TODAY = date(2026, 12, 3)  # a Thursday: its week's reminders are keyed on Monday 30 November
SITE = Point(-2.73, 53.33)


def test_staff_are_reminded_weekly_until_a_plan_covers_it(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        add_council(session)
        # Its operator informed the public last year: no reminder of that (tests/scheduling/
        # test_partner_reminders.py), only of the missing plan.
        session.add(
            make_establishment(
                "UPPER-1",
                name="Upper One",
                tier="upper",
                public_information_supplied_on=date(2025, 6, 1),
                geometry=SITE,
            )
        )
        session.commit()
        due = [r for r in due_reminders(session, TODAY, DEFAULT_POLICY) if r.is_gap]
        assert sorted(r.email for r in due) == sorted(STAFF)
        assert {r.hazard_page for r in due} == {"/establishments/UPPER-1"}
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(TODAY)))
    assert runner.run_at(morning(TODAY)).sent == 2
    assert runner.run_at(morning(date(2026, 12, 4))).sent == 0  # same week: not again
    assert runner.run_at(morning(date(2026, 12, 7))).sent == 2  # next Monday: again
    messages = smtp.wait_for(4)
    assert (
        messages[0]["Subject"]
        == "No external emergency plan covers Upper One: one must be prepared"
    )
    with sessions() as session:
        # In the app too, linked to the record page where the plan is added.
        assert set(session.scalars(select(Notification.link))) == {"/establishments/UPPER-1"}
        add_plan(session, "EXT-1", status="draft", hazard_refs=["UPPER-1"])
        session.commit()
    assert runner.run_at(morning(date(2026, 12, 14))).sent == 2  # the draft's own prepare duty
    assert all("covers" not in str(m["Subject"]) for m in smtp.wait_for(6)[4:])


def test_a_missing_plan_with_its_information_date_is_reminded_on_the_due_dates_occasions(
    session: Session,
) -> None:
    add_council(session)
    session.add(
        make_establishment(
            "UPPER-1",
            name="Upper One",
            tier="upper",
            information_received_on=date(2026, 8, 31),  # plan due 28 February 2027
            public_information_supplied_on=date(2025, 6, 1),
            geometry=SITE,
        )
    )
    session.commit()
    due = [r for r in due_reminders(session, TODAY, DEFAULT_POLICY) if r.is_gap]
    assert {(r.due_on, r.lead, r.send_on) for r in due} == {
        (date(2027, 2, 28), "d-90", date(2026, 11, 30))
    }
    assert sorted(r.email for r in due) == sorted(STAFF)
    assert headline(due[0], TODAY) == (
        "No external emergency plan covers Upper One: one must be prepared, due in 87 days"
    )
    assert "Due: Sunday 28 February 2027 (due in 87 days): six months after the operator's" in (
        " ".join(details(due[0], TODAY))
    )
    assert not [r for r in due_reminders(session, date(2026, 11, 29), DEFAULT_POLICY) if r.is_gap]
