"""The register's tables: hazards (establishments, pipelines, radiation premises), their zones,
wards, receptors."""

from __future__ import annotations

from datetime import date, datetime

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.storage.geometry_type import Geometry
from resilience.storage.models.base import Base, utcnow


class Hazard(Base):
    """A COMAH establishment, a major-accident-hazard pipeline or a REPPIR 2019 radiation
    premises: anything that has zones."""

    __tablename__ = "hazards"
    __table_args__ = (
        CheckConstraint("kind IN ('establishment', 'pipeline', 'radiation_premises')", name="kind"),
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
    # Radiation premises (REPPIR 2019): the detailed emergency planning zone the council
    # determined (reg. 8) and the outline planning zone (reg. 9), as distances in metres.
    depz_m: Mapped[float | None] = mapped_column(Float)
    opz_m: Mapped[float | None] = mapped_column(Float)
    # Establishments
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    tier: Mapped[str | None] = mapped_column(String(10))
    substances: Mapped[str] = mapped_column(Text, default="")
    # Upper-tier establishments: when the operator's information for the external plan reached
    # the council (COMAH 2015 reg. 13(3)/(4); reg. 13(2) counts six months from it), when the
    # operator last supplied safety information to the public in its PIZ (reg. 18: the
    # operator's duty, not the council's), and the officer who liaises with the operator.
    information_received_on: Mapped[date | None] = mapped_column(Date)
    public_information_supplied_on: Mapped[date | None] = mapped_column(Date)
    liaison_officer: Mapped[str] = mapped_column(String(254), default="")
    # Pipelines
    substance: Mapped[str] = mapped_column(String(200), default="")
    diameter_mm: Mapped[float | None] = mapped_column(Float)
    pressure_bar: Mapped[float | None] = mapped_column(Float)
    # Provenance: where the facts came from, and what is illustrative rather than sourced.
    location_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When it entered the register; None: before the register's records began (see reports).
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)

    zones: Mapped[list[Zone]] = relationship(
        back_populates="hazard", cascade="all, delete-orphan", order_by="Zone.kind"
    )

    __mapper_args__ = {"polymorphic_on": "kind"}


class Establishment(Hazard):
    __mapper_args__ = {"polymorphic_identity": "establishment"}


class Pipeline(Hazard):
    __mapper_args__ = {"polymorphic_identity": "pipeline"}


class RadiationPremises(Hazard):
    """Premises where work with ionising radiation needs an off-site plan (REPPIR 2019)."""

    __mapper_args__ = {"polymorphic_identity": "radiation_premises"}


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
    # Whom to ring when a what-if reaches the place (the warn-and-inform list).
    telephone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    out_of_hours: Mapped[str] = mapped_column(String(300), default="")
    usual_people: Mapped[int | None] = mapped_column(Integer)
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry())
    location_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
