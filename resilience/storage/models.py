"""The register's tables: hazards (establishments and pipelines), their zones, wards, receptors."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from resilience.storage.geometry_type import Geometry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware (a callable, so each row gets its own)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Hazard(Base):
    """A COMAH establishment or a major-accident-hazard pipeline: anything that has zones."""

    __tablename__ = "hazards"
    __table_args__ = (
        CheckConstraint("kind IN ('establishment', 'pipeline')", name="kind"),
        CheckConstraint("tier IS NULL OR tier IN ('upper', 'lower')", name="tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(40), default="operational")
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())
    # Land-use-planning distances and the public information zone, metres (EPSG:27700 buffers).
    inner_m: Mapped[float | None] = mapped_column(Float)
    middle_m: Mapped[float | None] = mapped_column(Float)
    outer_m: Mapped[float | None] = mapped_column(Float)
    piz_m: Mapped[float | None] = mapped_column(Float)
    # Establishments
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    tier: Mapped[str | None] = mapped_column(String(10))
    substances: Mapped[str] = mapped_column(Text, default="")
    # Pipelines
    substance: Mapped[str] = mapped_column(String(200), default="")
    diameter_mm: Mapped[float | None] = mapped_column(Float)
    pressure_bar: Mapped[float | None] = mapped_column(Float)
    # Provenance: where the facts came from, and what is illustrative rather than sourced.
    location_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    zones: Mapped[list[Zone]] = relationship(
        back_populates="hazard", cascade="all, delete-orphan", order_by="Zone.kind"
    )

    __mapper_args__ = {"polymorphic_on": "kind"}


class Establishment(Hazard):
    __mapper_args__ = {"polymorphic_identity": "establishment"}


class Pipeline(Hazard):
    __mapper_args__ = {"polymorphic_identity": "pipeline"}


class Zone(Base):
    """A hazard's zone: derived from its distances, or imported as the polygon HSE supplied."""

    __tablename__ = "zones"
    __table_args__ = (
        UniqueConstraint("hazard_id", "kind", name="hazard_kind"),
        CheckConstraint("origin IN ('derived', 'imported')", name="origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(10), default="derived")
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())
    area_m2: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, default="")

    hazard: Mapped[Hazard] = relationship(back_populates="zones")
    exposures: Mapped[list[ZoneExposure]] = relationship(
        back_populates="zone", cascade="all, delete-orphan"
    )

    @property
    def zone_id(self) -> str:
        """Return the public identifier `<site ref>:<kind>` used in files and commands."""
        return f"{self.hazard.ref}:{self.kind}"


class ZoneExposure(Base):
    """One row of a zone's exposure table: a ward it overlaps, or the part outside every ward."""

    __tablename__ = "zone_exposures"
    __table_args__ = (UniqueConstraint("zone_id", "ward_code", name="zone_ward"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    ward_code: Mapped[str] = mapped_column(String(20), index=True)  # or "OUTSIDE"
    overlap_m2: Mapped[float] = mapped_column(Float)
    ward_share: Mapped[float | None] = mapped_column(Float)
    zone_share: Mapped[float] = mapped_column(Float)

    zone: Mapped[Zone] = relationship(back_populates="exposures")


class Ward(Base):
    """An electoral ward boundary, with an optional population estimate."""

    __tablename__ = "wards"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lad_code: Mapped[str] = mapped_column(String(20), default="")
    lad_name: Mapped[str] = mapped_column(String(200), default="")
    population: Mapped[int | None] = mapped_column(Integer)
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())
    source: Mapped[str] = mapped_column(Text, default="")
    # The bounding box, so that the wards near a zone are found by an indexed query on any database.
    min_lon: Mapped[float] = mapped_column(Float, index=True)
    max_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)


@event.listens_for(Ward, "before_insert")
@event.listens_for(Ward, "before_update")
def _ward_bounds(_mapper: object, _connection: object, ward: Ward) -> None:
    ward.min_lon, ward.min_lat, ward.max_lon, ward.max_lat = ward.geometry.bounds


class Receptor(Base):
    """A sensitive place: school, care home, hospital or other vulnerable place."""

    __tablename__ = "receptors"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('school', 'nursery', 'care_home', 'hospital', 'other')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())
    location_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")


class Plan(Base):
    """An emergency plan and the dates its statutory or local-policy duties run from."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(
            "regime IN ('comah_external', 'pipeline', 'reppir', 'cca_local')", name="regime"
        ),
        CheckConstraint("marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')", name="marking"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    regime: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(200), default="")
    marking: Mapped[str] = mapped_column(String(20), default="OFFICIAL")
    status: Mapped[str] = mapped_column(String(40), default="draft")
    notified_on: Mapped[date | None] = mapped_column(Date)
    extension_agreed: Mapped[bool] = mapped_column(default=False)
    adopted_on: Mapped[date | None] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    last_exercised_on: Mapped[date | None] = mapped_column(Date)
    hazard_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    """Someone who signs in; the role decides what they may see and change."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'officer', 'planner', 'member')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # No longer used: sign-in throttling is kept per e-mail address in sign_in_failures.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One change to the register: who, when, what, and the values before and after.

    Append-only: the migration adds triggers that refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254), index=True)
    action: Mapped[str] = mapped_column(String(20), index=True)  # create, update, delete, import
    entity: Mapped[str] = mapped_column(String(40), index=True)  # table name
    ref: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)


import resilience.storage.plan_models  # noqa: E402, F401
import resilience.storage.reminder_models  # noqa: E402, F401
import resilience.storage.sign_in_models  # noqa: E402, F401
import resilience.storage.training_models  # noqa: E402, F401
