"""Where a screening plume exceeds a level: footprint polygons in EPSG:27700 and EPSG:4326.

The footprint of a level L is every ground point 1 ≤ x ≤ max_distance downwind with C ≥ L
(DESIGN.md §6), laid along the bearing wind_from + 180° from the release.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon

from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.dispersion import (
    FloatArray,
    Release,
    above_level_ranges,
    half_width_m,
)

# Samples along x per x-range: geometric (the plume's scale grows with x) plus cosine-clustered
# ones crowding both ends, where the half-width falls to zero like a square root.
_GEOMETRIC_SAMPLES = 250
_END_SAMPLES = 250


@dataclass(frozen=True)
class Footprint:
    """The region at or above one level, in EPSG:27700, with its measures in metres."""

    threshold_mg_m3: float
    area_bng: Polygon | MultiPolygon
    max_distance_m: float
    max_half_width_m: float

    @property
    def area_m2(self) -> float:
        """Return the footprint polygon's area in EPSG:27700, m²."""
        return float(self.area_bng.area)


def source_bng(lon: float, lat: float) -> tuple[float, float]:
    """Return the easting and northing (EPSG:27700) of a WGS84 position."""
    easting, northing = _transformer(WGS84, BNG).transform(lon, lat)
    return float(easting), float(northing)


def footprint_bng(
    release: Release,
    source: tuple[float, float],
    wind_from_deg: float,
    level_mg_m3: float,
    max_distance_m: float,
) -> Footprint:
    """Return the footprint of `level_mg_m3` for a release at `source` (EPSG:27700).

    The geometry is a Polygon, empty when no point reaches the level. (It would be a
    MultiPolygon if the centreline crossed the level more than twice, which Briggs' curves
    never do: C(x, 0) rises at most once and then falls.)
    """
    parts: list[Polygon] = []
    farthest = 0.0
    widest = 0.0
    for start, end in above_level_ranges(release, level_mg_m3, max_distance_m):
        farthest = end
        if end <= start:  # a single point (max_distance 1 m): a crosswind line, no area
            widest = max(widest, float(half_width_m(release, end, level_mg_m3)))
            continue
        x, width = _outline(release, level_mg_m3, start, end, max_distance_m)
        widest = max(widest, _widest(release, level_mg_m3, x, width))
        parts.append(_downwind(_plume_polygon(x, width), source, wind_from_deg))
    area: Polygon | MultiPolygon
    area = parts[0] if len(parts) == 1 else MultiPolygon(parts) if parts else Polygon()
    return Footprint(level_mg_m3, area, farthest, widest)


def footprint_wgs84(area_bng: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Return an EPSG:27700 footprint in EPSG:4326, exterior rings anticlockwise (RFC 7946)."""
    if area_bng.is_empty:
        return area_bng
    to_wgs84 = _transformer(BNG, WGS84)
    projected = shapely.transform(
        area_bng, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )
    oriented: Polygon | MultiPolygon = shapely.orient_polygons(projected, exterior_cw=False)
    return oriented


@functools.cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    # Building one takes about 20 ms, ten times a footprint's own computation.
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _outline(
    release: Release, level_mg_m3: float, start: float, end: float, max_distance_m: float
) -> tuple[FloatArray, FloatArray]:
    """Return sample distances from `start` to `end` and the half-width at each."""
    t = np.linspace(0.0, 1.0, _END_SAMPLES)
    x = np.unique(
        np.concatenate(
            [
                np.geomspace(start, end, _GEOMETRIC_SAMPLES),
                start + (end - start) * (1.0 - np.cos(np.pi * t)) / 2.0,
                [start, end],
            ]
        )
    )
    x = x[(x >= start) & (x <= end)]
    width = half_width_m(release, x, level_mg_m3)
    # An end the centreline crosses the level at has no width; one cut off by the range's
    # limits (x = 1 m or max_distance) keeps its width and gives the polygon a straight end.
    if start > 1.0:
        width[0] = 0.0
    if end < max_distance_m:
        width[-1] = 0.0
    return x, width


def _widest(release: Release, level_mg_m3: float, x: FloatArray, width: FloatArray) -> float:
    """Return the largest half-width, refined between the samples either side of the widest."""
    i = int(np.argmax(width))
    a, b = float(x[max(i - 1, 0)]), float(x[min(i + 1, len(x) - 1)])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(80):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        wc, wd = half_width_m(release, np.array([c, d]), level_mg_m3)
        if wc >= wd:
            b = d
        else:
            a = c
    refined = float(half_width_m(release, 0.5 * (a + b), level_mg_m3))
    return max(refined, float(width[i]))


def _plume_polygon(x: FloatArray, width: FloatArray) -> Polygon:
    """Return the region |y| ≤ width(x) in the plume's own frame (x downwind, y crosswind)."""
    upper = np.column_stack([x, width])
    lower = np.column_stack([x, -width])[::-1]
    # Where the width is zero the two sides meet in one vertex.
    lower = lower[lower[:, 1] != 0.0]
    return Polygon(np.concatenate([upper, lower]))


def _downwind(polygon: Polygon, source: tuple[float, float], wind_from_deg: float) -> Polygon:
    """Return a plume-frame polygon placed at `source` along the bearing wind_from + 180°."""
    bearing = math.radians(wind_from_deg + 180.0)
    sin_b, cos_b = math.sin(bearing), math.cos(bearing)
    easting, northing = source

    def place(xy: FloatArray) -> FloatArray:
        x, y = xy[:, 0], xy[:, 1]
        # Downwind is (sin b, cos b) in (east, north); crosswind is its right, (cos b, -sin b).
        return np.column_stack([easting + x * sin_b + y * cos_b, northing + x * cos_b - y * sin_b])

    placed: Polygon = shapely.transform(polygon, place)
    return placed
