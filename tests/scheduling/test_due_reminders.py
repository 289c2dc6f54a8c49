"""Which reminders are due on a day, and to whom; dates worked out by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from resilience.domain.duties.rules import DEFAULT_POLICY, DutyKind
from resilience.scheduling.claims import ReminderKey
from resilience.scheduling.reminders import due_reminders
from tests.scheduling.builders import OWNER, STAFF, add_council
from tests.support.builders import add_plan


def _keys(session: Session, today: date) -> set[ReminderKey]:
    return {r.key for r in due_reminders(session, today, DEFAULT_POLICY)}


def test_staff_and_the_owner_get_reminders_nobody_else(session: Session) -> None:
    add_council(session)
    # Reviewed 2 March 2024: review due 2 March 2027; d-30 on 31 January 2027.
    add_plan(
        session,
        "P1",
        adopted_on=date(2023, 1, 9),
        last_reviewed_on=date(2024, 3, 2),
        last_exercised_on=date(2026, 1, 1),
        owner=OWNER,
    )
    assert _keys(session, date(2027, 1, 31)) == {
        ("P1", "review", date(2027, 3, 2), "d-30", email) for email in (*STAFF, OWNER)
    }


def test_the_owner_is_matched_without_case_and_never_twice(session: Session) -> None:
    add_council(session)
    add_plan(session, "P1", adopted_on=date(2024, 3, 2), owner=" Officer@Council.test ")
    due = due_reminders(session, date(2027, 3, 2), DEFAULT_POLICY)
    assert sorted((r.duty.value, r.email) for r in due) == [
        ("exercise", STAFF[0]),
        ("exercise", STAFF[1]),
        ("review", STAFF[0]),
        ("review", STAFF[1]),
    ]
    assert {r.is_owner for r in due if r.email == STAFF[0]} == {True}


def test_the_latest_occasion_is_due_and_supersedes_older_ones(session: Session) -> None:
    add_council(session)
    add_plan(session, "P1", adopted_on=date(2024, 3, 2), last_exercised_on=date(2026, 1, 1))
    # Review due 2 March 2027. Nothing before 2 December 2026 (d-90)...
    assert _keys(session, date(2026, 12, 1)) == set()
    # ...d-90 from then until d-30 on 31 January...
    assert {k[3] for k in _keys(session, date(2027, 1, 30))} == {"d-90"}
    assert {k[3] for k in _keys(session, date(2027, 1, 31))} == {"d-30"}
    # ...nothing new on the due date or the week after it, then weekly.
    assert {k[3] for k in _keys(session, date(2027, 3, 8))} == {"d-7"}
    assert {k[3] for k in _keys(session, date(2027, 3, 9))} == {"overdue-1"}
    assert {k[3] for k in _keys(session, date(2027, 5, 5))} == {"overdue-9"}


def test_an_unprepared_plan_without_dates_is_reminded_weekly(session: Session) -> None:
    add_council(session)
    add_plan(session, "P1", regime="cca_local")
    wednesday, next_monday = date(2026, 11, 25), date(2026, 11, 30)
    due = due_reminders(session, wednesday, DEFAULT_POLICY)
    assert {(r.duty, r.due_on, r.lead, r.send_on) for r in due} == {
        (DutyKind.PREPARE, date(2026, 11, 23), "undated", date(2026, 11, 23))
    }
    assert {k[2] for k in _keys(session, next_monday)} == {next_monday}


def test_a_comah_plan_is_due_six_months_after_notification(session: Session) -> None:
    add_council(session)
    add_plan(session, "P1", notified_on=date(2026, 3, 10))  # due 10 September 2026
    assert _keys(session, date(2026, 9, 3)) == {
        ("P1", "prepare", date(2026, 9, 10), "d-7", email) for email in STAFF
    }


def test_review_dates_of_an_unadopted_plan_are_ignored_not_fatal(session: Session) -> None:
    add_council(session)
    add_plan(session, "BAD", regime="pipeline", last_reviewed_on=date(2020, 1, 1))
    add_plan(session, "P1", adopted_on=date(2024, 3, 2))
    due = due_reminders(session, date(2027, 3, 2), DEFAULT_POLICY)
    assert {(r.plan_ref, r.duty.value) for r in due} == {
        ("BAD", "prepare"),
        ("P1", "review"),
        ("P1", "exercise"),
    }


def test_a_withdrawn_plan_has_no_reminders_as_it_has_no_duties_on_the_dashboard(
    session: Session,
) -> None:
    add_council(session)
    # Adopted 2 March 2024 and never reviewed: review overdue from 3 March 2027 if it counted.
    add_plan(session, "P1", adopted_on=date(2024, 3, 2), status="withdrawn")
    add_plan(session, "P2", adopted_on=date(2024, 3, 2))
    assert {key[0] for key in _keys(session, date(2027, 3, 9))} == {"P2"}
