"""The audit trail: every create, update and delete of a register record, written in the same flush.

Hooked on SQLAlchemy's `before_flush`, so that no path (web form, import, command line, scheduler)
can change an audited table without leaving a record. Who did it comes from `session.info["actor"]`.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from resilience.storage.models import AuditEvent

AUDITED_TABLES = frozenset(
    {
        "hazards",
        "zones",
        "wards",
        "receptors",
        "plans",
        "users",
        "plan_versions",
        "plan_letters",
        "plan_consultations",
        "plan_reviews",
        "exercises",
        "organisations",
        "lessons",
        "policy_settings",
        "training_sessions",
        "attendance",
        "whatif_scenarios",
    }
)
# A scenario's results (large, and never changed after saving) are not copied into the trail.
NEVER_RECORDED = frozenset(
    {
        "results",
        "password_hash",
        "calendar_token",
        "updated_at",
        "min_lon",
        "max_lon",
        "min_lat",
        "max_lat",
    }
)


def set_actor(session: Session, actor: str) -> None:
    """Name who is making this session's changes (an e-mail address, or e.g. 'cli')."""
    session.info["actor"] = actor


def _plain(value: Any) -> Any:
    """Return `value` as JSON: geometries are summarised (type, size, fingerprint), not copied."""
    if isinstance(value, BaseGeometry):
        wkb = shapely.to_wkb(value)
        return {
            "type": value.geom_type,
            "vertices": int(shapely.get_num_coordinates(value)),
            "bounds": [round(v, 6) for v in value.bounds],
            "sha256": hashlib.sha256(wkb).hexdigest()[:16],
        }
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _ref(obj: Any) -> str:
    for name in ("ref", "code", "email"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    kind = getattr(obj, "kind", None)
    hazard = getattr(obj, "hazard", None)
    if hazard is not None and kind:
        return f"{hazard.ref}:{kind}"
    return str(getattr(obj, "id", "") or "")


def _columns(obj: Any) -> list[str]:
    return [attr.key for attr in inspect(obj).mapper.column_attrs if attr.key not in NEVER_RECORDED]


def _snapshot(obj: Any) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in _columns(obj)}


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in _columns(obj):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if (
            isinstance(old, BaseGeometry)
            and isinstance(new, BaseGeometry)
            and old.equals_exact(new, 0)
        ):
            continue
        if old == new and not isinstance(old, BaseGeometry):
            continue
        before[name], after[name] = _plain(old), _plain(new)
    return before, after


def _audited(obj: Any) -> bool:
    table = getattr(obj, "__tablename__", None)
    return table in AUDITED_TABLES


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, _context: Any, _instances: Any) -> None:
    actor = str(session.info.get("actor", "system"))
    events: list[AuditEvent] = []
    for obj in session.new:
        if _audited(obj):
            events.append(
                AuditEvent(
                    actor=actor,
                    action="create",
                    entity=obj.__tablename__,
                    ref=_ref(obj),
                    before=None,
                    after=_snapshot(obj),
                )
            )
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                events.append(
                    AuditEvent(
                        actor=actor,
                        action="update",
                        entity=obj.__tablename__,
                        ref=_ref(obj),
                        before=before,
                        after=after,
                    )
                )
    for obj in session.deleted:
        if _audited(obj):
            events.append(
                AuditEvent(
                    actor=actor,
                    action="delete",
                    entity=obj.__tablename__,
                    ref=_ref(obj),
                    before=_snapshot(obj),
                    after=None,
                )
            )
    session.add_all(events)


def record_import(session: Session, entity: str, summary: dict[str, Any]) -> None:
    """Add one event that sums up a whole-file import (the records have their own events)."""
    actor = str(session.info.get("actor", "system"))
    session.add(
        AuditEvent(
            actor=actor,
            action="import",
            entity=entity,
            ref=str(summary.get("file", "")),
            before=None,
            after=summary,
        )
    )
