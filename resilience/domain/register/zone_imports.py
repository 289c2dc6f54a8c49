"""Imports that are not a register layer: zones as supplied by HSE or an operator; populations."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.register.imports import ImportSummary
from resilience.domain.register.service_area import outside_problem, service_area
from resilience.domain.register.zoning import refresh_exposure
from resilience.errors import InputError, raise_collected
from resilience.spatial.crs import BNG
from resilience.spatial.populations import population_csv_rows
from resilience.spatial.vector_files import read_vector_file
from resilience.spatial.zones import REPPIR_ZONE_KINDS
from resilience.storage.models import Hazard, Ward, Zone

ZONE_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ZONE_GEOMETRIES = ("Polygon", "MultiPolygon")
RADIATION = "radiation_premises"  # the hazard kind whose zones depz and opz are


def import_zones(session: Session, path: Path, *, name: str | None = None) -> ImportSummary:
    """Store each polygon of the file as its site's zone, exactly as given; nothing commits.

    The file needs `site_id` (an establishment's, pipeline's or radiation premises'
    identifier) and `kind` (e.g. inner, middle, outer, piz, evacuation; depz and opz for
    radiation premises only). An imported zone replaces a derived one of the same kind and is
    kept when the site's distances change.
    """
    file_name = name or path.name
    frame = read_vector_file(path, name=file_name, required_fields=("site_id", "kind"))
    located = "row" if file_name.lower().endswith(".csv") else "feature"
    hazards = {h.ref: h for h in session.scalars(select(Hazard))}
    areas = frame.to_crs(BNG).geometry.area.tolist()
    summary = ImportSummary(layer="zones", file=file_name)
    seen: set[tuple[str, str]] = set()
    changed: list[Zone] = []
    errors: list[InputError] = []
    area = service_area(session)
    for index, row in enumerate(frame.itertuples(index=False)):
        where = f"{located} {index + 2 if located == 'row' else index + 1}"
        ref = str(row.site_id).strip()
        kind = str(row.kind).strip().lower()
        problems = []
        if ref not in hazards:
            problems.append(
                InputError(
                    f"no establishment, pipeline or radiation premises has the identifier {ref!r}",
                    field="site_id",
                )
            )
        if not ZONE_KIND.match(kind):
            problems.append(
                InputError(f"{kind!r} is not a zone kind (a short lower-case word)", field="kind")
            )
        elif kind in REPPIR_ZONE_KINDS and ref in hazards and hazards[ref].kind != RADIATION:
            problems.append(
                InputError(
                    f"{kind!r} is a zone of radiation premises (REPPIR 2019), and {ref!r} is "
                    "not a radiation premises",
                    field="kind",
                )
            )
        elif (ref, kind) in seen:
            problems.append(InputError(f"{ref}:{kind} appears twice"))
        seen.add((ref, kind))
        geometry = row.geometry
        if geometry is None or geometry.is_empty:
            problems.append(InputError("has no geometry"))
        elif geometry.geom_type not in ZONE_GEOMETRIES:
            problems.append(InputError(f"a zone must be a polygon, not a {geometry.geom_type}"))
        elif (outside := outside_problem(geometry, area)) is not None:
            problems.append(InputError(outside, field="geometry"))
        if problems:
            errors += [p.located(file=file_name, location=where) for p in problems]
            continue
        if errors:
            continue  # nothing is stored once a row is wrong; the rest are only checked
        hazard = hazards[ref]
        zone = next((z for z in hazard.zones if z.kind == kind), None)
        source = str(getattr(row, "source", "") or "")
        if zone is None:
            zone = Zone(
                kind=kind, origin="imported", geometry=geometry, area_m2=areas[index], source=source
            )
            hazard.zones.append(zone)
            summary.created.append(f"{ref}:{kind}")
        else:
            zone.origin, zone.geometry, zone.area_m2, zone.source = (
                "imported",
                geometry,
                areas[index],
                source,
            )
            summary.updated.append(f"{ref}:{kind}")
        changed.append(zone)
    raise_collected(errors, file=file_name)
    session.flush()
    refresh_exposure(session, changed)
    return summary


def import_populations(session: Session, path: Path, *, name: str | None = None) -> ImportSummary:
    """Set ward populations from a `ward_code,population` CSV; every code must be a loaded ward."""
    file_name = name or path.name
    rows = population_csv_rows(path.read_bytes(), file=file_name)
    wards = {w.code: w for w in session.scalars(select(Ward))}
    raise_collected(
        [
            InputError(
                f"{code!r} is not the code of a loaded ward (load the wards first)",
                file=file_name,
                location=f"row {row}",
                field="ward_code",
            )
            for code, (_population, row) in rows.items()
            if code not in wards
        ],
        file=file_name,
    )
    summary = ImportSummary(layer="ward populations", file=file_name)
    for code, (population, _row) in rows.items():
        ward = wards[code]
        value = round(population)
        if ward.population == value:
            summary.unchanged.append(code)
        else:
            ward.population = value
            summary.updated.append(code)
    session.flush()
    return summary


def zones_frame(session: Session) -> gpd.GeoDataFrame:
    """Return every stored zone with its site, kind, origin and area (EPSG:4326)."""
    zones = session.scalars(select(Zone).join(Zone.hazard).order_by(Hazard.ref, Zone.kind)).all()
    return gpd.GeoDataFrame(
        {
            "zone_id": [z.zone_id for z in zones],
            "site_id": [z.hazard.ref for z in zones],
            "kind": [z.kind for z in zones],
            "origin": [z.origin for z in zones],
            "area_m2": [round(z.area_m2, 1) for z in zones],
            "source": [z.source for z in zones],
        },
        geometry=[z.geometry for z in zones],
        crs="EPSG:4326",
    )
