"""Keeping stored zones and their ward exposure in step with hazards and wards, incrementally.

Derived zones and exposure rows are consequences of a hazard's geometry and distances (which the
audit trail records), so they are written in bulk, not through the ORM's unit of work: an import
of 10,000 sites writes 30,000 zones and their exposure in seconds. Zones imported as polygons go
through the ORM and are audited like any record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.exposure import exposure_of
from resilience.spatial.zones import zones_for_site_bng
from resilience.storage.models import Hazard, Ward, Zone, ZoneExposure

CHUNK = 500
DISTANCE_KINDS = ("inner", "middle", "outer", "piz", "depz", "opz")
MAX_BOXES_PER_QUERY = 50


def _valid(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `frame` with geometries repaired where reprojection made them invalid.

    A polygon valid in one CRS can come out with a ring touching itself in another (vertices
    a few millimetres apart), which GEOS refuses to intersect; make_valid mends it without
    moving it measurably.
    """
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        frame = frame.copy()
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.geometry[invalid].to_numpy())
    return frame


def _to_bng(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    return list(gpd.GeoSeries(list(geometries), crs=WGS84).to_crs(BNG))


def _to_wgs84(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    return list(gpd.GeoSeries(list(geometries), crs=BNG).to_crs(WGS84))


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def refresh_zones(session: Session, hazards: Sequence[Hazard]) -> list[int]:
    """Re-derive the distance zones of `hazards` and their exposure; returns the changed zone ids.

    Zones imported as polygons are kept: what HSE supplied wins over a derived one.
    """
    if not hazards:
        return []
    session.flush()
    existing: dict[tuple[int, str], tuple[int, str]] = {}
    for chunk in _chunks([h.id for h in hazards]):
        rows = session.execute(
            select(Zone.id, Zone.hazard_id, Zone.kind, Zone.origin).where(Zone.hazard_id.in_(chunk))
        )
        existing.update(
            {(hazard_id, kind): (zone_id, origin) for zone_id, hazard_id, kind, origin in rows}
        )
    wanted: list[tuple[int, str, BaseGeometry]] = []
    dropped: list[int] = []
    for hazard, geometry_bng in zip(hazards, _to_bng([h.geometry for h in hazards]), strict=True):
        derived = zones_for_site_bng(
            geometry_bng,
            inner_m=hazard.inner_m,
            middle_m=hazard.middle_m,
            outer_m=hazard.outer_m,
            piz_m=hazard.piz_m,
            depz_m=hazard.depz_m,
            opz_m=hazard.opz_m,
        )
        for kind in DISTANCE_KINDS:
            zone_id, origin = existing.get((hazard.id, kind), (None, None))
            if origin == "imported":
                continue
            if kind in derived:
                wanted.append((hazard.id, kind, derived[kind]))
            elif zone_id is not None:
                dropped.append(zone_id)
    if dropped:
        for chunk in _chunks(dropped):
            session.execute(delete(ZoneExposure).where(ZoneExposure.zone_id.in_(chunk)))
            session.execute(delete(Zone).where(Zone.id.in_(chunk)))
    shapes = _to_wgs84([shape for _, _, shape in wanted])
    updates, inserts = [], []
    for (hazard_id, kind, shape_bng), shape in zip(wanted, shapes, strict=True):
        values = {"geometry": shape, "area_m2": shape_bng.area}
        zone_id, _ = existing.get((hazard_id, kind), (None, None))
        if zone_id is None:
            inserts.append(
                {"hazard_id": hazard_id, "kind": kind, "origin": "derived", "source": "", **values}
            )
        else:
            updates.append({"id": zone_id, **values})
    changed = [u["id"] for u in updates]
    if updates:
        session.execute(update(Zone), updates)
    if inserts:
        changed += list(
            session.scalars(insert(Zone).returning(Zone.id, sort_by_parameter_order=True), inserts)
        )
    for hazard in hazards:
        session.expire(hazard, ["zones"])
    by_id = {u["id"]: u["geometry"] for u in updates}
    by_id.update(zip(changed[len(updates) :], [i["geometry"] for i in inserts], strict=True))
    _refresh_exposure(session, list(by_id.items()))
    return changed


def _wards_near(session: Session, geometries: Iterable[BaseGeometry]) -> list[Ward]:
    """Return the wards whose bounding boxes meet any of the geometries' boxes."""
    boxes = [g.bounds for g in geometries]
    if not boxes:
        return []
    if len(boxes) > MAX_BOXES_PER_QUERY:
        # Many zones (a whole import): one envelope around them all keeps the query small;
        # exposure_of's spatial index does the fine filtering.
        boxes = [
            (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
        ]
    conditions = [
        and_(
            Ward.min_lon <= max_x,
            Ward.max_lon >= min_x,
            Ward.min_lat <= max_y,
            Ward.max_lat >= min_y,
        )
        for min_x, min_y, max_x, max_y in boxes
    ]
    return list(session.scalars(select(Ward).where(or_(*conditions))))


def refresh_exposure(session: Session, zones: Sequence[Zone]) -> None:
    """Recompute the stored exposure rows of `zones` only, against the wards near them."""
    session.flush()
    _refresh_exposure(session, [(z.id, z.geometry) for z in zones])


def _refresh_exposure(session: Session, zones: Sequence[tuple[int, BaseGeometry]]) -> None:
    if not zones:
        return
    for chunk in _chunks([zone_id for zone_id, _ in zones]):
        session.execute(delete(ZoneExposure).where(ZoneExposure.zone_id.in_(chunk)))
    wards = _wards_near(session, [geometry for _, geometry in zones])
    wards_bng = gpd.GeoDataFrame(
        {"ward_code": [w.code for w in wards], "ward_name": [w.name for w in wards]},
        geometry=[w.geometry for w in wards],
        crs=WGS84,
    ).to_crs(BNG)
    wards_bng = _valid(wards_bng)
    zones_bng = gpd.GeoDataFrame(
        {"zone_id": [str(zone_id) for zone_id, _ in zones]},
        geometry=[geometry for _, geometry in zones],
        crs=WGS84,
    ).to_crs(BNG)
    table = exposure_of(_valid(zones_bng), wards_bng, None)
    rows = [
        {
            "zone_id": int(row.zone_id),
            "ward_code": row.ward_code,
            "overlap_m2": float(row.overlap_m2),
            "ward_share": None if row.ward_code == "OUTSIDE" else float(row.ward_share),
            "zone_share": float(row.zone_share),
        }
        for row in table.itertuples(index=False)
    ]
    if rows:
        session.execute(insert(ZoneExposure), rows)


def refresh_exposure_for_wards(session: Session, ward_geometries: Sequence[BaseGeometry]) -> None:
    """Recompute exposure of every zone that lies near any of the given (changed) ward shapes."""
    boxes = [g.bounds for g in ward_geometries]
    if not boxes:
        return
    session.flush()
    near = [
        (zone_id, geometry)
        for zone_id, geometry in session.execute(select(Zone.id, Zone.geometry))
        if any(_boxes_meet(geometry.bounds, box) for box in boxes)
    ]
    _refresh_exposure(session, near)


def _boxes_meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]
