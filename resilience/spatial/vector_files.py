"""The one way geographic files enter and leave the app: GeoJSON, GeoPackage, zipped Shapefile, CSV.

Every reader returns WGS84 features that passed the same checks, or raises InputError naming
the file, the feature or row, and the field.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.raw import read as read_raw
from shapely.errors import ShapelyError

from resilience.csv_export import spreadsheet_csv
from resilience.errors import InputError
from resilience.spatial.crs import WGS84
from resilience.spatial.csv_points import (
    LATITUDE_NAMES,
    LONGITUDE_NAMES,
    WKT_NAME,
    read_csv_features,
)
from resilience.spatial.feature_checks import SourceFeatures, checked_wgs84, feature_label
from resilience.spatial.shapefile_zip import extract_shapefile

Format = Literal["geojson", "gpkg", "zip", "csv"]
ExportFormat = Literal["geojson", "gpkg", "csv"]

FORMAT_BY_SUFFIX: dict[str, Format] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".csv": "csv",
}
_DESCRIPTIONS: dict[Format, str] = {
    "geojson": "GeoJSON",
    "gpkg": "a GeoPackage",
    "zip": "a zipped Shapefile",
    "csv": "CSV",
}
_SUFFIX_HINTS = {
    ".shp": "upload the Shapefile as one .zip holding its .shp, .shx, .dbf and .prj",
    ".xlsx": "save the sheet as 'CSV UTF-8' and upload that",
    ".xls": "save the sheet as 'CSV UTF-8' and upload that",
    ".ods": "save the sheet as CSV and upload that",
}
# First bytes of files people upload by mistake, so the message can say what the file is.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document (such as .xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x00\x00\x27\x0a", "a bare .shp (zip it with its .shx, .dbf and .prj)"),
    (b"\xff\xfe", "UTF-16 text (save it as 'CSV UTF-8')"),
    (b"\xfe\xff", "UTF-16 text (save it as 'CSV UTF-8')"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")  # bytes 68-71 of the SQLite header
_HEAD_BYTES = 4096
_GEOJSON_TYPES = {
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
_GEOJSON_HINT = "GeoJSON coordinates must be WGS84 longitude and latitude (RFC 7946)"
_GIS_HINT = "set the layer's coordinate reference system correctly in your GIS and export it again"
# Keep GeoJSON property values as written: GDAL would otherwise turn date-like text into dates
# and arrays into list columns.
_GEOJSON_OPEN_OPTIONS = {"DATE_AS_STRING": "YES", "ARRAY_AS_STRING": "YES"}
_USE_ARROW = importlib.util.find_spec("pyarrow") is not None
# Limits on one file, checked before validation, reprojection and zones (the costly work).
# 400,000 points took 128 s and 2.9 GB to import: far beyond a web request. Great Britain's
# ~900 COMAH establishments and ~9,000 wards fit many times over; a detailed county boundary
# has some 100,000 vertices.
MAX_FEATURES = 250_000
MAX_VERTICES_PER_FEATURE = 250_000
MAX_VERTICES_PER_FILE = 10_000_000
# warnings.catch_warnings swaps process-wide state, so GDAL reads take turns.
_GDAL_LOCK = threading.Lock()


def read_vector_file(
    path: Path,
    *,
    name: str | None = None,
    required_fields: Sequence[str] = (),
    id_field: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the file's features in WGS84, attrs['source_crs'] set; raises InputError only.

    `name` is the file's name in messages and decides the expected format by its suffix;
    `layer` chooses a GeoPackage layer and is ignored by single-layer formats.
    """
    file = name or path.name
    claimed = _claimed_format(file)
    actual = _detected_format(_head(path, file), claimed, path, file)
    if actual == "zip":
        with tempfile.TemporaryDirectory(prefix="resilience-shp-") as folder:
            shp = extract_shapefile(path, file=file, into=Path(folder))
            source = _read_with_gdal(shp, file=file, crs_hint=_GIS_HINT)
    elif actual == "csv":
        source = read_csv_features(path, file=file)
    elif actual == "gpkg":
        chosen = _chosen_layer(path, file, layer)
        source = _read_with_gdal(path, file=file, crs_hint=_GIS_HINT, layer=chosen)
    else:
        source = _read_geojson(path, file)
    _check_size(source, file)
    return checked_wgs84(source, file=file, required_fields=required_fields, id_field=id_field)


def _check_size(source: SourceFeatures, file: str) -> None:
    """Raise InputError if the file has more features or vertices than the documented limits."""
    count = len(source.frame)
    if count > MAX_FEATURES:
        raise InputError(
            f"holds {count:,} features; at most {MAX_FEATURES:,} can be imported at once: "
            "split the file",
            file=file,
        )
    vertices = shapely.get_num_coordinates(source.frame.geometry.to_numpy())
    if len(vertices) == 0:
        return
    biggest = int(np.argmax(vertices))
    if vertices[biggest] > MAX_VERTICES_PER_FEATURE:
        raise InputError(
            f"geometry has {int(vertices[biggest]):,} vertices; at most "
            f"{MAX_VERTICES_PER_FEATURE:,} are accepted per feature: simplify it in your GIS",
            file=file,
            location=source.locate(biggest),
            field="geometry",
        )
    total = int(vertices.sum())
    if total > MAX_VERTICES_PER_FILE:
        raise InputError(
            f"holds {total:,} vertices; at most {MAX_VERTICES_PER_FILE:,} are accepted per file: "
            "simplify or split it",
            file=file,
        )


def _without_paths(message: str, path: Path, file: str) -> str:
    """Return GDAL's `message` with the server's (temporary) path replaced by the file's name."""
    for shown in (str(path), path.as_posix(), str(path.parent), path.name):
        if shown and shown != file:
            message = message.replace(shown, file)
    return message


def write_vector_file(gdf: gpd.GeoDataFrame, fmt: ExportFormat, *, layer: str) -> bytes:
    """Return `gdf` (WGS84) encoded as GeoJSON (RFC 7946), a GeoPackage layer or CSV.

    Raises ValueError if `gdf` has no CRS or, for CSV, a column clashes with the position columns.
    """
    if gdf.crs is None:
        raise ValueError("the GeoDataFrame has no CRS; set it to EPSG:4326")
    if not gdf.crs.equals(WGS84, ignore_axis_order=True):
        gdf = gdf.to_crs(WGS84)
    if fmt == "csv":
        return _csv_bytes(gdf)
    buffer = io.BytesIO()
    if fmt == "geojson":
        # RFC 7946 would round to 7 decimals (1 cm); keep full precision so exports round-trip.
        options = {"RFC7946": "YES", "COORDINATE_PRECISION": 15}
        pyogrio.write_dataframe(gdf, buffer, driver="GeoJSON", layer=layer, layer_options=options)
    elif fmt == "gpkg":
        pyogrio.write_dataframe(gdf, buffer, driver="GPKG", layer=layer)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return buffer.getvalue()


def _claimed_format(file: str) -> Format:
    suffix = Path(file).suffix.lower()
    if suffix in FORMAT_BY_SUFFIX:
        return FORMAT_BY_SUFFIX[suffix]
    accepted = (
        "GeoJSON (.geojson, .json), GeoPackage (.gpkg), zipped Shapefile (.zip) or CSV (.csv)"
    )
    hint = _SUFFIX_HINTS.get(suffix, f"use {accepted}")
    kind = f"'{suffix}'" if suffix else "(no extension)"
    raise InputError(f"unsupported file type {kind}: {hint}", file=file)


def _head(path: Path, file: str) -> bytes:
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror or error}", file=file) from None
    if not head:
        raise InputError("the file is empty (0 bytes)", file=file)
    return head


def _detected_format(head: bytes, claimed: Format, path: Path, file: str) -> Format:
    """Return the format the content shows; the name only decides between text formats."""
    expected = _DESCRIPTIONS[claimed]
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_SQLITE_MAGIC):
        if head[68:72] in _GPKG_APPLICATION_IDS:
            return "gpkg"
        raise InputError(f"is an SQLite database but not a GeoPackage, not {expected}", file=file)
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            raise InputError(f"is {description}, not {expected}", file=file)
    if b"\x00" in head:
        raise InputError(
            f"is not {expected}: its content is not a format this tool reads", file=file
        )
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        return "geojson"
    if text.startswith(b"<"):
        raise InputError(f"looks like XML or HTML (such as KML or GML), not {expected}", file=file)
    if claimed == "csv":
        return "csv"
    if claimed == "geojson":
        _diagnose_json(path, file)  # raises: text that is not JSON
    raise InputError(f"is a text file, not {expected}", file=file)


def _read_geojson(path: Path, file: str) -> SourceFeatures:
    try:
        return _read_with_gdal(
            path,
            file=file,
            crs_hint=_GEOJSON_HINT,
            open_options=_GEOJSON_OPEN_OPTIONS,
            keep_warnings=True,
        )
    except InputError:
        _diagnose_json(path, file)  # a clearer message when the JSON itself is at fault
        raise


def _diagnose_json(path: Path, file: str) -> None:
    """Raise InputError saying where the JSON is broken, or that it is not GeoJSON."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"is not UTF-8 text (byte {error.start + 1}, line {line})", file=file
        ) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise InputError(
            "not valid GeoJSON: arrays or objects are nested too deeply", file=file
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON: {error.msg}",
            file=file,
            location=f"line {error.lineno}, column {error.colno}",
        ) from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in _GEOJSON_TYPES:
        raise InputError(
            'is JSON but not GeoJSON: expected an object with "type": "FeatureCollection"',
            file=file,
        )
    if kind == "FeatureCollection" and not isinstance(document.get("features"), list):
        raise InputError('the FeatureCollection has no "features" list', file=file)


def _chosen_layer(path: Path, file: str, layer: str | None) -> str:
    """Return the GeoPackage layer to read: `layer`, or the only one with geometry."""
    with _gdal_turn():
        try:
            layers = pyogrio.list_layers(path)
        except (RuntimeError, ValueError, OSError) as error:
            message = _without_paths(str(error), path, file)
            raise InputError(f"cannot be read as a GeoPackage: {message}", file=file) from None
    names = [str(row[0]) for row in layers]
    spatial = [str(row[0]) for row in layers if row[1] is not None]
    if layer is not None:
        if layer not in names:
            listed = ", ".join(names) or "none"
            raise InputError(f"has no layer '{layer}'; its layers are: {listed}", file=file)
        return layer
    if len(spatial) == 1:
        return spatial[0]
    if not spatial:
        raise InputError("has no layer with geometry", file=file)
    raise InputError(
        f"has {len(spatial)} layers ({', '.join(spatial)}); choose which one to read", file=file
    )


def _read_with_gdal(
    path: Path,
    *,
    file: str,
    crs_hint: str,
    layer: str | None = None,
    open_options: dict[str, str] | None = None,
    keep_warnings: bool = False,
) -> SourceFeatures:
    """Return the layer as GDAL reads it; raises InputError, locating unparseable geometry."""
    options = open_options or {}
    with _gdal_turn() as gdal_warnings:
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=_USE_ARROW, **options)
        except ShapelyError:
            raise _unparseable_geometry(path, file, layer, options) from None
        except (RuntimeError, ValueError, OSError) as error:
            message = _without_paths(str(error), path, file)
            raise InputError(f"cannot be read: {message}", file=file) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"layer '{layer}' has no geometry", file=file)
    # Only GDAL's text parsers warn about the data itself; binary formats warn about other things
    # (a GeoPackage saved under a temporary name, for one).
    notes = tuple(_without_paths(n, path, file) for n in gdal_warnings) if keep_warnings else ()
    return SourceFeatures(_widened(frame), feature_label, crs_hint, notes=notes)


@contextlib.contextmanager
def _gdal_turn() -> Iterator[list[str]]:
    """Yield the list that collects GDAL's warnings while this thread alone calls GDAL."""
    # pyogrio turns GDAL's notes on the data (a point without coordinates, say) into
    # RuntimeWarnings. They describe the user's file, so they are collected for messages rather
    # than printed; other warnings still go through the filters in force.
    with _GDAL_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        messages: list[str] = []
        yield messages
        messages.extend(str(w.message) for w in caught if issubclass(w.category, RuntimeWarning))


def _unparseable_geometry(
    path: Path, file: str, layer: str | None, options: dict[str, str]
) -> InputError:
    """Return an InputError naming the first feature whose geometry GEOS cannot build."""
    _, _, wkb, _ = read_raw(path, layer=layer, **options)
    built = shapely.from_wkb(wkb, on_invalid="ignore")
    failed = np.flatnonzero(shapely.is_missing(built) & (wkb != None))  # noqa: E711
    if failed.size == 0:
        return InputError("has a geometry that cannot be read", file=file)
    index = int(failed[0])
    try:
        shapely.from_wkb(wkb[index])
        reason = "unknown reason"
    except ShapelyError as error:
        reason = str(error).split(": ", 1)[-1]
    return InputError(
        f"geometry cannot be read: {reason}", file=file, location=feature_label(index)
    )


def _widened(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `frame` with 8-32-bit numbers as int64/float64, the same from every format."""
    for name, dtype in frame.dtypes.items():
        if not isinstance(dtype, np.dtype) or dtype.itemsize >= 8:
            continue  # geometry, text, nullable columns and 64-bit numbers stay as they are
        if dtype.kind in "iu":
            frame[name] = frame[name].astype("int64")
        elif dtype.kind == "f":
            frame[name] = frame[name].astype("float64")
    return frame


def _csv_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    geometries = gdf.geometry.to_numpy()
    attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    all_points = bool(
        len(geometries)
        and (shapely.get_type_id(geometries) == 0).all()
        and not shapely.is_empty(geometries).any()
    )
    reserved = {WKT_NAME, *LATITUDE_NAMES, *LONGITUDE_NAMES} if all_points else {WKT_NAME}
    clashes = [c for c in attributes.columns if str(c).strip().lower() in reserved]
    if clashes:
        raise ValueError(f"column {clashes[0]!r} clashes with the CSV position columns")
    if all_points:
        attributes["lat"] = shapely.get_y(geometries)
        attributes["lon"] = shapely.get_x(geometries)
    attributes[WKT_NAME] = shapely.to_wkt(geometries, rounding_precision=-1)
    # A byte order mark makes Excel read the file as UTF-8 (Welsh place names, for one).
    cells = attributes.astype(object).where(attributes.notna(), None)
    text = spreadsheet_csv([str(c) for c in cells.columns], cells.itertuples(index=False))
    return text.encode("utf-8-sig")
