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
from resilience.storage.models import Exercise, Invitation, TrainingSession, User
from tests.support.builders import add_plan
from tests.support.html import parse


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
    # Withdrawn: no duties on the dashboard, so none in the feed either.
    add_plan(session, "P4", title="Old plan", adopted_on=date(2020, 1, 6), status="withdrawn")
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
    assert response.headers["Cache-Control"] == "no-store"
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
    page = parse(client.get("/notifications").text)
    assert "calendar-feed-url" not in page.text_by_id
    response = client.post("/calendar/link")
    assert response.status_code == 302
    page = parse(client.get(response.headers["Location"]).text)
    url = page.text_by_id["calendar-feed-url"]
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    assert anonymous.get(url.removeprefix("http://localhost")).status_code == 200


def test_invited_training_and_planned_exercises_keep_their_uids_and_show_cancellations(
    client_as: Callable[[str], FlaskClient],
    anonymous: FlaskClient,
    sessions: sessionmaker[Session],
) -> None:
    client_as("member")
    client_as("officer")
    with sessions() as session:
        member = _user(session, "member@test.invalid")
        owned = add_plan(session, "OWN", title="Member's plan", owner="member@test.invalid")
        other = add_plan(session, "OTHER", title="Someone else's plan")
        held = Exercise(
            title="Held already",
            exercise_type="live",
            status="held",
            held_on=date(2026, 3, 1),
            plans=[owned],
        )
        mine = Exercise(
            title="Exercise Widnes",
            exercise_type="table_top",
            status="planned",
            planned_on=date(2027, 9, 8),
            plans=[owned],
        )
        theirs = Exercise(
            title="Exercise Runcorn",
            exercise_type="live",
            status="planned",
            planned_on=date(2027, 10, 1),
            plans=[other],
        )
        briefing = TrainingSession(
            title="COMAH briefing",
            starts_at=datetime(2027, 3, 10, 18, 0, tzinfo=UTC),
            ends_at=datetime(2027, 3, 10, 20, 0, tzinfo=UTC),
            audience="members",
            place="Council Chamber",
        )
        called_off = TrainingSession(
            title="Pipelines walk-round",
            starts_at=datetime(2027, 4, 2, 10, 0, tzinfo=UTC),
            ends_at=datetime(2027, 4, 2, 12, 0, tzinfo=UTC),
            audience="both",
            place="Ditton",
            status="cancelled",
        )
        not_invited = TrainingSession(
            title="Responders only",
            starts_at=datetime(2027, 5, 5, 10, 0, tzinfo=UTC),
            ends_at=datetime(2027, 5, 5, 12, 0, tzinfo=UTC),
            audience="responders",
            place="Runcorn",
        )
        session.add_all([held, mine, theirs, briefing, called_off, not_invited])
        session.flush()
        session.add_all(
            [
                Invitation(session_id=briefing.id, user_id=member.id),
                Invitation(session_id=called_off.id, user_id=member.id),
            ]
        )
        token = renew_calendar_token(session, member.id, datetime.now(UTC))
        ids = {
            "mine": mine.id,
            "theirs": theirs.id,
            "briefing": briefing.id,
            "called_off": called_off.id,
        }
        session.commit()

    raw, calendar = _feed(anonymous, token)
    uids = [str(event["UID"]) for event in calendar.events]
    assert len(uids) == len(set(uids)), "an event appears twice"
    events = _events(calendar)
    briefing_uid = f"training-session-{ids['briefing']}@resilience"
    called_off_uid = f"training-session-{ids['called_off']}@resilience"
    exercise_uid = f"exercise-{ids['mine']}@resilience"
    # The member's own plan is undated (no adoption date): its duty has no day to go on.
    assert set(events) == {briefing_uid, called_off_uid, exercise_uid}
    assert str(events[briefing_uid]["STATUS"]) == "CONFIRMED"
    assert str(events[briefing_uid]["SUMMARY"]) == "Training: COMAH briefing"
    assert str(events[briefing_uid]["LOCATION"]) == "Council Chamber"
    assert str(events[briefing_uid]["URL"]) == f"http://localhost/training/{ids['briefing']}"
    assert (events[briefing_uid].decoded("DTSTART"), events[briefing_uid].decoded("DTEND")) == (
        datetime(2027, 3, 10, 18, 0, tzinfo=UTC),
        datetime(2027, 3, 10, 20, 0, tzinfo=UTC),
    )
    assert str(events[called_off_uid]["STATUS"]) == "CANCELLED"
    assert str(events[exercise_uid]["SUMMARY"]) == "Exercise: Exercise Widnes"
    assert events[exercise_uid].decoded("DTSTART") == date(2027, 9, 8)

    # The session moves by an hour and the exercise is renamed: the same events, updated.
    with sessions.begin() as session:
        moved = session.get(TrainingSession, ids["briefing"])
        assert moved is not None
        moved.starts_at = datetime(2027, 3, 10, 19, 0, tzinfo=UTC)
        moved.ends_at = datetime(2027, 3, 10, 21, 0, tzinfo=UTC)
        renamed = session.get(Exercise, ids["mine"])
        assert renamed is not None
        renamed.title = "Exercise Widnes (rearranged)"
    _raw, again = _feed(anonymous, token)
    events = _events(again)
    assert set(events) == {briefing_uid, called_off_uid, exercise_uid}
    assert events[briefing_uid].decoded("DTSTART") == datetime(2027, 3, 10, 19, 0, tzinfo=UTC)
    assert str(events[exercise_uid]["SUMMARY"]) == "Exercise: Exercise Widnes (rearranged)"

    # Staff see every planned exercise; only their own invitations, here none.
    with sessions() as session:
        officer = renew_calendar_token(
            session, _user(session, "officer@test.invalid").id, datetime.now(UTC)
        )
        session.commit()
    _raw, staff = _feed(anonymous, officer)
    staff_uids = set(_events(staff))
    assert {exercise_uid, f"exercise-{ids['theirs']}@resilience"} <= staff_uids
    assert not any(uid.startswith("training-session-") for uid in staff_uids)
    assert raw.count(b"BEGIN:VEVENT") == 3
