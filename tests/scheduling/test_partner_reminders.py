"""An operator's duty to inform the public in its PIZ: the officer who liaises with the operator
is reminded, once per occasion; every officer when nobody is named."""

from __future__ import annotations

from datetime import date

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from resilience.domain.duties.rules import DEFAULT_POLICY, DutyKind
from resilience.scheduling.reminders import due_reminders
from resilience.storage.models import Hazard, Notification
from tests.scheduling.builders import STAFF, Runner, add_council, add_user, mailer_on, morning
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan, make_establishment

TODAY = date(2026, 12, 3)  # a Thursday
SITE = Point(-2.73, 53.33)
OTHER_OFFICER = "officer-two@council.test"


def _site(session: Session, **values: object) -> None:
    session.add(
        make_establishment("UPPER-1", name="Upper One", tier="upper", geometry=SITE, **values)
    )
    # Covered by an adopted plan whose duties are years away: only the operator's duty is due.
    add_plan(
        session, "EXT-1", status="adopted", adopted_on=date(2025, 6, 1), hazard_refs=["UPPER-1"]
    )
    session.commit()


def test_the_liaison_officer_is_reminded_once_per_occasion(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        add_council(session)
        add_user(session, OTHER_OFFICER, "officer")
        # Supplied on 2 March 2022: next due 2 March 2027, 90 days after 2 December 2026.
        _site(session, public_information_supplied_on=date(2022, 3, 2), liaison_officer=STAFF[0])
        due = due_reminders(session, TODAY, DEFAULT_POLICY)
        assert [(r.plan_ref, r.duty, r.due_on, r.lead, r.email) for r in due] == [
            ("PIZ-1", "public_information", date(2027, 3, 2), "d-90", STAFF[0])
        ]
        assert due[0].is_partner and not due[0].is_gap and due[0].is_owner
        assert not any(isinstance(r.duty, DutyKind) for r in due)
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(TODAY)))
    assert runner.run_at(morning(TODAY)).sent == 1
    assert runner.run_at(morning(TODAY)).sent == 0  # again the same day: not again
    assert runner.run_at(morning(date(2026, 12, 10))).sent == 0  # the next occasion is d-30
    assert runner.run_at(morning(date(2027, 1, 31))).sent == 1  # d-30
    messages = smtp.wait_for(2)
    assert messages[0]["To"] == STAFF[0]
    assert messages[0]["Subject"] == (
        "Public information in the PIZ of Upper One: the operator's next supply is due in 89 days"
    )
    body = messages[0].get_content()
    assert "the operator's duty, not the council's" in body
    assert "local policy (operator's duty, COMAH 2015 reg. 18)" in body
    assert "you liaise with the operator" in body
    with sessions() as session:
        assert set(session.scalars(select(Notification.link))) == {"/establishments/UPPER-1"}


def test_with_nobody_named_every_officer_is_reminded_weekly_until_a_date_is_recorded(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        add_council(session)
        add_user(session, OTHER_OFFICER, "officer")
        _site(session)
        due = due_reminders(session, TODAY, DEFAULT_POLICY)
        # Officers only: the planner plans reviews and exercises, not the operator's leaflets.
        assert sorted(r.email for r in due) == sorted([STAFF[0], OTHER_OFFICER])
        assert {(r.due_on, r.lead) for r in due} == {(date(2026, 11, 30), "undated")}
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(TODAY)))
    assert runner.run_at(morning(TODAY)).sent == 2
    assert runner.run_at(morning(date(2026, 12, 4))).sent == 0  # same week
    assert runner.run_at(morning(date(2026, 12, 7))).sent == 2  # next Monday
    subject = str(smtp.wait_for(4)[0]["Subject"])
    assert subject == (
        "Public information in the PIZ of Upper One: "
        "no date is recorded of the operator's last supply"
    )
    with sessions() as session:
        site = session.scalars(select(Hazard).where(Hazard.ref == "UPPER-1")).one()
        site.public_information_supplied_on = date(2026, 12, 8)
        session.commit()
    assert runner.run_at(morning(date(2026, 12, 14))).sent == 0  # next due in 2031
