"""Wards and zones fetched by the map for the part of the country in view, simplified for its zoom.

A national overview cannot carry every ward and zone in its page (about 13 MB). Above a size
the page carries the hazards, pipelines and sensitive places, and the map asks for the wards
and each band of zones in view as it moves (``static/map.js``). Each answer holds the shapes
that meet a block of tiles around the view, simplified within the *display error* of that
zoom level::

    max(5 m, half a screen pixel's ground size at that zoom and the block's highest latitude)

A pixel covers less ground further from the equator, so the highest latitude is the strictest.
Simplification is done in Web Mercator metres on the ground, as for the embedded layers (see
simplify.py), never in degrees.

The block is the view grown outward to whole Web Mercator tiles two levels coarser than the map
(each 1,024 screen pixels wide at the map's zoom), so that small moves ask for nothing new and
everyone who looks at the same place at the same zoom is given the same, cached, answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from resilience.spatial.crs import WGS84
from webmap.encoding import encode_layer
from webmap.simplify import (
    DEFAULT_MAX_ERROR_M,
    EARTH_RADIUS_M,
    detail_for,
    display_geometry,
    metres_per_pixel,
)

HAZARD_LAYERS = {
    "establishment": "establishments",
    "pipeline": "pipelines",
    "radiation_premises": "radiation-premises",
}
# Beyond this zoom half a pixel is under 5 m everywhere in Great Britain (lat 49.8-61 N), so
# every closer level gets the same (finest) answer.
FINEST_ZOOM = 14
MIN_ZOOM = 0
# The map's zoom minus this is the zoom of the tiles a request is grown to.
BLOCK_LEVELS = 2
# A request may cover at most this many tiles (a 1,400 x 950 view at most needs 3 x 2).
MAX_TILES = 36
MAX_LATITUDE = 85.0


class BadRequest(ValueError):
    """A bounding box or zoom the endpoint cannot answer; the message says why."""


@dataclass(frozen=True)
class Block:
    """A block of Web Mercator tiles at zoom `tile_zoom`: columns x0..x1, rows y0..y1."""

    zoom: int  # the map's zoom level the shapes are simplified for
    tile_zoom: int
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return the block's lon/lat bounds (west, south, east, north)."""
        west, north = tile_corner(self.tile_zoom, self.x0, self.y0)
        east, south = tile_corner(self.tile_zoom, self.x1 + 1, self.y1 + 1)
        return (west, south, east, north)

    @property
    def error_m(self) -> float:
        """Return the display error of the shapes in this block, in metres on the ground."""
        west, south, east, north = self.bounds
        return display_error_m(self.zoom, max(abs(south), abs(north)))

    def key(self) -> tuple[int, ...]:
        """Return what identifies the block in a cache key."""
        return (self.zoom, self.tile_zoom, self.x0, self.y0, self.x1, self.y1)


def display_error_m(zoom: int, latitude: float) -> float:
    """Return how far drawn shapes may stray at `zoom` and `latitude`: max(5 m, half a pixel).

    >>> display_error_m(14, 55.0)
    5.0
    >>> round(display_error_m(6, 55.0))
    702
    """
    return max(DEFAULT_MAX_ERROR_M, 0.5 * metres_per_pixel(zoom, latitude))


def tile_corner(zoom: int, x: int, y: int) -> tuple[float, float]:
    """Return the lon/lat of the north-west corner of Web Mercator tile (`zoom`, `x`, `y`)."""
    n = 2.0**zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def _tile_of(zoom: int, lon: float, lat: float) -> tuple[float, float]:
    n = 2.0**zoom
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = (lon + 180.0) / 360.0 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return x, y


def parse_request(bbox_text: str | None, zoom_text: str | None) -> Block:
    """Return the block of tiles for a request's ``bbox=w,s,e,n`` (degrees) and ``zoom``.

    Raises BadRequest naming the parameter and the value received.
    """
    if not zoom_text or not zoom_text.strip().isdigit():
        raise BadRequest(f"zoom must be a whole number from 0 to 22, not {zoom_text!r}")
    zoom = min(int(zoom_text), 22)
    try:
        west, south, east, north = (float(v) for v in (bbox_text or "").split(","))
    except ValueError:
        message = f"bbox must be four numbers west,south,east,north, not {bbox_text!r}"
        raise BadRequest(message) from None
    values = (west, south, east, north)
    if not all(math.isfinite(v) for v in values) or not (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    ):
        raise BadRequest(f"bbox must be west<east, south<north in degrees, not {bbox_text!r}")
    return block_for((west, south, east, north), zoom)


def block_for(bounds: tuple[float, float, float, float], zoom: int) -> Block:
    """Return the block of whole tiles (two levels coarser than `zoom`) that holds `bounds`."""
    shape_zoom = max(MIN_ZOOM, min(zoom, FINEST_ZOOM))
    tile_zoom = max(0, zoom - BLOCK_LEVELS)
    west, south, east, north = bounds
    last = 2**tile_zoom - 1
    fx0, fy0 = _tile_of(tile_zoom, west, north)
    fx1, fy1 = _tile_of(tile_zoom, east, south)
    x0, y0 = max(0, math.floor(fx0)), max(0, math.floor(fy0))
    x1, y1 = min(last, math.ceil(fx1) - 1), min(last, math.ceil(fy1) - 1)
    x1, y1 = max(x0, x1), max(y0, y1)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES:
        raise BadRequest(
            f"the bbox covers {(x1 - x0 + 1) * (y1 - y0 + 1)} tiles at zoom {zoom}; "
            f"at most {MAX_TILES} (ask for the view, at its own zoom)"
        )
    return Block(shape_zoom, tile_zoom, x0, y0, x1, y1)


def _reduce_small_rings(shapes: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Return `shapes` with every polygon part smaller than the tolerance as a triangle.

    simplify_rings keeps a ring that would collapse as it was: right at 5 m, but at national
    zoom thousands of small wards would then be sent at full detail. A part whose bounding box
    diagonal is within the tolerance is within it of any shape made of its own vertices.
    """
    out = shapes.copy()
    for index, shape in enumerate(shapes):
        parts = shapely.get_parts(shape)
        changed = False
        for k, part in enumerate(parts):
            ring = part.exterior
            if len(ring.coords) <= 4:
                continue
            x0, y0, x1, y1 = part.bounds
            # Local metres: a degree of longitude shrinks with latitude.
            scale = math.cos(math.radians(max(abs(y0), abs(y1)))) * EARTH_RADIUS_M * math.pi / 180
            diagonal = math.hypot((x1 - x0) * scale, (y1 - y0) * EARTH_RADIUS_M * math.pi / 180)
            if diagonal <= tolerance_m:
                coords = np.asarray(ring.coords)
                n = len(coords) - 1
                parts[k] = shapely.Polygon(coords[[0, n // 3, (2 * n) // 3, 0]])
                changed = True
        if changed:
            out[index] = shapely.MultiPolygon(list(parts))
    return out


def _drawn(frame: gpd.GeoDataFrame, block: Block) -> tuple[gpd.GeoDataFrame, np.ndarray, int]:
    """Return the rows of `frame` meeting `block`, their shapes simplified for it, and decimals."""
    inside = frame[frame.geometry.intersects(shapely.box(*block.bounds))]
    error = block.error_m
    detail = detail_for(error)
    shapes = np.asarray(display_geometry(inside, detail).values)
    if error > DEFAULT_MAX_ERROR_M:
        shapes = shapely.orient_polygons(
            _reduce_small_rings(shapes, detail.tolerance_m), exterior_cw=False
        )
    return inside, shapes, detail.decimals


def _encoded(
    shapes: np.ndarray, decimals: int, props: dict[str, list[Any]], block: Block
) -> dict[str, Any]:
    encoded = encode_layer(gpd.GeoSeries(shapes, crs=WGS84), decimals, props)
    encoded["bbox"] = list(block.bounds)
    encoded["zoom"] = block.zoom
    encoded["error_m"] = round(block.error_m, 1)
    return encoded


def ward_layer(
    wards: gpd.GeoDataFrame,
    values: dict[str, float | None],
    classes: dict[str, int],
    block: Block,
) -> dict[str, Any]:
    """Return the wards meeting `block`, simplified for its zoom, in the compact encoding.

    `wards` (EPSG:4326, columns code, name, lad_name, population) may hold wards outside the
    block (found by their stored bounding boxes); only those whose shapes meet it are sent.
    `values` and `classes` are the choropleth's, by ward code, worked out over every ward.
    """
    inside, shapes, decimals = _drawn(wards, block)
    codes = list(inside["code"])
    props = {
        "ref": codes,
        "name": list(inside["name"]),
        "lad": list(inside["lad_name"]),
        "population": list(inside["population"]),
        "value": [values.get(c) for c in codes],
        "cls": [classes.get(c, -1) for c in codes],
    }
    return _encoded(shapes, decimals, props, block)


def zone_layer(zones: gpd.GeoDataFrame, block: Block) -> dict[str, Any]:
    """Return the zones meeting `block` (of one kind), simplified for its zoom, encoded.

    `zones` (EPSG:4326, columns hazard_ref, hazard_name, hazard_kind, area_m2) holds only what
    the reader may see: for a member, no pipeline's own zones.
    """
    inside, shapes, decimals = _drawn(zones, block)
    props = {
        "ref": list(inside["hazard_ref"]),
        "name": list(inside["hazard_name"]),
        "layer": [HAZARD_LAYERS.get(k, k) for k in inside["hazard_kind"]],
        "area_ha": [round(a / 10_000, 1) for a in inside["area_m2"]],
    }
    return _encoded(shapes, decimals, props, block)
