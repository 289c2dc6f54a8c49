"""Reading the audit trail: filtered, newest first, and as CSV for an inspector."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from resilience.csv_export import spreadsheet_csv
from resilience.domain.paging import PageOf, page_of
from resilience.storage.models import AuditEvent, utcnow


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    entity: str = ""
    action: str = ""
    ref: str = ""
    since: date | None = None
    until: date | None = None


def _query(criteria: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if criteria.actor:
        query = query.where(AuditEvent.actor == criteria.actor)
    if criteria.entity:
        query = query.where(AuditEvent.entity == criteria.entity)
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.ref:
        query = query.where(AuditEvent.ref == criteria.ref)
    zone = utcnow().tzinfo
    if criteria.since:
        query = query.where(AuditEvent.at >= datetime.combine(criteria.since, time(), zone))
    if criteria.until:
        end = datetime.combine(criteria.until + timedelta(days=1), time(), zone)
        query = query.where(AuditEvent.at < end)
    return query.order_by(AuditEvent.id.desc())


def audit_events(session: Session, criteria: AuditFilter, limit: int = 500) -> list[AuditEvent]:
    """Return the newest events that match `criteria`, at most `limit`."""
    return list(session.scalars(_query(criteria).limit(limit)))


def audit_csv(session: Session, criteria: AuditFilter) -> str:
    """Return every matching event as spreadsheet-safe CSV (before and after as JSON text)."""
    header = ("id", "at", "actor", "action", "entity", "ref", "before", "after")
    return spreadsheet_csv(
        header,
        (
            (
                event.id,
                event.at.isoformat(),
                event.actor,
                event.action,
                event.entity,
                event.ref,
                "" if event.before is None else json.dumps(event.before, sort_keys=True),
                "" if event.after is None else json.dumps(event.after, sort_keys=True),
            )
            for event in session.scalars(_query(criteria))
        ),
    )


def audit_choices(session: Session) -> dict[str, list[str]]:
    """Return the distinct actors, entities and actions, for the filter form."""
    return {
        "actor": sorted(set(session.scalars(select(AuditEvent.actor).distinct()))),
        "entity": sorted(set(session.scalars(select(AuditEvent.entity).distinct()))),
        "action": sorted(set(session.scalars(select(AuditEvent.action).distinct()))),
    }


AUDIT_PAGE_SIZE = 50


def audit_page(
    session: Session, criteria: AuditFilter, number: int, size: int = AUDIT_PAGE_SIZE
) -> PageOf[AuditEvent]:
    """Return page ``number`` (from 1; past the end gives the last page) of matching events."""
    return page_of(session, _query(criteria), number, size)


# The words an emergency planning team uses for what each event is about.
ENTITY_LABELS = {
    "hazards": "Establishment, pipeline or radiation premises",
    "establishments": "Establishments (file import)",
    "pipelines": "Pipelines (file import)",
    "radiation-premises": "Radiation premises (file import)",
    "wards": "Ward",
    "receptors": "Sensitive place",
    "zones": "Zone",
    "populations": "Ward populations (file import)",
    "plans": "Plan",
    "plan_versions": "Plan document version",
    "plan_reviews": "Plan review",
    "exercises": "Exercise",
    "lessons": "Lesson",
    "policy_settings": "Local policy setting",
    "training_sessions": "Training session",
    "attendance": "Training attendance",
    "users": "Person's account",
}
FIELD_LABELS = {
    "display_name": "name",
    "failed_logins": "failed sign-ins (no longer used)",
    "locked_until": "locked until",
    "email": "e-mail address",
    "ref": "identifier",
    "hazard_refs": "sites and pipelines",
    "plan_id": "plan",
    "exercise_id": "exercise",
    "session_id": "training session",
    "user_id": "person",
    "inner_m": "inner zone distance",
    "middle_m": "middle zone distance",
    "outer_m": "consultation distance",
    "piz_m": "public information zone",
    "information_received_on": "operator's information for the external plan received",
    "public_information_supplied_on": "public information last supplied in the PIZ",
    "liaison_officer": "officer who liaises with the operator",
    "area_m2": "area",
    "lad_code": "council code",
    "lad_name": "council",
    "code": "ward code",
    "geometry": "position or shape",
    "diameter_mm": "diameter",
    "pressure_bar": "pressure",
    "created_at": "entered in the register",
    "recorded_at": "recorded at",
    "uploaded_at": "uploaded at",
    "starts_at": "starts",
    "ends_at": "ends",
    "sha256": "file fingerprint",
    "size_bytes": "file size",
}


def entity_label(entity: str) -> str:
    """Return what an audit event's table is called in the team's words."""
    return ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())


def field_label(name: str) -> str:
    """Return a recorded field's name in plain words, e.g. 'display_name' -> 'name'."""
    return FIELD_LABELS.get(name, name.replace("_on", "").replace("_", " "))
