"""Pipeline corridors: what a reader without clearance is shown instead of a pipeline's route.

A corridor is the route simplified (so that its bends are not kept) and buffered into a band
``CORRIDOR_WIDTH_M`` wide, joined with the pipeline's own zones, all in British National Grid
metres, then returned in WGS84. Its edge lies at least ``CORRIDOR_WIDTH_M / 2 - SIMPLIFY_M``
metres from the route, and no vertex of the route is in it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from resilience.spatial.crs import BNG, WGS84

CORRIDOR_WIDTH_M = 500.0
SIMPLIFY_M = 100.0
# The corridor's own edge is simplified too: it need not be smoother than this.
EDGE_SIMPLIFY_M = 25.0
_TO_BNG = Transformer.from_crs(WGS84, BNG, always_xy=True)
_TO_WGS84 = Transformer.from_crs(BNG, WGS84, always_xy=True)


def _transform(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(*xy.T)))


def corridor_bng(route_bng: BaseGeometry, zones_bng: Iterable[BaseGeometry] = ()) -> BaseGeometry:
    """Return, in EPSG:27700 metres, the generalised corridor of a route and its zones."""
    simplified = route_bng.simplify(SIMPLIFY_M, preserve_topology=False)
    band = simplified.buffer(CORRIDOR_WIDTH_M / 2, quad_segs=8)
    whole = shapely.union_all([band, *zones_bng])
    # Filling holes: a band zone's inner edge is at its inner distance from the route.
    polygons = getattr(whole, "geoms", [whole])
    filled = shapely.union_all([shapely.Polygon(p.exterior) for p in polygons])
    return filled.simplify(EDGE_SIMPLIFY_M, preserve_topology=True)


def pipeline_corridor(
    route_wgs84: BaseGeometry, zones_wgs84: Iterable[BaseGeometry] = ()
) -> BaseGeometry:
    """Return, in EPSG:4326, the generalised corridor of a route (EPSG:4326) and its zones."""
    zones = [_transform(z, _TO_BNG) for z in zones_wgs84]
    return _transform(corridor_bng(_transform(route_wgs84, _TO_BNG), zones), _TO_WGS84)
