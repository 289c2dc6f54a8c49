"""What a hazard's or a ward's page shows: exposure per zone, with totals and sensitive places."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from shapely import STRtree
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.domain.register.layers import RECEPTOR_KINDS
from resilience.spatial.exposure import EXPOSURE_COLUMNS
from resilience.storage.models import Hazard, Receptor, Ward, Zone, ZoneExposure

ZONE_ORDER = {"inner": 0, "middle": 1, "outer": 2, "piz": 3}
ZONE_LABELS = {
    "inner": "Inner zone",
    "middle": "Middle zone",
    "outer": "Outer zone",
    "piz": "Public information zone",
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
    zones = sorted(hazard.zones, key=lambda z: ZONE_ORDER.get(z.kind, 9))
    if not zones:
        return []
    rows = session.scalars(
        select(ZoneExposure).where(ZoneExposure.zone_id.in_([z.id for z in zones]))
    ).all()
    codes = {r.ward_code for r in rows}
    wards = {w.code: w for w in session.scalars(select(Ward).where(Ward.code.in_(codes)))}
    receptors = session.scalars(select(Receptor)).all()
    tree = STRtree([r.geometry for r in receptors])
    views = []
    for zone in zones:
        lines = []
        for row in sorted((r for r in rows if r.zone_id == zone.id), key=lambda r: r.ward_code):
            ward = wards.get(row.ward_code)
            population = None
            if ward is not None and ward.population is not None and row.ward_share is not None:
                population = ward.population * row.ward_share
            lines.append(
                ExposureLine(
                    ward_code=row.ward_code,
                    ward_name=ward.name if ward else "",
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
        views.append(
            ZoneExposureView(
                zone=zone,
                label=ZONE_LABELS.get(zone.kind, zone.kind),
                lines=lines,
                receptors=inside,
            )
        )
    return views


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
