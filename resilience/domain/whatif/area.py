"""The register's wards and sensitive places near a what-if, as EPSG:27700 frames."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.whatif.people import RECEPTOR_COLUMNS
from resilience.spatial.crs import BNG, WGS84
from resilience.storage.models import Receptor, Ward

Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def wards_near(session: Session, bounds: Bounds) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Return the wards whose bounding box meets `bounds` (EPSG:27700) and their populations."""
    min_x, min_y, max_x, max_y = bounds
    rows = session.execute(
        select(Ward.code, Ward.name, Ward.population, Ward.geometry)
        .where(
            Ward.min_lon <= max_x,
            Ward.max_lon >= min_x,
            Ward.min_lat <= max_y,
            Ward.max_lat >= min_y,
        )
        .order_by(Ward.code)
    ).all()
    frame = gpd.GeoDataFrame(
        {"ward_code": [r.code for r in rows], "ward_name": [r.name for r in rows]},
        geometry=gpd.GeoSeries([r.geometry for r in rows], crs=WGS84),
        crs=WGS84,
    ).to_crs(BNG)
    populations = {r.code: float(r.population) for r in rows if r.population is not None}
    return frame, populations


def inside_area(session: Session, lon: float, lat: float) -> bool | None:
    """Return whether a position lies in a loaded ward; None when no ward is loaded at all."""
    point = Point(lon, lat)
    candidates = session.execute(
        select(Ward.geometry).where(
            Ward.min_lon <= lon, Ward.max_lon >= lon, Ward.min_lat <= lat, Ward.max_lat >= lat
        )
    ).scalars()
    if any(shapely.covers(shape, point) for shape in candidates):
        return True
    return False if session.execute(select(Ward.id).limit(1)).first() else None


def receptors_near(session: Session, bounds: Bounds) -> gpd.GeoDataFrame:
    """Return the sensitive places whose shape meets `bounds`, in EPSG:27700."""
    columns = [getattr(Receptor, c) for c in RECEPTOR_COLUMNS]
    rows = session.execute(select(*columns, Receptor.geometry).order_by(Receptor.ref)).all()
    box = shapely.box(*bounds)
    kept = [r for r in rows if shapely.intersects(r.geometry, box)]
    frame = gpd.GeoDataFrame(
        {c: [getattr(r, c) for r in kept] for c in RECEPTOR_COLUMNS},
        geometry=gpd.GeoSeries([r.geometry for r in kept], crs=WGS84),
        crs=WGS84,
    )
    return frame.to_crs(BNG)
