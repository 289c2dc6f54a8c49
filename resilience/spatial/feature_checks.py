"""Checks every feature read from a file must pass before the app sees it, then WGS84 output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj.exceptions import CRSError, ProjError

from resilience.errors import InputError
from resilience.spatial.crs import WGS84

# Largest easting and northing in Great Britain, in metres: used to word a hint, never to reject.
_BNG_EXTENT = (700_000.0, 1_300_000.0)


@dataclass(frozen=True)
class SourceFeatures:
    """Features as a file holds them (its own CRS), with how to name a feature in messages."""

    frame: gpd.GeoDataFrame
    locate: Callable[[int], str]
    # How to fix a file whose coordinates do not match its stated CRS, in the format's own terms.
    crs_hint: str
    # CSV columns holding x and y, so that range errors can name the field.
    coordinate_fields: tuple[str, str] | None = None
    # GDAL's warnings while parsing text: the only account of a geometry it had to drop.
    notes: Sequence[str] = field(default_factory=tuple)


def feature_label(index: int) -> str:
    """Return the 1-based name of the feature at a 0-based position."""
    return f"feature {index + 1}"


def checked_wgs84(
    source: SourceFeatures,
    *,
    file: str,
    required_fields: Sequence[str],
    id_field: str | None,
) -> gpd.GeoDataFrame:
    """Return the features in WGS84 with index 0..n-1; raises InputError for the first problem."""
    frame = source.frame
    if len(frame) == 0:
        raise InputError("contains no features", file=file)
    fields = [*required_fields, *([id_field] if id_field else [])]
    _check_fields_exist(frame, fields, file)
    if frame.crs is None:
        raise InputError("coordinate reference system unknown", file=file)
    crs = pyproj.CRS(frame.crs)
    geometries = frame.geometry.to_numpy()
    _check_present(geometries, source, file)
    bounds = shapely.bounds(geometries)
    _check_finite(bounds, source, file)
    if crs.is_geographic:
        _check_degrees(bounds, source, file)
    elif crs.is_projected:
        _check_not_degrees(bounds, crs, source, file)
    output = _to_wgs84(frame, crs, file)
    out_geometries = output.geometry.to_numpy()
    _check_area_of_use(geometries, out_geometries, crs, source, file)
    _check_valid(out_geometries, source, file)
    for name in fields:
        _check_filled(frame[name], name, source, file)
    if id_field:
        _check_unique(frame[id_field], id_field, source, file)
    output = output.reset_index(drop=True)
    output.attrs["source_crs"] = crs.to_string()
    return output


def _check_fields_exist(frame: gpd.GeoDataFrame, fields: Sequence[str], file: str) -> None:
    present = [str(c) for c in frame.columns if c != frame.geometry.name]
    for name in fields:
        if name in present:
            continue
        near = [c for c in present if c.strip().lower() == name.lower()]
        hint = f" (there is '{near[0]}': names are case-sensitive)" if near else ""
        listed = ", ".join(present) or "none"
        raise InputError(f"missing{hint}; the fields are: {listed}", file=file, field=name)


def _check_present(geometries: np.ndarray, source: SourceFeatures, file: str) -> None:
    missing = shapely.is_missing(geometries)
    empty = ~missing & shapely.is_empty(geometries)
    bad = np.flatnonzero(missing | empty)
    if bad.size == 0:
        return
    index = int(bad[0])
    if empty[index]:
        problem = "geometry is empty"
    else:
        problem = "geometry is missing"
        if source.notes:
            problem += f" or could not be read (GDAL reported: {source.notes[0]})"
    raise InputError(problem, file=file, location=source.locate(index))


def _check_finite(bounds: np.ndarray, source: SourceFeatures, file: str) -> None:
    bad = np.flatnonzero(~np.isfinite(bounds).all(axis=1))
    if bad.size:
        raise InputError(
            "coordinates are not finite numbers", file=file, location=source.locate(int(bad[0]))
        )


def _check_degrees(bounds: np.ndarray, source: SourceFeatures, file: str) -> None:
    """Raise if a geographic coordinate is outside longitude -180..180 or latitude -90..90."""
    x_bad = (bounds[:, 0] < -180) | (bounds[:, 2] > 180)
    y_bad = (bounds[:, 1] < -90) | (bounds[:, 3] > 90)
    bad = np.flatnonzero(x_bad | y_bad)
    if bad.size == 0:
        return
    index = int(bad[0])
    xy = shapely.get_coordinates(source.frame.geometry.iloc[index])
    vertex = int(np.flatnonzero((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90))[0])
    x, y = xy[vertex]
    x_field, y_field = source.coordinate_fields or (None, None)
    if abs(x) > 180:
        problem, name = f"longitude {x:.10g} is outside -180…180", x_field
    else:
        problem, name = f"latitude {y:.10g} is outside -90…90", y_field
    west, south, east, north = _overall(bounds)
    if west >= 0 and south >= 0 and east <= _BNG_EXTENT[0] and north <= _BNG_EXTENT[1]:
        problem += "; these look like eastings and northings in metres"
    raise InputError(
        f"{problem}; {source.crs_hint}", file=file, location=source.locate(index), field=name
    )


def _check_not_degrees(
    bounds: np.ndarray, crs: pyproj.CRS, source: SourceFeatures, file: str
) -> None:
    """Raise if every coordinate of a projected file would fit in degrees: a mislabelled file."""
    west, south, east, north = _overall(bounds)
    if west >= -180 and east <= 180 and south >= -90 and north <= 90:
        x, y = bounds[0, 0], bounds[0, 1]
        raise InputError(
            f"coordinates such as ({x:.10g}, {y:.10g}) look like longitude and latitude in "
            f"degrees, but the coordinate reference system is {_crs_label(crs)}, in metres; "
            f"{source.crs_hint}",
            file=file,
            location=source.locate(0),
        )


def _check_area_of_use(
    geometries: np.ndarray,
    out_geometries: np.ndarray,
    crs: pyproj.CRS,
    source: SourceFeatures,
    file: str,
) -> None:
    """Raise if a feature, once in WGS84, lies outside where the file's CRS is meant to be used."""
    area = crs.area_of_use
    if area is None:
        return
    west, south, east, north = area.bounds

    def outside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        off = ~np.isfinite(lon) | ~np.isfinite(lat) | (lat < south) | (lat > north)
        if west <= east:  # an area crossing the antimeridian has west > east: no lon test
            off |= (lon < west) | (lon > east)
        return off

    out_bounds = shapely.bounds(out_geometries)
    bad = np.flatnonzero(
        outside(out_bounds[:, 0], out_bounds[:, 1]) | outside(out_bounds[:, 2], out_bounds[:, 3])
    )
    if bad.size == 0:
        return
    index = int(bad[0])
    src_xy = shapely.get_coordinates(geometries[index])
    out_xy = shapely.get_coordinates(out_geometries[index])
    vertex = int(np.flatnonzero(outside(out_xy[:, 0], out_xy[:, 1]))[0])
    x, y = src_xy[vertex]
    x_field, y_field = source.coordinate_fields or ("x", "y")
    raise InputError(
        f"{x_field} {x:.10g}, {y_field} {y:.10g} is outside the area where "
        f"{_crs_label(crs)} is valid (longitude {west}…{east}, latitude {south}…{north})",
        file=file,
        location=source.locate(index),
    )


def _check_valid(geometries: np.ndarray, source: SourceFeatures, file: str) -> None:
    bad = np.flatnonzero(~shapely.is_valid(geometries))
    if bad.size == 0:
        return
    index = int(bad[0])
    geometry = geometries[index]
    raise InputError(
        f"invalid {geometry.geom_type}: {shapely.is_valid_reason(geometry)} "
        "(a GIS can repair it, e.g. QGIS 'Fix geometries')",
        file=file,
        location=source.locate(index),
    )


def _check_filled(values: pd.Series, name: str, source: SourceFeatures, file: str) -> None:
    blank = values.isna().to_numpy(dtype=bool)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        blank = blank | text.eq("").fillna(False).to_numpy(dtype=bool)
    bad = np.flatnonzero(blank)
    if bad.size:
        raise InputError(
            "missing or empty", file=file, location=source.locate(int(bad[0])), field=name
        )


def _check_unique(values: pd.Series, name: str, source: SourceFeatures, file: str) -> None:
    repeats = np.flatnonzero(values.duplicated(keep="first").to_numpy())
    if repeats.size == 0:
        return
    later = int(repeats[0])
    value = values.iloc[later]
    earlier = int(np.flatnonzero((values == value).to_numpy())[0])
    raise InputError(
        f"{value!r} is also the {name} of {source.locate(earlier)}; each must be unique",
        file=file,
        location=source.locate(later),
        field=name,
    )


def _to_wgs84(frame: gpd.GeoDataFrame, crs: pyproj.CRS, file: str) -> gpd.GeoDataFrame:
    if crs.equals(WGS84, ignore_axis_order=True):
        # OGC:CRS84 and EPSG:4326 differ only in axis order, which geopandas keeps as lon, lat.
        return frame.set_crs(WGS84, allow_override=True)
    try:
        return frame.to_crs(WGS84)
    except (CRSError, ProjError) as error:
        raise InputError(
            f"cannot convert from {_crs_label(crs)} to longitude/latitude: {error}", file=file
        ) from None


def _overall(bounds: np.ndarray) -> tuple[float, float, float, float]:
    return (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )


def _crs_label(crs: pyproj.CRS) -> str:
    return f"{crs.to_string()} ({crs.name})"
