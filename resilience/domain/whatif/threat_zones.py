"""Threat zones of a what-if and the wind-direction sector around them, in EPSG:27700.

The zones are DESIGN.md §6's footprints (resilience.spatial.footprints), one per level, each a
whole footprint (the yellow zone includes the orange and red ones, as ALOHA draws them). The
sector is where the least severe zone could lie if the wind blew from anywhere within the
sector's half-angle of the given direction: the wedge from the release out to the zone's
farthest point, together with the zone turned to either edge of the wedge (which covers its
crosswind spread there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from resilience.domain.whatif.inputs import WhatIfInputs
from resilience.domain.whatif.substances import ZONE_COLOURS, Level
from resilience.domain.whatif.weather import sector_half_angle_deg
from resilience.spatial.dispersion import Release
from resilience.spatial.footprints import footprint_bng, source_bng

SECTOR = "sector"
_ARC_STEP_DEG = 1.0


@dataclass(frozen=True)
class ThreatZone:
    """One level's footprint, in EPSG:27700, with DESIGN.md §6's measures."""

    key: str  # "red", "orange" or "yellow"
    level: Level
    area_bng: Polygon | MultiPolygon
    max_distance_m: float
    max_half_width_m: float


@dataclass(frozen=True)
class Footprints:
    """Everything drawn for a what-if, in EPSG:27700."""

    source_bng: tuple[float, float]
    zones: tuple[ThreatZone, ...]
    sector_bng: BaseGeometry
    sector_half_angle_deg: float


def release_of(inputs: WhatIfInputs) -> Release:
    """Return the §6 model's release for checked inputs."""
    return Release(
        rate_g_s=inputs.rate_g_s,
        wind_speed_m_s=inputs.wind_speed_m_s,
        stability=inputs.stability,
        terrain=inputs.terrain,
        height_m=inputs.height_m,
    )


def footprints_of(inputs: WhatIfInputs) -> Footprints:
    """Return the threat zones (most severe first) and the wind sector of a what-if."""
    release = release_of(inputs)
    source = source_bng(inputs.lon, inputs.lat)
    zones = tuple(
        ThreatZone(key, fp_level, fp.area_bng, fp.max_distance_m, fp.max_half_width_m)
        for key, fp_level in zip(ZONE_COLOURS, inputs.levels, strict=False)
        for fp in [
            footprint_bng(
                release, source, inputs.wind_from_deg, fp_level.mg_m3, inputs.max_distance_m
            )
        ]
    )
    half_angle = sector_half_angle_deg(inputs.wind_speed_m_s, inputs.sector_deg)
    widest = next((z for z in reversed(zones) if not z.area_bng.is_empty), None)
    sector: BaseGeometry = Polygon()
    if widest is not None:
        sector = wind_sector_bng(widest.area_bng, source, inputs.wind_from_deg, half_angle)
    return Footprints(source, zones, sector, half_angle)


def wind_sector_bng(
    footprint: BaseGeometry, source: tuple[float, float], wind_from_deg: float, half_angle: float
) -> BaseGeometry:
    """Return the region the footprint could cover with the wind within ±half_angle (EPSG:27700)."""
    reach = float(
        shapely.distance(Point(source), shapely.points(shapely.get_coordinates(footprint))).max()
    )
    parts: list[BaseGeometry] = [footprint]
    if half_angle >= 180.0:
        parts.append(Point(source).buffer(reach, quad_segs=64))
    else:
        parts.append(_wedge(source, wind_from_deg + 180.0, half_angle, reach))
        for turn in (-half_angle, half_angle):
            # shapely rotates anticlockwise; a bearing grows clockwise.
            parts.append(affinity.rotate(footprint, -turn, origin=source))
    return shapely.union_all(parts).buffer(0)


def _wedge(
    source: tuple[float, float], bearing_deg: float, half_angle: float, radius: float
) -> Polygon:
    steps = max(int(math.ceil(2 * half_angle / _ARC_STEP_DEG)), 2)
    bearings = np.radians(
        np.linspace(bearing_deg - half_angle, bearing_deg + half_angle, steps + 1)
    )
    x0, y0 = source
    arc = np.column_stack([x0 + radius * np.sin(bearings), y0 + radius * np.cos(bearings)])
    return Polygon(np.vstack([[source], arc]))
