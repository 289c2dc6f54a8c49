"""Training sessions: planning them, inviting people, recording attendance, calendar events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.clock import LOCAL_TIMEZONE, as_utc, local_date
from resilience.domain.training.refresher import (
    AUDIENCES,
    OUTCOMES,
    TOPICS,
    cohort_of,
)
from resilience.errors import InputError
from resilience.storage.models import Attendance, Invitation, TrainingSession, User


@dataclass(frozen=True)
class SessionValues:
    """A session's details as a form or an import gives them, times in UK local time."""

    title: str
    day: date
    start: time
    end: time
    place: str
    link: str
    audience: str
    topics: tuple[str, ...]
    hazard_refs: tuple[str, ...]
    trainer: str
    capacity: int | None
    note: str = ""
    cancelled: bool = False


def local_moment(day: date, at: time) -> datetime:
    """Return UK local ``day`` at ``at`` as a UTC datetime."""
    return datetime.combine(day, at, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def check_session_values(values: SessionValues, known_hazards: Iterable[str]) -> None:
    """Raise InputError naming the field if the session's details do not make sense."""
    if not values.title.strip():
        raise InputError("Enter a title", field="title")
    if values.end <= values.start:
        raise InputError("The session must end after it starts", field="end")
    if values.audience not in AUDIENCES:
        raise InputError(f"{values.audience!r} is not an audience", field="audience")
    if not values.topics:
        raise InputError("Choose at least one topic", field="topics")
    unknown = [t for t in values.topics if t not in TOPICS]
    if unknown:
        raise InputError(f"{unknown[0]!r} is not a topic", field="topics")
    missing = sorted(set(values.hazard_refs) - set(known_hazards))
    if missing:
        raise InputError(f"no site or pipeline {missing[0]!r} in the register", field="hazard_refs")
    if "site_plan" in values.topics and not values.hazard_refs:
        raise InputError("Choose the site or pipeline whose plan is covered", field="hazard_refs")
    if not values.place.strip() and not values.link.strip():
        raise InputError("Enter a place or an online meeting link", field="place")
    if values.link and not values.link.startswith(("https://", "http://")):
        raise InputError("The link must start with https://", field="link")
    if values.capacity is not None and values.capacity < 1:
        raise InputError("Capacity must be 1 or more", field="capacity")


def save_session(
    session: Session,
    values: SessionValues,
    known_hazards: Iterable[str],
    existing: TrainingSession | None = None,
) -> TrainingSession:
    """Return the session created or changed; raises InputError on bad values. No commit."""
    check_session_values(values, known_hazards)
    record = existing or TrainingSession()
    if existing is not None and values.capacity is not None:
        if len(existing.invitations) > values.capacity:
            raise InputError(
                f"{len(existing.invitations)} people are already invited", field="capacity"
            )
    record.title = values.title.strip()
    record.starts_at = local_moment(values.day, values.start)
    record.ends_at = local_moment(values.day, values.end)
    record.place = values.place.strip()
    record.link = values.link.strip()
    record.audience = values.audience
    record.topics = [t for t in TOPICS if t in values.topics]
    record.hazard_refs = sorted(set(values.hazard_refs))
    record.trainer = values.trainer.strip()
    record.capacity = values.capacity
    record.note = values.note.strip()
    record.status = "cancelled" if values.cancelled else "planned"
    session.add(record)
    session.flush()
    return record


def eligible_users(session: Session, audience: str) -> list[User]:
    """Return the active users a session for ``audience`` is meant for, by name."""
    users = session.scalars(select(User).where(User.active.is_(True))).all()
    wanted = {"members": {"members"}, "responders": {"responders"}}.get(
        audience, {"members", "responders"}
    )
    chosen = [u for u in users if cohort_of(u.role) in wanted]
    return sorted(chosen, key=lambda u: ((u.display_name or u.email).lower(), u.id))


def invite(
    session: Session, record: TrainingSession, user_ids: Iterable[int], actor: str
) -> list[Invitation]:
    """Return the new invitations; raises InputError past capacity or for unknown people."""
    already = {i.user_id for i in record.invitations}
    wanted = [uid for uid in dict.fromkeys(user_ids) if uid not in already]
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}
    unknown = [uid for uid in wanted if uid not in users or not users[uid].active]
    if unknown:
        raise InputError(f"there is no active user with id {unknown[0]}", field="people")
    if record.capacity is not None and len(already) + len(wanted) > record.capacity:
        left = record.capacity - len(already)
        raise InputError(
            f"only {left} of {record.capacity} places are left; {len(wanted)} people were chosen",
            field="people",
        )
    made = [Invitation(user_id=uid, invited_by=actor) for uid in wanted]
    record.invitations.extend(made)
    session.flush()
    return made


def withdraw_invitation(session: Session, record: TrainingSession, user_id: int) -> None:
    """Remove one person's invitation (their attendance record, if any, stays)."""
    for invitation in list(record.invitations):
        if invitation.user_id == user_id:
            record.invitations.remove(invitation)
    session.flush()


def record_attendance(
    session: Session,
    record: TrainingSession,
    outcomes: Mapping[int, str],
    actor: str,
    now: datetime,
) -> None:
    """Record each person's outcome; raises InputError before the session has begun."""
    if record.status == "cancelled":
        raise InputError("the session was cancelled", field="outcome")
    starts_at = as_utc(record.starts_at)
    if now < starts_at:
        raise InputError("attendance can be recorded once the session has begun", field="outcome")
    for outcome in outcomes.values():
        if outcome not in OUTCOMES:
            raise InputError(f"{outcome!r} is not one of: {', '.join(OUTCOMES)}", field="outcome")
    existing = {a.user_id: a for a in record.attendance}
    known = set(session.scalars(select(User.id).where(User.id.in_(list(outcomes)))))
    for user_id, outcome in outcomes.items():
        if user_id not in known:
            raise InputError(f"there is no user with id {user_id}", field="outcome")
        row = existing.get(user_id)
        if row is None:
            record.attendance.append(
                Attendance(user_id=user_id, outcome=outcome, recorded_by=actor, recorded_at=now)
            )
        elif row.outcome != outcome:
            row.outcome, row.recorded_by, row.recorded_at = outcome, actor, now
    session.flush()


def sessions_between(session: Session, start: date, end: date) -> list[TrainingSession]:
    """Return the sessions held (not cancelled) on UK days from ``start`` to ``end`` inclusive."""
    rows = session.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.starts_at >= local_moment(start, time()) - timedelta(days=1),
            TrainingSession.starts_at < local_moment(end, time()) + timedelta(days=2),
        )
        .options(
            selectinload(TrainingSession.attendance).selectinload(Attendance.user),
            selectinload(TrainingSession.invitations),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    return [r for r in rows if r.status == "planned" and start <= local_date(r.starts_at) <= end]


def upcoming_sessions(session: Session, now: datetime) -> list[TrainingSession]:
    """Return sessions not cancelled that have not yet ended, soonest first."""
    return list(
        session.scalars(
            select(TrainingSession)
            .where(TrainingSession.ends_at >= now, TrainingSession.status == "planned")
            .options(selectinload(TrainingSession.invitations))
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
    )


def invited_sessions(session: Session, user_id: int) -> list[TrainingSession]:
    """Return every session ``user_id`` is invited to (cancelled ones too), soonest first."""
    return list(
        session.scalars(
            select(TrainingSession)
            .join(Invitation, Invitation.session_id == TrainingSession.id)
            .where(Invitation.user_id == user_id)
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
    )


@dataclass(frozen=True)
class AttendanceLine:
    """One session in a person's own record."""

    training_session: TrainingSession
    outcome: str | None  # None: invited, not yet recorded

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome or "", "Not recorded yet")


def attendance_history(session: Session, user_id: int, now: datetime) -> list[AttendanceLine]:
    """Return the sessions a person was invited to or attended that have begun, latest first."""
    outcomes = {
        a.session_id: a.outcome
        for a in session.scalars(select(Attendance).where(Attendance.user_id == user_id))
    }
    ids = set(outcomes) | {
        i.session_id
        for i in session.scalars(select(Invitation).where(Invitation.user_id == user_id))
    }
    rows = session.scalars(
        select(TrainingSession)
        .where(TrainingSession.id.in_(ids), TrainingSession.starts_at <= now)
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
    ).all()
    return [AttendanceLine(r, outcomes.get(r.id)) for r in rows if r.status == "planned"]


def calendar_event(record: TrainingSession, url: str = "") -> icalendar.Event:
    """Return the session as an iCalendar VEVENT for a person's calendar feed.

    The UID is stable, so a calendar that re-reads the feed updates the event rather than
    adding it again; a cancelled session stays in the feed with STATUS:CANCELLED.
    """
    event = icalendar.Event()
    event.add("uid", f"training-session-{record.id}@resilience")
    event.add("dtstamp", as_utc(record.created_at))
    event.add("dtstart", as_utc(record.starts_at))
    event.add("dtend", as_utc(record.ends_at))
    event.add("summary", f"Training: {record.title}")
    where = record.place or record.link
    if where:
        event.add("location", where)
    topics = ", ".join(TOPICS[t] for t in record.topics if t in TOPICS)
    lines = [f"For: {AUDIENCES.get(record.audience, record.audience)}", f"Topics: {topics}"]
    if record.trainer:
        lines.append(f"Trainer: {record.trainer}")
    if record.link:
        lines.append(f"Join online: {record.link}")
    event.add("description", "\n".join(lines))
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if record.status == "cancelled" else "CONFIRMED")
    return event


def calendar_events(session: Session, user_id: int) -> list[icalendar.Event]:
    """Return a VEVENT for every session ``user_id`` is invited to (for the calendar feed)."""
    return [calendar_event(record) for record in invited_sessions(session, user_id)]
