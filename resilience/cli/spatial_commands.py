"""`resilience zones` and `resilience exposure`: the DESIGN.md §4 spatial contract commands.

Both read files, validate them whole, compute in British National Grid metres and only then
write to standard output, so that bad input leaves nothing partial behind.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import mapping

from resilience.cli.input_errors import reports_input_errors
from resilience.errors import InputError
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.exposure import EXPOSURE_COLUMNS, exposure_of
from resilience.spatial.vector_files import read_vector_file
from resilience.spatial.zones import DISTANCE_FIELDS, parse_distance, zones_for_site_bng

_POLYGONAL = ("Polygon", "MultiPolygon")
# Where EPSG:27700 is meant to be used. Farther out its metres stop being metres, and a site
# there is almost always latitude and longitude given the wrong way round.
_BNG_AREA = pyproj.CRS(BNG).area_of_use


@click.command()
@click.option("--sites", "sites_path", required=True, help="Sites GeoJSON (see DESIGN.md §4).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["geojson"]),
    default="geojson",
    show_default=True,
    help="Output format.",
)
@reports_input_errors
def zones(sites_path: str, output_format: str) -> None:
    """Print the inner, middle, outer and PIZ zones of every site as GeoJSON."""
    sites = read_vector_file(
        Path(sites_path), name=sites_path, required_fields=("site_id",), id_field="site_id"
    )
    found = site_zones_bng(sites_in_bng(sites, sites_path), sites_path)
    # Built whole before writing, so bad input never leaves partial output.
    _write(zones_geojson(found))


@click.command()
@click.option("--wards", "wards_path", required=True, help="Wards: GeoJSON, GeoPackage or .zip.")
@click.option("--zones", "zones_path", required=True, help="Zones GeoJSON with zone_id.")
@click.option(
    "--population",
    "population_path",
    default=None,
    help="CSV of ward_code,population (optional).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@reports_input_errors
def exposure(
    wards_path: str, zones_path: str, population_path: str | None, output_format: str
) -> None:
    """Print how much of each ward (and of nothing) every zone covers."""
    wards = read_vector_file(
        Path(wards_path),
        name=wards_path,
        required_fields=("ward_code", "ward_name"),
        id_field="ward_code",
    )
    zone_features = read_vector_file(
        Path(zones_path), name=zones_path, required_fields=("zone_id",), id_field="zone_id"
    )
    wards_bng = polygons_in_bng(wards, wards_path)
    zones_bng = polygons_in_bng(zone_features, zones_path)
    populations = read_population_csv(population_path) if population_path else None
    table = exposure_of(zones_bng, wards_bng, populations)
    _write(exposure_json(table) if output_format == "json" else exposure_csv(table))


# --- zones -----------------------------------------------------------------------------------


def sites_in_bng(sites: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return the sites (WGS84, as read) in EPSG:27700; raises InputError outside its area."""
    _check_in_bng_area(sites, file)
    return sites.to_crs(BNG)


def site_zones_bng(sites_bng: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return ``zone_id, site_id, kind, area_m2, geometry`` (EPSG:27700) for every site.

    Zones come in the order of the sites, then inner, middle, outer, piz; a site with none of
    the distance fields has no zones. Raises InputError naming the feature and field.
    """
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(sites_bng.to_dict("records")):
        site_id = record["site_id"]
        where = f"feature {position + 1} (site_id {str(site_id)!r})"
        try:
            distances = {
                f"{kind}_m": parse_distance(record.get(field), field)
                for kind, field in DISTANCE_FIELDS.items()
            }
            zones_by_kind = zones_for_site_bng(record["geometry"], **distances)
        except InputError as error:
            raise error.located(file=file, location=where) from None
        for kind, zone in zones_by_kind.items():
            rows.append(
                {
                    "zone_id": f"{site_id}:{kind}",
                    "site_id": site_id,
                    "kind": kind,
                    "area_m2": zone.area,
                    "geometry": zone,
                }
            )
    columns = ["zone_id", "site_id", "kind", "area_m2", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=BNG)


def zones_geojson(zones_bng: gpd.GeoDataFrame) -> str:
    """Return the zones as an RFC 7946 FeatureCollection (WGS84, exterior rings anticlockwise).

    ``area_m2`` is the area in EPSG:27700 to 1 decimal; coordinates keep full precision so
    that the polygons measure the same when projected back.
    """
    wgs84 = shapely.orient_polygons(
        np.asarray(zones_bng.to_crs(WGS84).geometry.array), exterior_cw=False
    )
    features = [
        {
            "type": "Feature",
            "properties": {
                "zone_id": row.zone_id,
                "site_id": _plain(row.site_id),
                "kind": row.kind,
                "area_m2": round(float(row.area_m2), 1),
            },
            "geometry": mapping(geometry),
        }
        for row, geometry in zip(zones_bng.itertuples(index=False), wgs84, strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}) + "\n"


# --- exposure --------------------------------------------------------------------------------


def polygons_in_bng(features: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return polygon features (WGS84, as read) in EPSG:27700; raises InputError otherwise."""
    kinds = features.geometry.geom_type.to_numpy()
    bad = np.flatnonzero(~np.isin(kinds, _POLYGONAL))
    if bad.size:
        index = int(bad[0])
        raise InputError(
            f"a {kinds[index]} was given; expected a Polygon or MultiPolygon",
            file=file,
            location=f"feature {index + 1}",
        )
    _check_in_bng_area(features, file)
    return features.to_crs(BNG)


def read_population_csv(path: str) -> dict[str, float]:
    """Return population by ward code from a ``ward_code,population`` CSV file."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=path) from None
    return parse_population_csv(data, file=path)


def parse_population_csv(data: bytes, *, file: str) -> dict[str, float]:
    """Return population by ward code from CSV bytes (UTF-8, BOM allowed; other columns ignored).

    Rows are numbered as a spreadsheet shows them (the header is row 1). Raises InputError for
    a missing column, a blank ward code, a population that is not a finite number of 0 or
    more, a ward code given twice, or a file with no rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})",
            file=file,
            location=f"row {row}",
        ) from None
    if not text.strip():
        raise InputError("the file is empty", file=file)
    if "\x00" in text:
        raise InputError("not valid CSV: NUL byte", file=file)
    try:
        return _populations(csv.reader(io.StringIO(text, newline=""), strict=True))
    except InputError as error:
        raise error.located(file=file) from None


def _populations(reader: Iterable[list[str]]) -> dict[str, float]:
    rows = iter(reader)
    row_number = 0
    try:
        header = [name.strip() for name in next(rows)]
        row_number = 1
        positions = {}
        for column in ("ward_code", "population"):
            if column not in header:
                listed = ", ".join(header) or "none"
                raise InputError(
                    f"missing column; the columns are: {listed}", location="row 1", field=column
                )
            if header.count(column) > 1:
                raise InputError("column appears more than once", location="row 1", field=column)
            positions[column] = header.index(column)
        populations: dict[str, float] = {}
        first_row_of: dict[str, int] = {}
        for row_number, fields in enumerate(rows, start=2):
            if not fields or not any(f.strip() for f in fields):
                continue
            where = f"row {row_number}"
            code = _field(fields, positions["ward_code"]).strip()
            if not code:
                raise InputError("missing or empty", location=where, field="ward_code")
            if code in first_row_of:
                raise InputError(
                    f"{code!r} is also on row {first_row_of[code]}; each ward_code must be unique",
                    location=where,
                    field="ward_code",
                )
            populations[code] = _population(_field(fields, positions["population"]), where)
            first_row_of[code] = row_number
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", location=f"row {row_number + 1}") from None
    if not populations:
        raise InputError("has a header but no rows")
    return populations


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _population(text: str, where: str) -> float:
    value = text.strip()
    if not value:
        raise InputError("missing or empty", location=where, field="population")
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{value!r} is not a number", location=where, field="population") from None
    if not math.isfinite(number) or number < 0:
        raise InputError(
            f"{value!r} is not a population (a number, 0 or more)",
            location=where,
            field="population",
        )
    return number


def exposure_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows as the contract writes them: rounded numbers, None where empty."""
    records = []
    for row in table.itertuples(index=False):
        records.append(
            {
                "zone_id": row.zone_id,
                "ward_code": row.ward_code,
                "ward_name": None if pd.isna(row.ward_name) else row.ward_name,
                "overlap_m2": _rounded(row.overlap_m2, 1),
                "ward_share": _rounded(row.ward_share, 6),
                "zone_share": _rounded(row.zone_share, 6),
                "population": None if pd.isna(row.population) else int(f"{row.population:.0f}"),
            }
        )
    return records


def exposure_csv(table: pd.DataFrame) -> str:
    """Return the exposure table as the contract's CSV: header always, "\\n" line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPOSURE_COLUMNS)
    for record in exposure_records(table):
        writer.writerow(
            [
                record["zone_id"],
                record["ward_code"],
                record["ward_name"] or "",
                f"{record['overlap_m2']:.1f}",
                "" if record["ward_share"] is None else f"{record['ward_share']:.6f}",
                f"{record['zone_share']:.6f}",
                "" if record["population"] is None else str(record["population"]),
            ]
        )
    return buffer.getvalue()


def exposure_json(table: pd.DataFrame) -> str:
    """Return the exposure table as a JSON array of objects with the CSV's keys."""
    return json.dumps(exposure_records(table), indent=2, ensure_ascii=False) + "\n"


# --- shared ----------------------------------------------------------------------------------


def _check_in_bng_area(features: gpd.GeoDataFrame, file: str) -> None:
    if _BNG_AREA is None:  # pragma: no cover - EPSG:27700 always has one
        return
    west, south, east, north = _BNG_AREA.bounds
    bounds = shapely.bounds(np.asarray(features.geometry.array))
    outside = (
        (bounds[:, 0] < west)
        | (bounds[:, 2] > east)
        | (bounds[:, 1] < south)
        | (bounds[:, 3] > north)
    )
    bad = np.flatnonzero(outside)
    if bad.size:
        index = int(bad[0])
        x, y = bounds[index, 0], bounds[index, 1]
        raise InputError(
            f"lies outside the area of British National Grid (longitude {west}…{east}, "
            f"latitude {south}…{north}), e.g. at longitude {x:.6f}, latitude {y:.6f}; "
            "are longitude and latitude the right way round?",
            file=file,
            location=f"feature {index + 1}",
        )


def _rounded(value: float, places: int) -> float | None:
    # Through the same text as the CSV, so that JSON and CSV never disagree in the last digit.
    return None if pd.isna(value) else float(f"{value:.{places}f}")


def _plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.generic) else value


def _write(text: str) -> None:
    # UTF-8 whatever the locale: ward names can be Welsh or Gaelic.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
