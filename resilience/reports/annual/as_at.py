"""The register as it stood at the end of a report's period, rebuilt from the audit trail.

A past period's report must say what was true then, however the register has moved on since:

* sites, pipelines and plans count only if they were in the register by the period's end
  (``created_at``; None means before the register's records began), including ones removed
  since (from the audit trail's record of the deletion);
* every other attribute (a plan's status, title or dates, a site's tier) is taken back to its
  value at the period's end by undoing, newest first, the audit trail's later changes;
* a date after the period's end never counts: a plan adopted, reviewed or exercised later is
  as it was before. Records dated inside the period but entered or corrected after it ended
  do count (they are what was true then) and ``later_changes`` says how many there were.

Nothing here writes: the plans returned are transient copies, never added to the session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, select
from sqlalchemy.orm import Session

from resilience.domain.training.refresher import local_date
from resilience.storage.models import (
    AuditEvent,
    Base,
    Exercise,
    Hazard,
    Lesson,
    Plan,
    PlanReview,
    TrainingSession,
)

# Attributes that never go back in time: when a record entered the register is the register's
# best knowledge now (the demo data set, for one, is marked as held before records began).
TIMELESS = frozenset({"id", "created_at"})


@dataclass(frozen=True)
class HazardAsAt:
    """A site or pipeline as it stood at the end of a period."""

    id: int
    ref: str
    name: str
    kind: str
    tier: str | None
    status: str = "operational"
    information_received_on: date | None = None
    public_information_supplied_on: date | None = None
    liaison_officer: str = ""


def _typed(model: type[Base], values: Mapping[str, Any]) -> dict[str, Any]:
    """Return audit-trail values (JSON: dates as text) as the model's column types."""
    columns = model.__table__.columns
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in columns:
            continue
        kind = columns[name].type
        if isinstance(value, str) and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Date):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def _later_events(session: Session, entity: str, end: date) -> list[AuditEvent]:
    """Return the audit events on ``entity`` after the UK day ``end``, the newest first."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == entity)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return [e for e in events if local_date(e.at) > end]


def _created_on(session: Session, entity: str, ref: str) -> datetime | None:
    return session.scalar(
        select(AuditEvent.at)
        .where(AuditEvent.entity == entity, AuditEvent.action == "create", AuditEvent.ref == ref)
        .order_by(AuditEvent.at)
        .limit(1)
    )


def states_at_end(
    session: Session, model: type[Base], rows: Iterable[Any], end: date
) -> list[dict[str, Any]]:
    """Return each record of ``model`` that was in the register at the end of the UK day ``end``,
    as a dict of its columns with their values then."""
    entity = str(model.__tablename__)
    names = [c.name for c in model.__table__.columns]
    current = {row.ref: {n: getattr(row, n) for n in names} for row in rows}
    states = dict(current)
    for event in _later_events(session, entity, end):
        if event.action == "update" and event.ref in states:
            state = dict(states.pop(event.ref))
            state.update(
                {k: v for k, v in _typed(model, event.before or {}).items() if k not in TIMELESS}
            )
            states[str(state["ref"])] = state
        elif event.action == "delete" and event.before:
            state = _typed(model, event.before)
            if "created_at" not in state:  # removed before the column existed
                state["created_at"] = _created_on(session, entity, event.ref)
            states.setdefault(event.ref, state)
    return [
        state
        for state in states.values()
        if state.get("created_at") is None or local_date(state["created_at"]) <= end
    ]


def hazards_at_end(session: Session, end: date) -> list[HazardAsAt]:
    """Return the sites and pipelines in the register at the end of ``end``, by reference."""
    hazards = session.scalars(select(Hazard))
    return sorted(
        (
            HazardAsAt(
                s["id"],
                s["ref"],
                s["name"],
                s["kind"],
                s.get("tier"),
                s.get("status") or "",
                _on_or_before(end, s.get("information_received_on")),
                _on_or_before(end, s.get("public_information_supplied_on")),
                s.get("liaison_officer") or "",
            )
            for s in states_at_end(session, Hazard, hazards, end)
        ),
        key=lambda h: h.ref,
    )


def _on_or_before(end: date, *days: date | None) -> date | None:
    """Return the first of ``days`` that is on or before ``end``."""
    return next((d for d in days if d is not None and d <= end), None)


def plans_at_end(session: Session, end: date) -> list[Plan]:
    """Return the plans in the register at the end of ``end`` with their dates as they stood,
    as transient copies (never added to the session), by reference.

    Each date is the plan's value now if that is on or before ``end`` (a correction, or a record
    of the period entered late), else its value at the end of ``end``, else none.
    """
    current = {p.id: p for p in session.scalars(select(Plan))}
    out = []
    for state in states_at_end(session, Plan, current.values(), end):
        now = current.get(state["id"])
        then = dict(state)

        def day(name: str, state: dict[str, Any] = state, now: Plan | None = now) -> date | None:
            return _on_or_before(end, getattr(now, name, None), state.get(name))

        for name in (
            "notified_on",
            "adopted_on",
            "last_reviewed_on",
            "last_exercised_on",
            "last_non_discussion_exercise_on",
        ):
            then[name] = day(name)
        # The last exercise's type goes with its date: now's where the date is now's.
        if now is not None and then["last_exercised_on"] == now.last_exercised_on:
            then["last_exercise_type"] = now.last_exercise_type
        elif then["last_exercised_on"] is None:
            then["last_exercise_type"] = None
        out.append(Plan(**then))
    return sorted(out, key=lambda p: p.ref)


# --- what was entered or corrected after the period ended ------------------------------------

DATE_FIELDS = (
    "reviewed_on",
    "held_on",
    "adopted_on",
    "last_reviewed_on",
    "last_exercised_on",
    "closed_on",
    "notified_on",
    "starts_at",
)
DATED_ENTITIES = ("plans", "plan_reviews", "exercises", "lessons", "training_sessions")


@dataclass(frozen=True)
class LaterChanges:
    """Records dated inside a period that were entered, or changed or removed, after it ended."""

    entered: int
    changed: int


def _days(values: Mapping[str, Any] | None) -> set[date]:
    out: set[date] = set()
    for name in DATE_FIELDS:
        value = (values or {}).get(name)
        if isinstance(value, str) and value:
            moment = datetime.fromisoformat(value)
            out.add(local_date(moment) if name == "starts_at" else moment.date())
    return out


def _current_days(session: Session) -> dict[tuple[str, str], set[date]]:
    """Return the dates each current dated record carries, by (table, audit reference)."""
    out: dict[tuple[str, str], set[date]] = {}

    def add(table: str, ref: str, *days: date | None) -> None:
        out.setdefault((table, ref), set()).update(d for d in days if d is not None)

    for plan in session.scalars(select(Plan)):
        add("plans", plan.ref, plan.adopted_on, plan.last_reviewed_on, plan.last_exercised_on)
    for review in session.scalars(select(PlanReview)):
        add("plan_reviews", review.ref, review.reviewed_on)
    for exercise in session.scalars(select(Exercise)):
        add("exercises", exercise.ref, exercise.held_on)
    for lesson in session.scalars(select(Lesson)):
        add("lessons", lesson.ref, lesson.closed_on, lesson.exercise.held_on)
    for record in session.scalars(select(TrainingSession)):
        add("training_sessions", record.ref, local_date(record.starts_at))
    return out


# A plan's last review and exercise follow its reviews and exercises: moving them on past the
# period is a later record, not a correction of one in it.
FOLLOWED_FIELDS = frozenset({"last_reviewed_on", "last_exercised_on"})


def _touches_period(event: AuditEvent, current: set[date], start: date, end: date) -> bool:
    before, after = dict(event.before or {}), dict(event.after or {})
    if event.entity == "plans" and event.action == "update":
        for name in FOLLOWED_FIELDS & after.keys():
            if _days({name: after[name]}) and min(_days({name: after[name]})) > end:
                before.pop(name, None)
                after.pop(name, None)
        current = set()  # a plan's other changes (status, owner) are not records of the period
    elif event.entity == "lessons":
        current = set()  # closing a lesson later is a later record; its closure date tells
    days = _days(before) | _days(after) | current
    return any(start <= d <= end for d in days)


def later_changes(session: Session, start: date, end: date) -> LaterChanges:
    """Return how many records dated from ``start`` to ``end`` were entered, or changed, after
    ``end`` (each record counted once, as changed if it was ever changed)."""
    current = _current_days(session)
    entered: set[tuple[str, str]] = set()
    changed: set[tuple[str, str]] = set()
    for entity in DATED_ENTITIES:
        for event in _later_events(session, entity, end):
            key = (entity, event.ref)
            if _touches_period(event, current.get(key, set()), start, end):
                (entered if event.action == "create" else changed).add(key)
    return LaterChanges(entered=len(entered - changed), changed=len(changed))
