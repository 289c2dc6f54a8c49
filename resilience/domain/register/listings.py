"""What the register's pages show: a page of a layer's list, and a hazard's or a ward's exposure
per zone, with totals and sensitive places."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from shapely import STRtree
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from resilience.domain.paging import PageOf, page_of
from resilience.domain.register.layers import RECEPTOR_KINDS, Layer
from resilience.spatial.exposure import EXPOSURE_COLUMNS
from resilience.storage.models import Hazard, Receptor, Ward, Zone, ZoneExposure

ZONE_ORDER = {"inner": 0, "middle": 1, "outer": 2, "piz": 3, "depz": 4, "opz": 5}
ZONE_LABELS = {
    "inner": "Inner zone",
    "middle": "Middle zone",
    "outer": "Outer zone",
    "piz": "Public information zone",
    "depz": "Detailed emergency planning zone",
    "opz": "Outline planning zone",
}


@dataclass
class ExposureLine:
    ward_code: str
    ward_name: str
    overlap_m2: float
    ward_share: float | None
    zone_share: float
    population: float | None


@dataclass
class ZoneExposureView:
    zone: Zone
    label: str
    lines: list[ExposureLine]
    receptors: dict[str, list[Receptor]] = field(default_factory=dict)

    @property
    def total_population(self) -> float | None:
        """Return the estimated people in the zone; None when no touched ward has a population."""
        known = [line.population for line in self.lines if line.population is not None]
        return sum(known) if known else None

    @property
    def population_complete(self) -> bool:
        """Return whether every touched ward had a population (else the total is a lower bound)."""
        return all(
            line.population is not None for line in self.lines if line.ward_code != "OUTSIDE"
        )


def exposure_rows(session: Session, hazard: Hazard) -> list[ZoneExposureView]:
    """Return, for each zone of `hazard` (inner first), its wards, people and sensitive places."""
    return exposure_rows_of(session, [hazard])[hazard.id]


def exposure_rows_of(
    session: Session, hazards: Sequence[Hazard]
) -> dict[int, list[ZoneExposureView]]:
    """Return ``exposure_rows`` of many hazards at once, by hazard id: three queries whatever
    their number (exposure rows, the wards' names and populations, the sensitive places), so a
    page of every site's card reads the database a few times, not three times a site."""
    zones_of = {
        hazard.id: sorted(hazard.zones, key=lambda z: ZONE_ORDER.get(z.kind, 9))
        for hazard in hazards
    }
    zone_ids = [zone.id for zones in zones_of.values() for zone in zones]
    if not zone_ids:
        return {hazard.id: [] for hazard in hazards}
    rows_of: dict[int, list[ZoneExposure]] = {}
    for start in range(0, len(zone_ids), IN_CHUNK):
        chunk = zone_ids[start : start + IN_CHUNK]
        for row in session.scalars(select(ZoneExposure).where(ZoneExposure.zone_id.in_(chunk))):
            rows_of.setdefault(row.zone_id, []).append(row)
    codes = sorted({row.ward_code for rows in rows_of.values() for row in rows})
    wards: dict[str, tuple[str, float | None]] = {}
    for start in range(0, len(codes), IN_CHUNK):
        query = select(Ward.code, Ward.name, Ward.population).where(
            Ward.code.in_(codes[start : start + IN_CHUNK])
        )
        wards.update({code: (name, people) for code, name, people in session.execute(query)})
    receptors = session.scalars(select(Receptor)).all()
    tree = STRtree([r.geometry for r in receptors])
    return {
        hazard_id: [
            _zone_view(zone, rows_of.get(zone.id, []), wards, receptors, tree) for zone in zones
        ]
        for hazard_id, zones in zones_of.items()
    }


IN_CHUNK = 500  # values in one IN (...) list: well inside SQLite's and PostgreSQL's limits


def _zone_view(
    zone: Zone,
    rows: Iterable[ZoneExposure],
    wards: Mapping[str, tuple[str, float | None]],
    receptors: Sequence[Receptor],
    tree: STRtree,
) -> ZoneExposureView:
    lines = []
    for row in sorted(rows, key=lambda r: r.ward_code):
        name, ward_population = wards.get(row.ward_code, ("", None))
        population = None
        if ward_population is not None and row.ward_share is not None:
            population = ward_population * row.ward_share
        lines.append(
            ExposureLine(
                ward_code=row.ward_code,
                ward_name=name,
                overlap_m2=row.overlap_m2,
                ward_share=row.ward_share,
                zone_share=row.zone_share,
                population=population,
            )
        )
    inside: dict[str, list[Receptor]] = {}
    for index in tree.query(zone.geometry, predicate="intersects"):
        receptor = receptors[int(index)]
        inside.setdefault(RECEPTOR_KINDS.get(receptor.kind, receptor.kind), []).append(receptor)
    return ZoneExposureView(
        zone=zone, label=ZONE_LABELS.get(zone.kind, zone.kind), lines=lines, receptors=inside
    )


@dataclass
class WardZoneLine:
    hazard: Hazard
    zone_label: str
    overlap_m2: float
    ward_share: float | None


def ward_exposure_rows(session: Session, ward: Ward) -> list[WardZoneLine]:
    """Return every zone of every hazard that touches `ward`, by hazard name then zone."""
    rows = session.scalars(
        select(ZoneExposure)
        .where(ZoneExposure.ward_code == ward.code)
        .options(selectinload(ZoneExposure.zone).selectinload(Zone.hazard))
    ).all()
    lines = [
        WardZoneLine(
            hazard=row.zone.hazard,
            zone_label=ZONE_LABELS.get(row.zone.kind, row.zone.kind),
            overlap_m2=row.overlap_m2,
            ward_share=row.ward_share,
        )
        for row in rows
    ]
    return sorted(lines, key=lambda line: (line.hazard.name, ZONE_ORDER.get(line.zone_label, 9)))


def exposure_table(session: Session, hazard: Hazard) -> pd.DataFrame:
    """Return the hazard's stored exposure in the command-line contract's columns."""
    rows = []
    for view in exposure_rows(session, hazard):
        for line in view.lines:
            rows.append(
                {
                    "zone_id": view.zone.zone_id,
                    "ward_code": line.ward_code,
                    "ward_name": line.ward_name if line.ward_code != "OUTSIDE" else None,
                    "overlap_m2": line.overlap_m2,
                    "ward_share": line.ward_share,
                    "zone_share": line.zone_share,
                    "population": line.population,
                }
            )
    columns = list(EXPOSURE_COLUMNS)
    frame = pd.DataFrame(rows, columns=columns).astype({"ward_share": float, "population": float})
    return frame.sort_values(["zone_id", "ward_code"], kind="stable")


REGISTER_PAGE_SIZE = 100


def register_page(session: Session, layer: Layer, search: str, number: int) -> PageOf[Any]:
    """Return a page of a layer's records by name, those whose name or reference contains
    ``search`` (any case) when given: what the list pages show, without decoding geometries."""
    model = layer.model
    id_column = getattr(model, layer.id_attr)
    query = select(model).options(defer(model.geometry)).order_by(model.name, id_column)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(model.name).like(pattern), func.lower(id_column).like(pattern))
        )
    return page_of(session, query, number, REGISTER_PAGE_SIZE)
