"""Reading and writing geographic files: formats, checks on bad input, exports that round-trip."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely

from resilience.errors import InputError
from resilience.spatial import shapefile_zip
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.vector_files import read_vector_file, write_vector_file

# Runcorn, in both reference systems.
RUNCORN_LON, RUNCORN_LAT = -2.7, 53.33
RUNCORN_E, RUNCORN_N = pyproj.Transformer.from_crs(WGS84, BNG, always_xy=True).transform(
    RUNCORN_LON, RUNCORN_LAT
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)


def make_feature(
    properties: dict[str, Any] | None = None, geometry: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a GeoJSON Feature; by default a point at Runcorn with site_id 'S1'."""
    return {
        "type": "Feature",
        "properties": {"site_id": "S1"} if properties is None else properties,
        "geometry": (
            {"type": "Point", "coordinates": [RUNCORN_LON, RUNCORN_LAT]}
            if geometry is None
            else geometry
        ),
    }


def write_geojson(
    folder: Path, features: Sequence[dict[str, Any]], name: str = "sites.geojson", **extra: Any
) -> Path:
    """Return the path of a FeatureCollection written into `folder`."""
    path = folder / name
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": list(features)}))
    return path


def make_sites(crs: str = WGS84) -> gpd.GeoDataFrame:
    """Return two sites near Runcorn, a point and a polygon, in `crs`."""
    frame = gpd.GeoDataFrame(
        {"site_id": ["S1", "S2"], "tier": ["upper", None], "staff": [12, 40], "area": [1.5, 2.25]},
        geometry=[
            shapely.Point(RUNCORN_LON, RUNCORN_LAT),
            shapely.box(-2.72, 53.32, -2.70, 53.34),
        ],
        crs=WGS84,
    )
    return frame.to_crs(crs)


def make_wards(crs: str = WGS84) -> gpd.GeoDataFrame:
    """Return two adjoining square wards near Runcorn, in `crs` (a Shapefile holds one type)."""
    frame = gpd.GeoDataFrame(
        {"ward_code": ["E05013169", "E05013170"], "ward_name": ["Appleton", "Beechwood"]},
        geometry=[shapely.box(-2.74, 53.32, -2.72, 53.34), shapely.box(-2.72, 53.32, -2.70, 53.34)],
        crs=WGS84,
    )
    return frame.to_crs(crs)


def write_shapefile_zip(
    folder: Path,
    frame: gpd.GeoDataFrame,
    *,
    leave_out: Sequence[str] = (),
    prefix: str = "",
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Return the path of a zip holding `frame` as wards.shp and its sidecars."""
    layer_folder = folder / "shp"
    layer_folder.mkdir()
    pyogrio.write_dataframe(frame, layer_folder / "wards.shp")
    path = folder / "wards.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(layer_folder.iterdir()):
            if member.suffix not in leave_out:
                archive.write(member, prefix + member.name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def write_gpkg(folder: Path, layers: dict[str, gpd.GeoDataFrame], name: str = "x.gpkg") -> Path:
    """Return the path of a GeoPackage with the given layers."""
    path = folder / name
    for layer, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=layer, append=path.exists())
    return path


def read_error(path: Path, **options: Any) -> InputError:
    """Return the InputError that reading `path` raises."""
    with pytest.raises(InputError) as caught:
        read_vector_file(path, **options)
    return caught.value


def assert_same_features(actual: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    """Assert equal attributes and geometries equal to 1e-9 degrees (ring order aside)."""
    pd.testing.assert_frame_equal(
        pd.DataFrame(actual.drop(columns="geometry")),
        pd.DataFrame(expected.drop(columns="geometry")),
    )
    same = shapely.equals_exact(
        shapely.normalize(actual.geometry.to_numpy()),
        shapely.normalize(expected.geometry.to_numpy()),
        tolerance=1e-9,
    )
    assert same.all()


# --- reading: formats -------------------------------------------------------------------------


def test_geojson_gives_properties_index_and_wgs84(tmp_path: Path) -> None:
    features = [
        make_feature({"site_id": "S1", "Tier": "upper", "opened": "2019-09-01"}),
        make_feature({"site_id": "S2", "Tier": None, "opened": "2020-01-01"}),
    ]
    sites = read_vector_file(write_geojson(tmp_path, features), id_field="site_id")

    assert list(sites.columns) == ["site_id", "Tier", "opened", "geometry"]
    assert list(sites.index) == [0, 1]
    assert sites.crs == WGS84
    assert sites.attrs["source_crs"] == "EPSG:4326"
    assert sites.geometry.iloc[0].equals(shapely.Point(RUNCORN_LON, RUNCORN_LAT))
    assert sites["opened"].tolist() == ["2019-09-01", "2020-01-01"]  # text stays text


def test_single_feature_geojson_in_json_file(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    path.write_text(json.dumps(make_feature()))

    assert read_vector_file(path)["site_id"].tolist() == ["S1"]


def test_geojson_with_legacy_crs_member_is_reprojected(tmp_path: Path) -> None:
    bng_crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    point = {"type": "Point", "coordinates": [RUNCORN_E, RUNCORN_N]}
    path = write_geojson(tmp_path, [make_feature(geometry=point)], crs=bng_crs)

    sites = read_vector_file(path)

    assert sites.attrs["source_crs"] == "EPSG:27700"
    assert sites.crs == WGS84
    # The datum shift is not exactly invertible: the way back from BNG lands within 1e-7 degrees.
    assert sites.geometry.iloc[0].x == pytest.approx(RUNCORN_LON, abs=1e-7)
    assert sites.geometry.iloc[0].y == pytest.approx(RUNCORN_LAT, abs=1e-7)


def test_name_gives_messages_and_format_for_an_upload_saved_under_a_temporary_name(
    tmp_path: Path,
) -> None:
    saved = tmp_path / "upload-7f3a"
    write_gpkg(tmp_path, {"sites": make_sites()}, name="upload.gpkg").rename(saved)

    assert len(read_vector_file(saved, name="sites.gpkg")) == 2
    assert str(read_error(saved, name="sites.gpkg", required_fields=["x"])).startswith(
        "sites.gpkg: "
    )


def test_geopackage_in_bng_is_reprojected(tmp_path: Path) -> None:
    path = write_gpkg(tmp_path, {"sites": make_sites(BNG)})

    sites = read_vector_file(path, id_field="site_id")

    assert sites.attrs["source_crs"] == "EPSG:27700"
    assert_same_features(sites, make_sites(BNG).to_crs(WGS84))


def test_geopackage_with_several_layers_needs_one_chosen(tmp_path: Path) -> None:
    path = write_gpkg(tmp_path, {"sites": make_sites(), "zones": make_sites()})

    assert str(read_error(path)) == (
        "x.gpkg: has 2 layers (sites, zones); choose which one to read"
    )
    assert len(read_vector_file(path, layer="zones")) == 2
    assert "has no layer 'wards'; its layers are: sites, zones" in str(
        read_error(path, layer="wards")
    )


def test_zipped_shapefile_in_bng(tmp_path: Path) -> None:
    path = write_shapefile_zip(tmp_path, make_wards(BNG))

    wards = read_vector_file(path, id_field="ward_code")

    assert wards.attrs["source_crs"] == "EPSG:27700"
    assert_same_features(wards, make_wards(BNG).to_crs(WGS84))


def test_zipped_shapefile_in_a_folder_made_on_a_mac(tmp_path: Path) -> None:
    junk = {"__MACOSX/wards/._wards.shp": b"\x00\x05\x16\x07", "wards/._wards.shp": b"x"}
    path = write_shapefile_zip(tmp_path, make_wards(BNG), prefix="wards/", extra=junk)

    assert len(read_vector_file(path)) == 2


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("name,lat,lon", f"A,{RUNCORN_LAT},{RUNCORN_LON}"),
        ("name,Latitude,LONGITUDE", f"A,{RUNCORN_LAT},{RUNCORN_LON}"),
        ("name,easting,northing", f"A,{RUNCORN_E!r},{RUNCORN_N!r}"),
        ("name,wkt", f'A,"POINT ({RUNCORN_LON} {RUNCORN_LAT})"'),
    ],
)
def test_csv_positions(tmp_path: Path, header: str, row: str) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(f"{header}\n{row}\n")

    sites = read_vector_file(path)

    assert list(sites.columns) == ["name", "geometry"]
    assert sites.geometry.iloc[0].x == pytest.approx(RUNCORN_LON, abs=1e-7)
    assert sites.geometry.iloc[0].y == pytest.approx(RUNCORN_LAT, abs=1e-7)
    expected_crs = "EPSG:27700" if "easting" in header else "EPSG:4326"
    assert sites.attrs["source_crs"] == expected_crs


def test_csv_values_keep_codes_as_text_and_type_numbers(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    lines = [
        "code,staff,area,upper,lat,lon",
        "007,12,1.5,true,53.3,-2.7",
        "",
        "010,3,,false,53.4,-2.6",
    ]
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")

    sites = read_vector_file(path)

    assert sites["code"].tolist() == ["007", "010"]
    assert sites["staff"].dtype == "int64"
    assert sites["area"].iloc[0] == 1.5 and pd.isna(sites["area"].iloc[1])
    assert sites["upper"].tolist() == [True, False]


# --- reading: bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sites.geojson", "sites.geojson: is a PNG image, not GeoJSON"),
        ("sites.gpkg", "sites.gpkg: is a PNG image, not a GeoPackage"),
        ("sites.zip", "sites.zip: is a PNG image, not a zipped Shapefile"),
        ("sites.csv", "sites.csv: is a PNG image, not CSV"),
    ],
)
def test_image_renamed_as_a_geographic_file(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(PNG_BYTES)

    assert str(read_error(path)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.gpkg", "notes.gpkg: is a text file, not a GeoPackage"),
        ("notes.zip", "notes.zip: is a text file, not a zipped Shapefile"),
        ("notes.geojson", "notes.geojson: line 1, column 1: not valid JSON: Expecting value"),
    ],
)
def test_text_renamed_as_a_geographic_file(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text("Meeting notes\nsee attached\n")

    assert str(read_error(path)) == expected


def test_invalid_json_says_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "sites.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [\n   {"type": "Feature",, }]}')

    error = read_error(path)

    assert error.location == "line 3, column 23"
    assert "not valid JSON" in error.problem


def test_json_that_is_not_geojson(tmp_path: Path) -> None:
    path = tmp_path / "sites.json"
    path.write_text('{"sites": []}')

    assert "is JSON but not GeoJSON" in str(read_error(path))


@pytest.mark.parametrize("value", [None, "", "  "])
def test_required_field_empty(tmp_path: Path, value: str | None) -> None:
    features = [make_feature({"site_id": "S1"}), make_feature({"site_id": value})]

    error = read_error(write_geojson(tmp_path, features), required_fields=["site_id"])

    assert str(error) == "sites.geojson: feature 2: field 'site_id': missing or empty"


def test_required_field_absent_from_one_feature(tmp_path: Path) -> None:
    features = [make_feature({"site_id": "S1"}), make_feature({"name": "Univar"})]

    error = read_error(write_geojson(tmp_path, features), id_field="site_id")

    assert str(error) == "sites.geojson: feature 2: field 'site_id': missing or empty"


def test_id_field_missing_from_the_file(tmp_path: Path) -> None:
    path = write_geojson(tmp_path, [make_feature({"Site_ID": "S1", "name": "A"})])

    error = read_error(path, id_field="site_id")

    assert error.field == "site_id"
    assert (
        "there is 'Site_ID'" in error.problem and "the fields are: Site_ID, name" in error.problem
    )


def test_duplicate_ids_name_both_features(tmp_path: Path) -> None:
    features = [make_feature({"site_id": s}) for s in ("S1", "S2", "S3", "S2")]

    error = read_error(write_geojson(tmp_path, features), id_field="site_id")

    assert str(error) == (
        "sites.geojson: feature 4: field 'site_id': 'S2' is also the site_id of feature 2; "
        "each must be unique"
    )


def test_duplicate_ids_in_csv_name_both_rows(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("site_id,lat,lon\nS1,53.3,-2.7\nS1,53.4,-2.6\n")

    error = read_error(path, id_field="site_id")

    assert error.location == "row 3" and "also the site_id of row 2" in error.problem


def test_self_intersecting_polygon(tmp_path: Path) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[-2.7, 53.3], [-2.6, 53.4], [-2.6, 53.3], [-2.7, 53.4], [-2.7, 53.3]]],
    }
    features = [make_feature(), make_feature(geometry=bowtie)]

    error = read_error(write_geojson(tmp_path, features))

    assert error.location == "feature 2"
    assert error.problem.startswith("invalid Polygon: Self-intersection[-2.65 53.35]")


def test_unclosed_ring_is_located(tmp_path: Path) -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[-2.7, 53.3], [-2.6, 53.3], [-2.6, 53.4]]]}
    features = [make_feature(), make_feature(), make_feature(geometry=open_ring)]

    error = read_error(write_geojson(tmp_path, features))

    assert error.location == "feature 3"
    assert "do not form a closed linestring" in error.problem


def test_geojson_holding_eastings_and_northings(tmp_path: Path) -> None:
    point = {"type": "Point", "coordinates": [RUNCORN_E, RUNCORN_N]}

    error = read_error(write_geojson(tmp_path, [make_feature(geometry=point)]))

    assert error.location == "feature 1"
    assert error.problem.startswith(f"longitude {RUNCORN_E:.10g} is outside -180…180")
    assert "look like eastings and northings" in error.problem
    assert "RFC 7946" in error.problem


def test_latitude_beyond_the_pole(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("name,lat,lon\nA,53.3,-2.7\nB,95,-2.7\n")

    assert str(read_error(path)).startswith(
        "sites.csv: row 3: field 'lat': latitude 95 is outside -90…90"
    )


def test_projected_point_outside_the_crs_area_of_use(tmp_path: Path) -> None:
    far = make_sites(BNG)
    far.loc[1, "geometry"] = shapely.Point(2_000_000, 100_000)

    error = read_error(write_gpkg(tmp_path, {"sites": far}))

    assert error.location == "feature 2"
    assert error.problem.startswith("x 2000000, y 100000 is outside the area where EPSG:27700")


def test_projected_file_holding_degrees(tmp_path: Path) -> None:
    degrees = make_wards().set_crs(BNG, allow_override=True)

    error = read_error(write_shapefile_zip(tmp_path, degrees))

    assert "look like longitude and latitude in degrees" in error.problem


def test_csv_bad_number_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("name,easting,northing\nA,351000,383000\nB,351000,38300O\n")

    assert str(read_error(path)) == "sites.csv: row 3: field 'northing': '38300O' is not a number"


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes("name,lat,lon\nYnys Môn,53.3,-4.3\n".encode("cp1252"))

    message = str(read_error(path))

    assert "is not UTF-8 text (byte 0xf4 on line 2)" in message and "CSV UTF-8" in message


def test_csv_without_position_columns(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("name,postcode\nA,WA7 4JE\n")

    assert "no columns giving positions" in str(read_error(path))


def test_csv_row_with_too_many_values(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text('name,lat,lon\nA,53.3,-2.7\n"B, Runcorn",53.3,-2.7,extra\n')

    assert str(read_error(path)) == "sites.csv: row 3: has 4 values but the header has 3 columns"


def test_csv_without_a_position_in_a_row(tmp_path: Path) -> None:
    path = tmp_path / "comah.csv"
    path.write_text("name,lat,lon\nUnivar Ltd,,\n")

    assert str(read_error(path)) == (
        "comah.csv: row 2: field 'lon': empty: every row needs a position"
    )


def test_csv_with_broken_quoting(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text('name,lat,lon\n"Runcorn" Site,53.3,-2.7\n')

    assert str(read_error(path)).startswith("sites.csv: line 2: is not valid CSV:")


def test_csv_whose_lat_lon_disagree_with_wkt(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text('name,lat,lon,wkt\nA,53.3,-2.7,"POINT (-2.7 53.3)"\nB,53.3,-2.7,POINT (0 0)\n')

    assert str(read_error(path)) == "sites.csv: row 3: lat and lon do not match the point in wkt"


def test_csv_with_a_column_named_twice(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("name,lat,lon,name\nA,53.3,-2.7,B\n")

    assert "column 'name' appears twice in the header" in str(read_error(path))


def test_sqlite_database_that_is_not_a_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "sites.gpkg"
    with contextlib.closing(sqlite3.connect(path)) as database:
        database.execute("create table t (x)")

    assert "is an SQLite database but not a GeoPackage" in str(read_error(path))


def test_kml_renamed_geojson(tmp_path: Path) -> None:
    path = tmp_path / "sites.geojson"
    path.write_text('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>')

    assert "looks like XML or HTML" in str(read_error(path))


def test_shapefile_with_unreadable_prj(tmp_path: Path) -> None:
    path = write_shapefile_zip(tmp_path, make_wards(BNG), extra={}, leave_out=[".prj"])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("wards.prj", "not a coordinate reference system")

    assert str(read_error(path)) == "wards.zip: coordinate reference system unknown"


def test_zip_without_shp(tmp_path: Path) -> None:
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "wards")

    assert str(read_error(path)) == "wards.zip: holds no .shp (it holds: readme.txt)"


def test_zip_with_several_shp(tmp_path: Path) -> None:
    first = write_shapefile_zip(tmp_path, make_wards(BNG))
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
            archive.writestr("b_" + info.filename, source.read(info))

    assert str(read_error(path)) == (
        "two.zip: holds 2 .shp files (wards.shp, b_wards.shp); put one layer in each zip"
    )


def test_zip_without_prj(tmp_path: Path) -> None:
    path = write_shapefile_zip(tmp_path, make_wards(BNG), leave_out=[".prj"])

    assert str(read_error(path)) == "wards.zip: no .prj: coordinate reference system unknown"


def test_zip_without_dbf(tmp_path: Path) -> None:
    path = write_shapefile_zip(tmp_path, make_wards(BNG), leave_out=[".dbf"])

    assert str(read_error(path)) == "wards.zip: no .dbf beside wards.shp"


@pytest.mark.parametrize("member", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp", "C:evil"])
def test_zip_with_unsafe_member_path(tmp_path: Path, member: str) -> None:
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo(member), b"x")

    assert "holds a file with an unsafe path" in str(read_error(path))


def test_zip_with_too_many_members(tmp_path: Path) -> None:
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(101):
            archive.writestr(f"f{i}.txt", b"")

    assert "holds 101 files; at most 100 are accepted" in str(read_error(path))


def test_zip_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shapefile_zip, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("wards.shp", bytes(2 * 1024 * 1024))

    assert "would unpack to 2 MiB; the limit is 1 MiB" in str(read_error(path))


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("wards.shp", bytes(64 * 1024 * 1024))

    assert "which only a zip bomb does" in str(read_error(path))


def test_office_document_renamed_zip(tmp_path: Path) -> None:
    path = tmp_path / "sites.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")

    assert "is an Office document" in str(read_error(path))


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sites.geojson"
    path.write_bytes(b"")

    assert str(read_error(path)) == "sites.geojson: the file is empty (0 bytes)"


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot be read" in str(read_error(tmp_path / "nowhere.geojson"))


@pytest.mark.parametrize("name", ["sites.geojson", "sites.gpkg", "sites.csv"])
def test_file_with_no_features(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".geojson"):
        write_geojson(tmp_path, [], name=name)
    elif name.endswith(".gpkg"):
        write_gpkg(tmp_path, {"sites": make_sites().iloc[:0]}, name=name)
    else:
        path.write_text("site_id,lat,lon\n")

    assert "contains no features" in str(read_error(path))


def test_null_geometry(tmp_path: Path) -> None:
    features = [
        make_feature(),
        {"type": "Feature", "properties": {"site_id": "S2"}, "geometry": None},
    ]

    assert str(read_error(write_geojson(tmp_path, features))) == (
        "sites.geojson: feature 2: geometry is missing"
    )


def test_geometry_gdal_could_not_parse(tmp_path: Path) -> None:
    no_coordinates = {"type": "Point", "coordinates": []}
    features = [make_feature(), make_feature(geometry=no_coordinates)]

    error = read_error(write_geojson(tmp_path, features))

    assert error.location == "feature 2"
    assert error.problem.startswith("geometry is missing or could not be read (GDAL reported:")


def test_empty_geometry(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text('site_id,wkt\nS1,"POINT (-2.7 53.3)"\nS2,POLYGON EMPTY\n')

    assert str(read_error(path)) == "sites.csv: row 3: geometry is empty"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sites.kml", "unsupported file type '.kml'"),
        ("wards.shp", "upload the Shapefile as one .zip"),
        ("sites.xlsx", "save the sheet as 'CSV UTF-8'"),
        ("sites", "unsupported file type (no extension)"),
    ],
)
def test_unsupported_extension(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text("{}")

    assert expected in str(read_error(path))


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "zip"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_files_raise_only_input_error(tmp_path: Path, fmt: str, keep: float) -> None:
    if fmt == "zip":
        whole = write_shapefile_zip(tmp_path, make_wards(BNG)).read_bytes()
    else:
        whole = write_vector_file(make_sites(), fmt, layer="sites")  # type: ignore[arg-type]
    path = tmp_path / f"cut.{fmt}"
    path.write_bytes(whole[: int(len(whole) * keep)])

    read_error(path)


@pytest.mark.parametrize("name", ["x.geojson", "x.json", "x.gpkg", "x.zip", "x.csv"])
@pytest.mark.parametrize("seed", range(3))
def test_random_bytes_raise_only_input_error(tmp_path: Path, name: str, seed: int) -> None:
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(seed).bytes(2000))

    read_error(path)


# --- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
@pytest.mark.parametrize("rows", [[0, 1], [0]], ids=["mixed", "points"])
def test_export_round_trips(tmp_path: Path, fmt: str, rows: list[int]) -> None:
    sites = make_sites().iloc[rows].reset_index(drop=True)
    sites.loc[0, "geometry"] = shapely.Point(-2.123456789012345, 53.987654321098765)
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(write_vector_file(sites, fmt, layer="sites"))  # type: ignore[arg-type]

    assert_same_features(read_vector_file(path), sites)


def test_csv_export_columns(tmp_path: Path) -> None:
    points = write_vector_file(make_sites().iloc[[0]], "csv", layer="sites")
    mixed = write_vector_file(make_sites(), "csv", layer="sites")

    assert points.decode("utf-8-sig").splitlines()[0] == "site_id,tier,staff,area,lat,lon,wkt"
    assert mixed.decode("utf-8-sig").splitlines()[0] == "site_id,tier,staff,area,wkt"
    with pytest.raises(ValueError, match="'WKT' clashes"):
        write_vector_file(make_sites().assign(WKT="x"), "csv", layer="sites")


def test_geojson_export_follows_rfc_7946(tmp_path: Path) -> None:
    clockwise = shapely.Polygon([(-2.7, 53.3), (-2.7, 53.4), (-2.6, 53.4), (-2.6, 53.3)])
    frame = make_sites(BNG)  # reprojected on the way out
    frame.loc[1, "geometry"] = gpd.GeoSeries([clockwise], crs=WGS84).to_crs(BNG).iloc[0]

    document = json.loads(write_vector_file(frame, "geojson", layer="sites"))

    assert "crs" not in document
    ring = document["features"][1]["geometry"]["coordinates"][0]
    assert shapely.is_ccw(shapely.LinearRing(ring))


def test_geopackage_export_names_the_layer(tmp_path: Path) -> None:
    path = tmp_path / "export.gpkg"
    path.write_bytes(write_vector_file(make_sites(), "gpkg", layer="comah_sites"))

    assert pyogrio.list_layers(path)[:, 0].tolist() == ["comah_sites"]
