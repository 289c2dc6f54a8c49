"""Keeping stored zones and their ward exposure in step with hazards and wards, incrementally."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.exposure import exposure_of
from resilience.spatial.zones import zones_for_site_bng
from resilience.storage.models import Hazard, Ward, Zone, ZoneExposure

DISTANCE_KINDS = ("inner", "middle", "outer", "piz")


def _to_bng(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    return list(gpd.GeoSeries(list(geometries), crs=WGS84).to_crs(BNG))


def _to_wgs84(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    return list(gpd.GeoSeries(list(geometries), crs=BNG).to_crs(WGS84))


def refresh_zones(session: Session, hazards: Sequence[Hazard]) -> list[Zone]:
    """Re-derive the distance zones of `hazards` and their exposure; imported zones are kept."""
    changed: list[Zone] = []
    for hazard, geometry_bng in zip(hazards, _to_bng([h.geometry for h in hazards]), strict=True):
        derived = zones_for_site_bng(
            geometry_bng,
            inner_m=hazard.inner_m,
            middle_m=hazard.middle_m,
            outer_m=hazard.outer_m,
            piz_m=hazard.piz_m,
        )
        existing = {z.kind: z for z in hazard.zones}
        for kind in DISTANCE_KINDS:
            zone = existing.get(kind)
            if zone is not None and zone.origin == "imported":
                continue  # a polygon HSE supplied wins over one derived from distances
            shape = derived.get(kind)
            if shape is None:
                if zone is not None:
                    hazard.zones.remove(zone)
                continue
            wgs84 = _to_wgs84([shape])[0]
            if zone is None:
                zone = Zone(kind=kind, origin="derived", geometry=wgs84, area_m2=shape.area)
                hazard.zones.append(zone)
            else:
                zone.geometry, zone.area_m2 = wgs84, shape.area
            changed.append(zone)
    session.flush()
    refresh_exposure(session, changed)
    return changed


def _wards_near(session: Session, geometries: Iterable[BaseGeometry]) -> list[Ward]:
    boxes = [g.bounds for g in geometries]
    if not boxes:
        return []
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
    if not zones:
        return
    session.execute(delete(ZoneExposure).where(ZoneExposure.zone_id.in_([z.id for z in zones])))
    wards = _wards_near(session, [z.geometry for z in zones])
    wards_bng = gpd.GeoDataFrame(
        {"ward_code": [w.code for w in wards], "ward_name": [w.name for w in wards]},
        geometry=[w.geometry for w in wards],
        crs=WGS84,
    ).to_crs(BNG)
    by_key = {str(z.id): z for z in zones}
    zones_bng = gpd.GeoDataFrame(
        {"zone_id": list(by_key)}, geometry=[z.geometry for z in zones], crs=WGS84
    ).to_crs(BNG)
    table = exposure_of(zones_bng, wards_bng, None)
    for row in table.itertuples(index=False):
        session.add(
            ZoneExposure(
                zone_id=by_key[str(row.zone_id)].id,
                ward_code=row.ward_code,
                overlap_m2=float(row.overlap_m2),
                ward_share=None if row.ward_code == "OUTSIDE" else float(row.ward_share),
                zone_share=float(row.zone_share),
            )
        )
    session.flush()


def refresh_exposure_for_wards(session: Session, ward_geometries: Sequence[BaseGeometry]) -> None:
    """Recompute exposure of every zone that lies near any of the given (changed) ward shapes."""
    boxes = [g.bounds for g in ward_geometries]
    if not boxes:
        return
    candidates = session.scalars(select(Zone)).all()
    near = [z for z in candidates if any(_boxes_meet(z.geometry.bounds, box) for box in boxes)]
    refresh_exposure(session, near)


def _boxes_meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]
