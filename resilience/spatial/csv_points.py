"""CSV files of features: lat/lon (WGS84), easting/northing (British National Grid) or wkt."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from resilience.errors import InputError
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.feature_checks import SourceFeatures

LATITUDE_NAMES = ("lat", "latitude")
LONGITUDE_NAMES = ("lon", "longitude")
WKT_NAME = "wkt"

_CRS_HINT = (
    "name the columns lat and lon for WGS84 degrees, or easting and northing for "
    "British National Grid metres"
)
# Numbers as a spreadsheet or pandas writes them. No leading zeros and no '+', so that codes
# such as '007' or '+44…' stay text.
_INTEGER = r"-?(?:0|[1-9][0-9]*)"
_DECIMAL = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
# Coordinates are read more leniently: any plain decimal number.
_COORDINATE = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# The csv module's default limit (128 KiB) is smaller than the WKT of a detailed ward boundary.
_FIELD_SIZE_LIMIT = 256 * 1024 * 1024

_Locate = Callable[[int], str]


def read_csv_features(path: Path, *, file: str) -> SourceFeatures:
    """Return the rows of a CSV file as features; raises InputError naming row and field."""
    header, rows, row_numbers = _parse(_decode(path.read_bytes(), file), file)
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    by_key = _geometry_columns(header, file)

    def locate(index: int) -> str:
        return f"row {row_numbers[index]}"

    consumed: list[str]
    coordinate_fields: tuple[str, str] | None = None
    if WKT_NAME in by_key:
        wkt_name = by_key[WKT_NAME]
        geometries = _wkt_geometries(columns[wkt_name], wkt_name, file, locate)
        consumed = [wkt_name]
        crs = WGS84
        lat_lon = _pair(by_key, LATITUDE_NAMES, LONGITUDE_NAMES)
        if lat_lon and bool(shapely.get_type_id(geometries).max(initial=0) == 0):
            # lat and lon beside a column of points are the copies write_vector_file adds.
            _check_same_points(geometries, columns, lat_lon, file, locate)
            consumed += list(lat_lon)
    elif pair := _pair(by_key, LATITUDE_NAMES, LONGITUDE_NAMES):
        lat_name, lon_name = pair
        geometries = _points(columns, lon_name, lat_name, file, locate)
        consumed, crs, coordinate_fields = [lat_name, lon_name], WGS84, (lon_name, lat_name)
    elif pair := _pair(by_key, ("northing",), ("easting",)):
        north_name, east_name = pair
        geometries = _points(columns, east_name, north_name, file, locate)
        consumed, crs, coordinate_fields = [north_name, east_name], BNG, (east_name, north_name)
    else:
        raise InputError(
            "no columns giving positions: expected lat and lon (or latitude and longitude), "
            f"easting and northing, or wkt; the columns are: {', '.join(header)}",
            file=file,
        )
    attributes = pd.DataFrame(
        {name: _typed(values) for name, values in columns.items() if name not in consumed},
        index=pd.RangeIndex(len(rows)),
    )
    frame = gpd.GeoDataFrame(attributes, geometry=gpd.GeoSeries(geometries), crs=crs)
    return SourceFeatures(frame, locate, _CRS_HINT, coordinate_fields)


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as 'CSV UTF-8 (Comma delimited)' and try again",
            file=file,
        ) from None


def _parse(text: str, file: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Return the header, the data rows padded to its width, and each row's number (header 1)."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_SIZE_LIMIT))
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(records, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError("has no header row", file=file)
        width = len(header)
        rows: list[list[str]] = []
        row_numbers: list[int] = []
        for number, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue  # spreadsheets leave blank rows at the end
            if len(record) > width:
                if any(cell.strip() for cell in record[width:]):
                    raise InputError(
                        f"has {len(record)} values but the header has {width} columns",
                        file=file,
                        location=f"row {number}",
                    )
                record = record[:width]
            rows.append(record + [""] * (width - len(record)))
            row_numbers.append(number)
    except csv.Error as error:
        raise InputError(
            f"is not valid CSV: {error}", file=file, location=f"line {records.line_num}"
        ) from None
    header = _named_columns(header, rows, file)
    if not rows:
        raise InputError("contains no features: there are no rows below the header", file=file)
    return header, rows, row_numbers


def _named_columns(header: list[str], rows: list[list[str]], file: str) -> list[str]:
    """Return the header after dropping unnamed empty columns; raises for clashing names."""
    keep = []
    for i, name in enumerate(header):
        if name.strip():
            keep.append(i)
        elif any(row[i].strip() for row in rows):
            raise InputError(f"column {i + 1} has values but no name", file=file, location="row 1")
    seen: set[str] = set()
    for i in keep:
        if header[i] in seen:
            raise InputError(
                f"column '{header[i]}' appears twice in the header", file=file, location="row 1"
            )
        seen.add(header[i])
    if len(keep) < len(header):
        for row in rows:
            row[:] = [row[i] for i in keep]
    return [header[i] for i in keep]


def _geometry_columns(header: Sequence[str], file: str) -> dict[str, str]:
    """Return a map from each recognised position column's lowercase name to its header name."""
    known = (*LATITUDE_NAMES, *LONGITUDE_NAMES, "easting", "northing", WKT_NAME)
    by_key: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in known:
            if key in by_key:
                raise InputError(
                    f"columns '{by_key[key]}' and '{name}' both give {key}",
                    file=file,
                    location="row 1",
                )
            by_key[key] = name
    for group in (LATITUDE_NAMES, LONGITUDE_NAMES):
        found = [by_key[key] for key in group if key in by_key]
        if len(found) > 1:
            raise InputError(
                f"columns '{found[0]}' and '{found[1]}' both give the same coordinate",
                file=file,
                location="row 1",
            )
    return by_key


def _pair(
    by_key: dict[str, str], y_names: Sequence[str], x_names: Sequence[str]
) -> tuple[str, str] | None:
    """Return the header names of the y and x columns when both are present."""
    y = next((by_key[k] for k in y_names if k in by_key), None)
    x = next((by_key[k] for k in x_names if k in by_key), None)
    return (y, x) if y is not None and x is not None else None


def _numbers(values: Sequence[str], name: str, file: str, locate: _Locate) -> np.ndarray:
    """Return the column as floats; raises InputError at the first empty or bad value."""
    text = pd.Series(values, dtype="string").str.strip()
    empty = text.eq("").to_numpy(dtype=bool)
    bad = ~empty & ~text.str.fullmatch(_COORDINATE).to_numpy(dtype=bool)
    for problem_rows, problem in ((empty, "empty: every row needs a position"), (bad, None)):
        found = np.flatnonzero(problem_rows)
        if found.size:
            index = int(found[0])
            raise InputError(
                problem or f"{values[index]!r} is not a number",
                file=file,
                location=locate(index),
                field=name,
            )
    return text.astype(float).to_numpy()


def _points(
    columns: dict[str, list[str]], x_name: str, y_name: str, file: str, locate: _Locate
) -> np.ndarray:
    x = _numbers(columns[x_name], x_name, file, locate)
    y = _numbers(columns[y_name], y_name, file, locate)
    return shapely.points(x, y)


def _wkt_geometries(values: list[str], name: str, file: str, locate: _Locate) -> np.ndarray:
    text = np.array([value.strip() or None for value in values], dtype=object)
    geometries = shapely.from_wkt(text, on_invalid="ignore")
    unreadable = np.flatnonzero(shapely.is_missing(geometries) & (text != None))  # noqa: E711
    if unreadable.size:
        index = int(unreadable[0])
        reason = "unknown reason"
        try:
            shapely.from_wkt(text[index])
        except shapely.errors.ShapelyError as error:
            reason = str(error).split(": ", 1)[-1]
        raise InputError(f"not valid WKT: {reason}", file=file, location=locate(index), field=name)
    missing = np.flatnonzero(shapely.is_missing(geometries))
    if missing.size:
        raise InputError(
            "empty: every row needs a geometry",
            file=file,
            location=locate(int(missing[0])),
            field=name,
        )
    return geometries


def _check_same_points(
    points: np.ndarray,
    columns: dict[str, list[str]],
    lat_lon: tuple[str, str],
    file: str,
    locate: _Locate,
) -> None:
    lat_name, lon_name = lat_lon
    lat = _numbers(columns[lat_name], lat_name, file, locate)
    lon = _numbers(columns[lon_name], lon_name, file, locate)
    xy = shapely.get_coordinates(points)
    # Empty points have no coordinates; the common checks report those, not this one.
    if len(xy) != len(points):
        return
    differs = np.flatnonzero((np.abs(xy[:, 0] - lon) > 1e-9) | (np.abs(xy[:, 1] - lat) > 1e-9))
    if differs.size:
        raise InputError(
            f"{lat_name} and {lon_name} do not match the point in {WKT_NAME}",
            file=file,
            location=locate(int(differs[0])),
        )


def _typed(values: list[str]) -> pd.Series:
    """Return a column as int64, float64 or bool where every filled value is one, else text."""
    text = pd.Series(values, dtype="string").str.strip()
    filled = text.ne("").to_numpy(dtype=bool)
    present = text[filled]
    if len(present) and filled.all() and present.str.fullmatch(_INTEGER).all():
        try:
            return present.astype("int64")
        except OverflowError:  # beyond int64 it is an identifier, not a count
            pass
    elif len(present) and present.str.fullmatch(_DECIMAL).all():
        # As GDAL gives them: numbers with gaps are float64, a gap NaN.
        return text.where(filled).astype("float64")
    if filled.all() and present.str.lower().isin(["true", "false"]).all():
        return present.str.lower().eq("true").astype(bool)
    return pd.Series(values, dtype="str").where(filled)
