"""Test data for training and reports: people, sessions and attendance, made by small factories."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from resilience.domain.training.sessions import local_moment
from resilience.storage.models import Attendance, Invitation, TrainingSession, User


def make_user(
    session: Session,
    email: str,
    role: str = "member",
    joined: date = date(2024, 5, 1),
    **values: Any,
) -> User:
    """Return a stored user who joined on ``joined`` (their account's creation day)."""
    user = User(
        email=email,
        role=role,
        password_hash="not-a-hash",
        created_at=datetime.combine(joined, time(9), tzinfo=UTC),
        **values,
    )
    session.add(user)
    session.flush()
    return user


def make_session(
    session: Session,
    title: str = "COMAH briefing",
    day: date = date(2026, 3, 10),
    start: time = time(18, 0),
    end: time = time(20, 0),
    **values: Any,
) -> TrainingSession:
    """Return a stored session on ``day`` (UK local times), for members by default."""
    values.setdefault("audience", "members")
    values.setdefault("topics", ["comah"])
    values.setdefault("place", "Council Chamber, Municipal Building, Widnes")
    record = TrainingSession(
        title=title,
        starts_at=local_moment(day, start),
        ends_at=local_moment(day, end),
        **values,
    )
    session.add(record)
    session.flush()
    return record


def attend(
    session: Session, record: TrainingSession, user: User, outcome: str = "attended"
) -> Attendance:
    """Return a stored attendance record (with the person invited too)."""
    if not any(i.user_id == user.id for i in record.invitations):
        record.invitations.append(Invitation(user_id=user.id))
    row = Attendance(user_id=user.id, outcome=outcome)
    record.attendance.append(row)
    session.flush()
    return row
