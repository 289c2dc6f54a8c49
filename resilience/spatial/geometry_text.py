"""Geometries typed into a form: GeoJSON or WKT in WGS84 (longitude, latitude)."""

from __future__ import annotations

import json

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from resilience.errors import InputError


def check_wgs84_geometry(geometry: BaseGeometry, allowed_types: tuple[str, ...]) -> BaseGeometry:
    """Return `geometry` if it is non-empty, valid, of an allowed type and in lon/lat range."""
    if geometry.is_empty:
        raise InputError("the geometry is empty")
    if geometry.geom_type not in allowed_types:
        raise InputError(
            f"a {geometry.geom_type} was given; expected a {' or '.join(allowed_types)}"
        )
    min_x, min_y, max_x, max_y = geometry.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise InputError(
            "coordinates are outside longitude −180…180 / latitude −90…90 "
            "(eastings and northings must be converted to longitude and latitude)"
        )
    if not geometry.is_valid:
        raise InputError(f"the geometry is not valid: {shapely.is_valid_reason(geometry)}")
    return geometry


def parse_geometry_text(text: str, allowed_types: tuple[str, ...]) -> BaseGeometry:
    """Return the geometry written as GeoJSON or WKT; raises InputError saying what is wrong."""
    text = text.strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            if data.get("type") == "Feature":
                data = data.get("geometry") or {}
            geometry = shape(data)
        else:
            geometry = shapely.from_wkt(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid GeoJSON: {error.msg} at character {error.pos}") from None
    except (GEOSException, ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        raise InputError(f"not a GeoJSON geometry or WKT: {error}") from None
    if geometry is None:
        raise InputError("not a GeoJSON geometry or WKT")
    return check_wgs84_geometry(geometry, allowed_types)
