"""The personal iCalendar feed, fetched from its secret URL and parsed back with icalendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import icalendar
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.scheduling.calendar_feed import renew_calendar_token
from resilience.storage.models import User
from resilience.storage.plan_models import Exercise
from resilience.storage.training_models import Invitation, TrainingSession
from tests.scheduling.builders import add_plan
from tests.web.html import Page


def _user(session: Session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def _register(session: Session) -> dict[str, int]:
    """Add plans, an exercise and a training session; return the ids the feed will name."""
    p1 = add_plan(
        session,
        "P1",
        title="Runcorn Site plan",
        adopted_on=date(2024, 3, 2),
        last_exercised_on=date(2026, 1, 1),
    )
    add_plan(
        session,
        "P2",
        title="Town plan",
        regime="cca_local",
        adopted_on=date(2025, 5, 20),
        owner="member@test.invalid",
    )
    add_plan(session, "P3", title="Unprepared plan", regime="cca_local")  # no date: no event
    exercise = Exercise(
        title="Exercise Mersey",
        exercise_type="table_top",
        status="planned",
        planned_on=date(2027, 6, 15),
        plans=[p1],
    )
    training = TrainingSession(
        title="JESIP awareness",
        starts_at=datetime(2027, 2, 10, 9, 30, tzinfo=UTC),
        ends_at=datetime(2027, 2, 10, 12, 0, tzinfo=UTC),
        audience="responders",
        place="Municipal Building, Widnes",
    )
    session.add_all([exercise, training])
    session.flush()
    session.add(
        Invitation(session_id=training.id, user_id=_user(session, "officer@test.invalid").id)
    )
    session.commit()
    return {"exercise": exercise.id, "training": training.id}


def _feed(client: FlaskClient, token: str) -> tuple[bytes, icalendar.Calendar]:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.data, icalendar.Calendar.from_ical(response.data)


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.events}


def test_the_feed_parses_back_with_the_expected_events(
    client_as: Callable[[str], FlaskClient],
    anonymous: FlaskClient,
    sessions: sessionmaker[Session],
) -> None:
    client_as("officer")
    client_as("member")
    with sessions() as session:
        ids = _register(session)
        officer = renew_calendar_token(
            session, _user(session, "officer@test.invalid").id, datetime.now(UTC)
        )
        member = renew_calendar_token(
            session, _user(session, "member@test.invalid").id, datetime.now(UTC)
        )
        session.commit()

    raw, calendar = _feed(anonymous, officer)  # no sign-in: the token is the credential
    assert (str(calendar["VERSION"]), str(calendar["METHOD"])) == ("2.0", "PUBLISH")
    assert str(calendar["PRODID"]) == "-//Resilience//Emergency planning register//EN"
    events = _events(calendar)
    training = f"training-session-{ids['training']}@resilience"
    assert set(events) == {
        "duty-P1-review-20270302@resilience",
        "duty-P1-exercise-20290101@resilience",
        "duty-P2-review-20280520@resilience",
        "duty-P2-exercise-20280520@resilience",
        f"exercise-{ids['exercise']}@resilience",
        training,
    }
    review = events["duty-P1-review-20270302@resilience"]
    assert str(review["SUMMARY"]) == "Review due: Runcorn Site plan"
    assert (review.decoded("DTSTART"), review.decoded("DTEND")) == (
        date(2027, 3, 2),
        date(2027, 3, 3),
    )
    assert "Basis: statutory, COMAH 2015 reg. 14." in str(review["DESCRIPTION"])
    assert str(review["URL"]) == "http://localhost/plans/P1"
    exercise = events[f"exercise-{ids['exercise']}@resilience"]
    assert (str(exercise["SUMMARY"]), exercise.decoded("DTSTART")) == (
        "Exercise: Exercise Mersey",
        date(2027, 6, 15),
    )
    assert events[training].decoded("DTSTART") == datetime(2027, 2, 10, 9, 30, tzinfo=UTC)
    # RFC 5545: every VEVENT has UID and DTSTAMP; lines end in CRLF and fold at 75 octets.
    assert all("DTSTAMP" in event and "DTSTART" in event for event in events.values())
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75

    # An elected member sees the duties of the plan they own, and nothing of the rest.
    _raw, member_calendar = _feed(anonymous, member)
    assert set(_events(member_calendar)) == {
        "duty-P2-review-20280520@resilience",
        "duty-P2-exercise-20280520@resilience",
    }


def test_unknown_replaced_and_disabled_tokens_find_nothing(
    client_as: Callable[[str], FlaskClient],
    anonymous: FlaskClient,
    sessions: sessionmaker[Session],
) -> None:
    client_as("officer")
    with sessions() as session:
        user_id = _user(session, "officer@test.invalid").id
        old = renew_calendar_token(session, user_id, datetime.now(UTC))
        new = renew_calendar_token(session, user_id, datetime.now(UTC))
        session.commit()
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200
    with sessions.begin() as session:
        session.get(User, user_id).active = False  # type: ignore[union-attr]
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 404


@pytest.mark.parametrize("role", ["admin", "member"])
def test_a_user_makes_their_own_link_and_sees_it(
    role: str, client_as: Callable[[str], FlaskClient], anonymous: FlaskClient
) -> None:
    client = client_as(role)
    page = Page(client.get("/notifications").text)
    assert "calendar-feed-url" not in page.text_by_id
    response = client.post("/calendar/link")
    assert response.status_code == 302
    page = Page(client.get(response.headers["Location"]).text)
    url = page.text_by_id["calendar-feed-url"]
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    assert anonymous.get(url.removeprefix("http://localhost")).status_code == 200
