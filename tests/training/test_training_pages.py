"""The training pages: planning a session, inviting, recording attendance, who is due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.domain.duties.policy import PolicyChoice, save_policy, stored_policy
from resilience.storage.models import Attendance, TrainingSession, User, utcnow
from tests.support.builders import make_session
from tests.support.date_boxes import boxes
from tests.support.html import parse
from tests.support.requests import url

SESSION_FORM = {
    "title": "COMAH and pipelines for all members",
    **boxes("day", "2030-05-14"),
    "start": "18:00",
    "end": "19:30",
    "place": "Council Chamber, Runcorn Town Hall",
    "link": "",
    "audience": "members",
    "topics": ["comah", "pipelines"],
    "trainer": "Emergency Planning Team",
    "capacity": "40",
    "note": "",
}


def user_id(session: Session, email: str) -> int:
    return session.scalars(select(User.id).where(User.email == email)).one()


def test_an_officer_plans_a_session_and_invites_a_member(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    member = client_as("member")
    officer = client_as("officer")
    response = officer.post(url(app, "training.new"), data=SESSION_FORM)
    assert response.status_code == 302, response.text
    record = session.scalars(select(TrainingSession)).one()
    page = parse(officer.get(response.location).text)
    assert "COMAH and pipelines for all members" in page.text
    assert "14 May 2030, 18:00 to 19:30" in page.text

    invite_page = parse(officer.get(url(app, "training.invite_people", session_id=record.id)).text)
    member_id = user_id(session, "member@test.invalid")
    # A session for members suggests the members.
    ticked = [
        a["value"] for a in invite_page.find_all("input", name="people") if "checked" in a.attrs
    ]
    assert ticked == [str(member_id)]
    response = officer.post(
        url(app, "training.invite_people", session_id=record.id), data={"people": [member_id]}
    )
    assert response.status_code == 302

    home = parse(member.get(url(app, "members.home")).text)
    assert "COMAH and pipelines for all members" in home.text_by_id["upcoming"]
    assert "You are invited" in home.text_by_id["upcoming"]
    detail = parse(member.get(url(app, "training.detail", session_id=record.id)).text)
    assert "You are invited" in detail.text_by_id["your-place"]
    # A member sees no staff actions and no list of who else is invited.
    assert "invited" not in detail.text_by_id
    assert url(app, "training.edit", session_id=record.id) not in detail.links()


def test_bad_session_details_are_shown_next_to_their_field(app: Flask, client: FlaskClient) -> None:
    response = client.post(url(app, "training.new"), data={**SESSION_FORM, "end": "17:00"})
    assert response.status_code == 400
    page = parse(response.text)
    assert "The session must end after it starts" in page.text_by_id["end-error"]


def test_attendance_is_recorded_after_the_session(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    member = client_as("member")
    officer = client_as("officer")
    yesterday = (utcnow() - timedelta(days=1)).date()
    record = make_session(session, "Held yesterday", yesterday)
    session.commit()
    member_id = user_id(session, "member@test.invalid")
    officer.post(
        url(app, "training.invite_people", session_id=record.id), data={"people": [member_id]}
    )
    response = officer.post(
        url(app, "training.attendance", session_id=record.id),
        data={f"person_{member_id}": "attended", "extra": "0"},
    )
    assert response.status_code == 302, response.text
    assert session.scalars(select(Attendance.outcome)).all() == ["attended"]
    home = parse(member.get(url(app, "members.home")).text)
    assert "Held yesterday" in home.text_by_id["attendance"]
    assert "Attended" in home.text_by_id["attendance"]


def test_attendance_cannot_be_recorded_before_a_session(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    record = make_session(session, "Next year", date(utcnow().year + 1, 3, 1))
    session.commit()
    page = parse(client.get(url(app, "training.attendance", session_id=record.id)).text)
    assert "Attendance can be recorded once the session has begun" in page.text
    assert page.find_all("form", method="post") == []


def test_who_is_due_shows_each_role_and_each_person(
    app: Flask, client_as: Callable[[str], FlaskClient]
) -> None:
    client_as("member")
    planner = client_as("planner")
    page = parse(planner.get(url(app, "training.due")).text)
    assert "Elected member" in page.text
    assert "member@test.invalid" in page.text_by_id["people"]
    page = parse(planner.get(url(app, "training.due", role="planner")).text)
    assert "member@test.invalid" not in page.text_by_id["people"]


def test_only_administrators_change_the_training_policy(
    app: Flask, client_as: Callable[[str], FlaskClient]
) -> None:
    assert client_as("officer").get(url(app, "training.policy")).status_code == 403
    admin = client_as("admin")
    response = admin.post(
        url(app, "training.policy"),
        data={
            "start_month": "5",
            "start_day": "20",
            "member_rule": "year",
            "responder_rule": "months",
            "responder_months": "24",
            "first_training_months": "6",
        },
    )
    assert response.status_code == 302, response.text
    page = parse(admin.get(url(app, "training.due")).text)
    assert "once every municipal year (from 20 May)" in page.text
    assert "every 2 years" in page.text


def test_members_cannot_plan_sessions_or_record_attendance(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    record = make_session(session)
    session.commit()
    member = client_as("member")
    for endpoint in ("training.new", "training.due", "training.policy"):
        assert member.get(url(app, endpoint)).status_code == 403, endpoint
    for endpoint in ("training.edit", "training.invite_people", "training.attendance"):
        address = url(app, endpoint, session_id=record.id)
        assert member.get(address).status_code == 403, endpoint
        assert member.post(address, data={}).status_code == 403, endpoint
    assert member.get(url(app, "training.detail", session_id=record.id)).status_code == 200


def test_who_is_due_says_when_reminders_go_as_the_duty_policy_sets_them(
    app: Flask, client_as: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    planner = client_as("planner")
    page = parse(planner.get(url(app, "training.due")).text)
    assert page.text_by_id["reminder-rule"] == (
        "Each person is reminded of their own training 90, 30 and 7 days before the due date "
        "and weekly while overdue, as for plan duties."
    )
    # The reminder pass reads the same stored policy for training as for plan duties.
    with sessions() as session:
        choice = PolicyChoice.of(stored_policy(session))
        save_policy(
            session,
            replace(choice, reminder_lead_days=(60, 14), overdue_reminder_every_days=14),
            "admin@test.invalid",
        )
        session.commit()
    page = parse(planner.get(url(app, "training.due")).text)
    assert page.text_by_id["reminder-rule"] == (
        "Each person is reminded of their own training 60 and 14 days before the due date "
        "and every 14 days while overdue, as for plan duties."
    )
