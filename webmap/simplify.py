"""Display geometry: simplified and rounded for drawing, within a stated distance of the stored one.

The browser is sent a lighter copy of every shape. Its error is bounded, in metres on the ground:

* Douglas-Peucker simplification in Web Mercator, the plane Leaflet draws in, with each shape's
  tolerance set so that it is ``tolerance_m`` on the ground (Mercator stretches distances by
  1 / cos(latitude); the latitude nearest the equator within the shape is used, which is the
  strictest): every point of the drawn line lies within ``tolerance_m`` of the stored line and
  every point of the stored line within ``tolerance_m`` of the drawn one (Hausdorff distance);
* then rounding to ``decimals`` decimal places of a degree (WGS84), which moves a vertex by at most
  ``rounding_m`` (half a unit of the last place, along both axes at once).

So the drawn shape is within ``tolerance_m + rounding_m <= max_error_m`` of the stored one. Leaflet
then simplifies by at most one screen pixel more for the zoom level it draws at (its
``smoothFactor``), which is why the bound is stated on the ground, not on the screen.

Why not British National Grid, where every analysis happens: going from WGS84 to BNG and back
need not return the same point. PROJ picks a datum transformation per point by its area of use,
and near the edge of that area (offshore, far north) neighbouring vertices can get different
ones, some 150 m apart. Web Mercator is a projection of WGS84 itself, exact both ways.

Exposure figures never use this geometry: they come from the stored, full geometry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely import GeometryType

from resilience.spatial.crs import WGS84

EARTH_RADIUS_M = 6_378_137.0  # the sphere of Web Mercator (EPSG:3857)

# Metres in one degree of latitude (and, at most, of longitude).
METRES_PER_DEGREE = 111_320.0
# The error the overview and hazard maps promise (the design's "at most 5 m on screen geometry").
DEFAULT_MAX_ERROR_M = 5.0
# Web Mercator ground resolution at zoom 0 on the equator, metres per pixel.
_Z0_METRES_PER_PIXEL = 156_543.033_928


@dataclass(frozen=True)
class DisplayDetail:
    """How far drawn geometry may stray from the stored geometry, and how that is spent."""

    max_error_m: float
    decimals: int
    rounding_m: float
    tolerance_m: float

    @property
    def statement(self) -> str:
        """Return the one-line promise shown on every map."""
        return (
            f"Shapes are drawn within {self.max_error_m:g} m of the stored boundaries "
            "(simplified for display); every figure uses the full geometry."
        )


def rounding_error_m(decimals: int) -> float:
    """Return the most that rounding lon/lat to `decimals` places moves a vertex, in metres."""
    return 0.5 * 10.0**-decimals * METRES_PER_DEGREE * math.sqrt(2.0)


def detail_for(max_error_m: float = DEFAULT_MAX_ERROR_M) -> DisplayDetail:
    """Return the display detail for an error budget: at most a quarter of it goes to rounding.

    >>> detail_for(5.0).decimals
    5
    """
    if not max_error_m > 0:
        raise ValueError(f"max_error_m must be positive, got {max_error_m!r}")
    decimals = 0
    while rounding_error_m(decimals) > max_error_m / 4:
        decimals += 1
    rounding = rounding_error_m(decimals)
    return DisplayDetail(
        max_error_m=max_error_m,
        decimals=decimals,
        rounding_m=rounding,
        tolerance_m=max_error_m - rounding,
    )


@dataclass(frozen=True)
class Overview:
    """A coarser copy for zoomed-out views: within half a pixel at `max_zoom` and below."""

    detail: DisplayDetail
    max_zoom: int

    def statement(self, fine: DisplayDetail) -> str:
        """Return the promise for a map that has this coarser copy as well as `fine`."""
        return (
            f"Shapes are drawn within {fine.max_error_m:g} m of the stored boundaries when "
            f"zoomed in beyond level {self.max_zoom}, and within half a screen pixel when zoomed "
            "out (simplified for display); every figure uses the full geometry."
        )


def overview_detail(
    bounds: tuple[float, float, float, float],
    fine: DisplayDetail,
    viewport: tuple[int, int] = (1000, 600),
    zoom_margin: int = 2,
) -> Overview | None:
    """Return the coarse copy a map of lon/lat `bounds` opens with, or None if not worth it.

    The map opens at about the zoom that fits `bounds` into `viewport` pixels; up to
    `zoom_margin` levels closer it draws a copy simplified to half a pixel there (measured at
    the latitude furthest from the equator, where a pixel covers least ground). Below that it
    is not worth a second copy: the fine one is already under a pixel.
    """
    west, south, east, north = bounds
    span_x = max(
        to_mercator(np.array([[east, 0.0]]))[0, 0] - to_mercator(np.array([[west, 0.0]]))[0, 0], 1.0
    )
    ys = to_mercator(np.array([[0.0, south], [0.0, north]]))[:, 1]
    span_y = max(float(ys[1] - ys[0]), 1.0)
    world = 2 * math.pi * EARTH_RADIUS_M
    fit = min(
        math.log2(viewport[0] * world / (256 * span_x)),
        math.log2(viewport[1] * world / (256 * span_y)),
    )
    max_zoom = max(0, math.floor(fit)) + zoom_margin
    tolerance = 0.5 * metres_per_pixel(max_zoom, max(abs(south), abs(north)))
    if tolerance < 4 * fine.max_error_m:
        return None
    return Overview(detail=detail_for(tolerance), max_zoom=max_zoom)


def metres_per_pixel(zoom: float, latitude: float) -> float:
    """Return the ground size of one screen pixel in Web Mercator at `zoom` and `latitude`."""
    return _Z0_METRES_PER_PIXEL * math.cos(math.radians(latitude)) / 2.0**zoom


def simplify_rings(polygons: np.ndarray, tolerance: float | np.ndarray) -> np.ndarray:
    """Return `polygons` (as MultiPolygons) with every ring simplified as a line.

    GEOS may drop a ring's start point when simplifying a polygon, and then the result can stray
    up to about twice the tolerance from the original near that point. A line keeps its end
    points, so each ring is simplified as a closed line (plain Douglas-Peucker) and put back: the
    error is then at most `tolerance`. A ring that would collapse stays as it was. A ring may
    touch itself where it was narrower than the tolerance; drawing does not mind, and nothing
    but drawing uses these shapes.
    """
    kind, coords, offsets = shapely.to_ragged_array(polygons)
    if kind == GeometryType.POLYGON:
        ring_offsets, polygon_offsets = offsets
        geometry_offsets = np.arange(len(polygon_offsets))
    else:
        ring_offsets, polygon_offsets, geometry_offsets = offsets
    ring_ids = np.repeat(np.arange(len(ring_offsets) - 1), np.diff(ring_offsets))
    rings = shapely.linestrings(coords, indices=ring_ids)
    if np.ndim(tolerance):  # one per polygon: spread it over each polygon's rings
        rings_per_shape = np.diff(polygon_offsets[geometry_offsets])
        tolerance = np.repeat(np.asarray(tolerance), rings_per_shape)
    simple = shapely.simplify(rings, tolerance, preserve_topology=False)
    collapsed = shapely.get_num_coordinates(simple) < 4
    simple[collapsed] = rings[collapsed]
    counts = shapely.get_num_coordinates(simple)
    new_offsets = np.concatenate([[0], np.cumsum(counts)])
    return shapely.from_ragged_array(
        GeometryType.MULTIPOLYGON,
        shapely.get_coordinates(simple),
        (new_offsets, polygon_offsets, geometry_offsets),
    )


def to_mercator(xy: np.ndarray) -> np.ndarray:
    """Return lon/lat degrees (n, 2) as Web Mercator metres."""
    lon = np.radians(xy[:, 0])
    lat = np.radians(np.clip(xy[:, 1], -85.0, 85.0))
    return np.column_stack(
        [EARTH_RADIUS_M * lon, EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + lat / 2))]
    )


def from_mercator(xy: np.ndarray) -> np.ndarray:
    """Return Web Mercator metres (n, 2) as lon/lat degrees."""
    lon = np.degrees(xy[:, 0] / EARTH_RADIUS_M)
    lat = np.degrees(2 * np.arctan(np.exp(xy[:, 1] / EARTH_RADIUS_M)) - np.pi / 2)
    return np.column_stack([lon, lat])


def mercator_tolerances(shapes_wgs84: np.ndarray, ground_m: float) -> np.ndarray:
    """Return, per shape, the Mercator distance that is at most `ground_m` anywhere in it."""
    bounds = shapely.bounds(shapes_wgs84)
    nearest_equator = np.where(
        (bounds[:, 1] <= 0) & (bounds[:, 3] >= 0),
        0.0,
        np.minimum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3])),
    )
    return ground_m / np.cos(np.radians(nearest_equator))


def display_geometry(frame: gpd.GeoDataFrame, detail: DisplayDetail) -> gpd.GeoSeries:
    """Return `frame`'s geometry simplified (within the detail's error) and rounded, in EPSG:4326.

    Points are only rounded. Polygon rings are simplified one by one (see simplify_rings) and
    oriented with counter-clockwise exterior rings, so that a base map can fill many polygons as
    one shape with the non-zero rule.
    """
    if frame.crs is None:
        raise ValueError("the frame has no CRS; set it (EPSG:4326 or EPSG:27700) first")
    geometries = frame.geometry.to_crs(WGS84) if frame.crs != WGS84 else frame.geometry
    wgs84 = np.asarray(geometries.values)
    tolerances = mercator_tolerances(wgs84, detail.tolerance_m)
    values = shapely.transform(wgs84, to_mercator)
    types = shapely.get_type_id(values)
    simplified = values.copy()
    lines = np.isin(types, (GeometryType.LINESTRING, GeometryType.MULTILINESTRING))
    if lines.any():
        simplified[lines] = shapely.simplify(
            values[lines], tolerances[lines], preserve_topology=True
        )
    polygons = np.isin(types, (GeometryType.POLYGON, GeometryType.MULTIPOLYGON))
    if polygons.any():
        simplified[polygons] = simplify_rings(values[polygons], tolerances[polygons])
    scale = 10.0**detail.decimals
    rounded = shapely.transform(simplified, lambda xy: np.rint(from_mercator(xy) * scale) / scale)
    rounded = shapely.orient_polygons(rounded, exterior_cw=False)
    return gpd.GeoSeries(rounded, crs=WGS84, index=frame.index)
