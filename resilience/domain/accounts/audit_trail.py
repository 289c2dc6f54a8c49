"""Reading the audit trail: filtered, newest first, and as CSV for an inspector."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from resilience.csv_export import spreadsheet_csv
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
