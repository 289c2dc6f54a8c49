"""Sessions, invitations and attendance in the database, and who is due on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.duties.rules import Status
from resilience.domain.training.refresher import (
    TrainingPolicy,
    load_training_policy,
    save_training_policy,
    summary_by_role,
    who_is_due,
)
from resilience.domain.training.sessions import (
    SessionValues,
    calendar_events,
    invite,
    record_attendance,
    save_session,
    sessions_between,
)
from resilience.errors import InputError
from resilience.storage.models import Attendance, AuditEvent
from tests.support.builders import attend, make_session, make_user


def values(**changes: object) -> SessionValues:
    base: dict[str, object] = {
        "title": "Pipelines and COMAH for members",
        "day": date(2026, 6, 10),
        "start": time(18),
        "end": time(19, 30),
        "place": "Council Chamber",
        "link": "",
        "audience": "members",
        "topics": ("comah", "pipelines"),
        "hazard_refs": (),
        "trainer": "Emergency Planning Team",
        "capacity": 2,
    }
    base.update(changes)
    return SessionValues(**base)  # type: ignore[arg-type]


def test_a_session_is_stored_in_uk_time(session: Session) -> None:
    record = save_session(session, values(), known_hazards=[])
    session.commit()
    # 18:00 BST on 10 June is 17:00 UTC.
    stored = session.get(type(record), record.id)
    assert stored is not None
    assert stored.starts_at.replace(tzinfo=UTC) == datetime(2026, 6, 10, 17, tzinfo=UTC)
    assert stored.topics == ["comah", "pipelines"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": time(17)}, "end"),
        ({"topics": ()}, "topics"),
        ({"topics": ("site_plan",)}, "hazard_refs"),
        ({"hazard_refs": ("NOPE",)}, "hazard_refs"),
        ({"place": "", "link": ""}, "place"),
        ({"link": "ftp://example.invalid"}, "link"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_session_details_name_their_field(
    session: Session, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        save_session(session, values(**changes), known_hazards=["HAL-COMAH-01"])
    assert caught.value.field == field


def test_invitations_stop_at_capacity_and_are_not_doubled(session: Session) -> None:
    record = save_session(session, values(capacity=2), known_hazards=[])
    a, b, c = (make_user(session, f"{n}@council.invalid") for n in "abc")
    assert len(invite(session, record, [a.id, b.id], "officer@test.invalid")) == 2
    assert invite(session, record, [a.id], "officer@test.invalid") == []
    with pytest.raises(InputError, match="only 0 of 2 places"):
        invite(session, record, [c.id], "officer@test.invalid")


def test_attendance_is_recorded_once_the_session_has_begun_and_audited(session: Session) -> None:
    record = save_session(session, values(), known_hazards=[])
    member = make_user(session, "cllr@council.invalid")
    invite(session, record, [member.id], "officer@test.invalid")
    before = datetime(2026, 6, 10, 16, 59, tzinfo=UTC)
    with pytest.raises(InputError, match="once the session has begun"):
        record_attendance(session, record, {member.id: "attended"}, "officer", before)
    during = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)
    record_attendance(session, record, {member.id: "apologies"}, "officer", during)
    record_attendance(session, record, {member.id: "attended"}, "officer", during)
    session.commit()
    rows = session.scalars(select(Attendance)).all()
    assert [(r.user_id, r.outcome) for r in rows] == [(member.id, "attended")]
    audited = session.scalars(
        select(AuditEvent.entity).where(AuditEvent.entity.in_(["training_sessions", "attendance"]))
    ).all()
    assert sorted(audited) == ["attendance", "attendance", "training_sessions"]


def test_who_is_due_across_the_municipal_year_boundary(session: Session) -> None:
    before = make_user(session, "before@council.invalid", display_name="Cllr Before")
    after = make_user(session, "after@council.invalid", display_name="Cllr After")
    never = make_user(session, "never@council.invalid", display_name="Cllr Never")
    officer = make_user(session, "epo@council.invalid", role="officer", display_name="EPO")
    # Late on 30 April (BST): still 2025/26. Just after midnight on 1 May BST, which is still
    # 30 April in UTC: 2026/27, because municipal years follow the UK calendar.
    late = make_session(session, "Evening session", date(2026, 4, 30), time(21), time(23, 30))
    early = make_session(session, "Midnight session", date(2026, 5, 1), time(0, 30), time(1, 30))
    assert early.starts_at.astimezone(UTC).date() == date(2026, 4, 30)
    attend(session, late, before)
    attend(session, early, after)
    attend(session, late, never, outcome="absent")
    responders = make_session(session, "JESIP", date(2024, 2, 29), audience="responders")
    attend(session, responders, officer)
    session.commit()

    dues = {d.email: d for d in who_is_due(session, date(2026, 5, 2))}
    assert dues["before@council.invalid"].due_on == date(2027, 4, 30)
    assert dues["after@council.invalid"].due_on == date(2028, 4, 30)
    assert dues["never@council.invalid"].last_attended_on is None
    assert dues["never@council.invalid"].status is Status.OVERDUE  # joined 1 May 2024
    assert dues["epo@council.invalid"].due_on == date(2027, 2, 28)
    assert dues["epo@council.invalid"].cohort == "responders"

    a_year_on = {d.email: d for d in who_is_due(session, date(2027, 5, 1))}
    assert a_year_on["before@council.invalid"].status is Status.OVERDUE
    assert a_year_on["after@council.invalid"].status is Status.OK
    summary = {s.role: s for s in summary_by_role(a_year_on.values())}
    assert (summary["member"].ok, summary["member"].overdue) == (1, 2)


def test_the_training_policy_is_stored_and_read_back(session: Session) -> None:
    assert load_training_policy(session) == TrainingPolicy()
    chosen = TrainingPolicy(
        year_start=(5, 20),
        member_refresh_months=None,
        responder_refresh_months=24,
        first_training_months=3,
    )
    save_training_policy(session, chosen, "admin@test.invalid")
    session.commit()
    assert load_training_policy(session) == chosen


def test_invited_people_get_the_session_in_their_calendar(session: Session) -> None:
    member = make_user(session, "cllr@council.invalid")
    other = make_user(session, "other@council.invalid")
    record = make_session(
        session, "Whole-members session", date(2026, 6, 10), link="https://meet.invalid/x"
    )
    attend(session, record, member)
    cancelled = make_session(session, "Called off", date(2026, 7, 1), status="cancelled")
    invite(session, cancelled, [member.id], "officer")
    session.commit()
    events = calendar_events(session, member.id)
    assert [str(e["summary"]) for e in events] == [
        "Training: Whole-members session",
        "Training: Called off",
    ]
    assert str(events[0]["uid"]) == f"training-session-{record.id}@resilience"
    assert str(events[1]["status"]) == "CANCELLED"
    calendar = icalendar.Calendar()
    for event in events:
        calendar.add_component(event)
    parsed = icalendar.Calendar.from_ical(calendar.to_ical())
    assert len(parsed.walk("VEVENT")) == 2
    assert calendar_events(session, other.id) == []


def test_sessions_between_uses_uk_days_and_skips_cancelled(session: Session) -> None:
    held = make_session(session, "First of June", date(2026, 6, 1), time(0, 15), time(1))
    make_session(session, "Last of May", date(2026, 5, 31), time(23), time(23, 45))
    make_session(session, "Cancelled", date(2026, 6, 2), status="cancelled")
    session.commit()
    assert [s.id for s in sessions_between(session, date(2026, 6, 1), date(2026, 6, 30))] == [
        held.id
    ]


def test_refresher_reminders_follow_the_plan_duty_occasions(session: Session) -> None:
    from resilience.domain.training.refresher import training_reminders

    member = make_user(session, "cllr@council.invalid", joined=date(2024, 5, 1))
    record = make_session(session, "Autumn", date(2025, 10, 1))
    attend(session, record, member)
    session.commit()
    # Due 30 April 2027 (end of 2026/27): the 90-day reminder goes out on 30 January 2027.
    assert training_reminders(session, date(2027, 1, 29)) == []
    (reminder,) = training_reminders(session, date(2027, 1, 30))
    assert reminder.key == (
        f"TRAINING-{member.id}",
        "training",
        date(2027, 4, 30),
        "d-90",
        "cllr@council.invalid",
    )
    (later,) = training_reminders(session, date(2027, 5, 8))
    assert (later.lead, later.headline) == ("overdue-1", "Your refresher training is overdue")
