"""Test data, made by small functions (never shared mutable fixtures): register records, plans,
people and training sessions, and GeoJSON files of features. Every test builds from here."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from resilience.domain.training.sessions import local_moment
from resilience.storage.models import (
    Attendance,
    Establishment,
    Invitation,
    Pipeline,
    Plan,
    RadiationPremises,
    Receptor,
    TrainingSession,
    User,
    Ward,
)

# Somewhere in Runcorn, inside Halton's Mersey & Weston ward.
RUNCORN = (-2.7440, 53.3262)


def make_establishment(ref: str = "EST-1", **values: Any) -> Establishment:
    values.setdefault("name", f"Establishment {ref}")
    values.setdefault("geometry", Point(*RUNCORN))
    return Establishment(ref=ref, **values)


def make_pipeline(ref: str = "PIPE-1", **values: Any) -> Pipeline:
    values.setdefault("name", f"Pipeline {ref}")
    values.setdefault("geometry", LineString([(-2.70, 53.3075), (-2.742, 53.3225)]))
    return Pipeline(ref=ref, **values)


def make_radiation_premises(ref: str = "RAD-1", **values: Any) -> RadiationPremises:
    values.setdefault("name", f"Premises {ref}")
    values.setdefault("geometry", Point(*RUNCORN))
    return RadiationPremises(ref=ref, **values)


def make_ward(code: str = "W1", geometry: BaseGeometry | None = None, **values: Any) -> Ward:
    values.setdefault("name", f"Ward {code}")
    if geometry is None:
        geometry = Polygon([(-2.76, 53.31), (-2.72, 53.31), (-2.72, 53.34), (-2.76, 53.34)])
    return Ward(code=code, geometry=geometry, **values)


def make_receptor(ref: str = "REC-1", **values: Any) -> Receptor:
    values.setdefault("name", f"Place {ref}")
    values.setdefault("kind", "school")
    values.setdefault("geometry", Point(-2.7380, 53.3200))
    return Receptor(ref=ref, **values)


def write_geojson(path: Path, features: list[tuple[dict[str, Any], BaseGeometry | None]]) -> Path:
    """Write a FeatureCollection of (properties, geometry) pairs to `path` and return it."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": properties,
                "geometry": None if geometry is None else mapping(geometry),
            }
            for properties, geometry in features
        ],
    }
    path.write_text(json.dumps(collection))
    return path


# What a plan has once it is in force: the plan tests start from one adopted on this day.
ADOPTED_PLAN: dict[str, Any] = {
    "status": "adopted",
    "adopted_on": date(2021, 6, 30),
    "marking": "OFFICIAL",
    "hazard_refs": [],
}


def make_plan(ref: str = "PLAN-1", **values: Any) -> Plan:
    """Return a COMAH external plan (a draft, never adopted, unless told), not yet in a session."""
    values.setdefault("title", f"Plan {ref}")
    values.setdefault("regime", "comah_external")
    values.setdefault("owner", "Emergency Planning Team")
    return Plan(ref=ref, **values)


def add_plan(session: Session, ref: str = "PLAN-1", **values: Any) -> Plan:
    """Return a plan stored in `session` (flushed, not committed)."""
    plan = make_plan(ref, **values)
    session.add(plan)
    session.flush()
    return plan


def make_user(
    session: Session,
    email: str,
    role: str = "member",
    joined: date | datetime = date(2024, 5, 1),
    **values: Any,
) -> User:
    """Return a stored user who joined at ``joined`` (a day means 09:00 UTC that day)."""
    if not isinstance(joined, datetime):
        joined = datetime.combine(joined, time(9), tzinfo=UTC)
    user = User(
        email=email, role=role, password_hash="not a real hash", created_at=joined, **values
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
