"""`resilience zones` and `resilience exposure`: the DESIGN.md §4 contract, from the outside.

Expected values come from geometry formulas or from geopandas overlay in EPSG:27700, never from
the code under test. Bad input runs the installed console command.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

REPO = Path(__file__).resolve().parents[2]
HALTON_WARDS = REPO.parent / "shared" / "data" / "wards" / "halton_wards.geojson"
# The installed console command, next to the interpreter running the tests.
RESILIENCE = Path(sys.executable).parent / "resilience"
BNG, WGS84 = "EPSG:27700", "EPSG:4326"
HEADER = "zone_id,ward_code,ward_name,overlap_m2,ward_share,zone_share,population"
TOLERANCE = 0.001  # DESIGN.md §3: within 0.1 % of pi d^2


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Return the result of the real console command, run in `cwd`."""
    return subprocess.run(
        [str(RESILIENCE), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def ok(cwd: Path, *args: str) -> str:
    result = run(cwd, *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def feature(properties: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[-2.7, 53.3], [-2.6, 53.4], [-2.6, 53.3], [-2.7, 53.4], [-2.7, 53.3]]],
}


def collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def halton_wards() -> gpd.GeoDataFrame:
    # The reference data sit beside the repository; without them these tests must fail.
    assert HALTON_WARDS.is_file(), f"reference data missing: {HALTON_WARDS}"
    return gpd.read_file(HALTON_WARDS)[["ward_code", "ward_name", "geometry"]]


SITES = collection(
    feature(
        {"site_id": "RUNCORN", "inner_m": 300, "middle_m": 800, "outer_m": 1500, "piz_m": 1000},
        point(-2.7300, 53.3380),
    ),
    feature({"site_id": "RIVER", "piz_m": 2000}, point(-2.7300, 53.3480)),
    feature(
        {"site_id": "WIDNES", "middle_m": 400, "outer_m": 900},
        square(-2.7300, 53.3650, 0.004),
    ),
    feature(
        {"site_id": "PIPE", "inner_m": 50, "middle_m": 150, "outer_m": 400},
        {"type": "LineString", "coordinates": [[-2.80, 53.33], [-2.74, 53.36], [-2.66, 53.36]]},
    ),
)


@pytest.fixture(scope="module")
def zones_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Return the folder holding sites.geojson and zones.geojson, and the zones parsed."""
    folder = tmp_path_factory.mktemp("zones")
    write(folder, "sites.geojson", SITES)
    output = ok(folder, "zones", "--sites", "sites.geojson")
    write(folder, "zones.geojson", output)
    return folder, json.loads(output)


# --- zones -----------------------------------------------------------------------------------


def test_zones_gives_one_feature_per_zone_with_the_contract_properties(
    zones_run: tuple[Path, dict[str, Any]],
) -> None:
    _, document = zones_run
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document  # RFC 7946: WGS84 is implied
    properties = [f["properties"] for f in document["features"]]
    assert [p["zone_id"] for p in properties] == [
        "RUNCORN:inner",
        "RUNCORN:middle",
        "RUNCORN:outer",
        "RUNCORN:piz",
        "RIVER:piz",
        "WIDNES:middle",
        "WIDNES:outer",
        "PIPE:inner",
        "PIPE:middle",
        "PIPE:outer",
    ]
    for p in properties:
        assert set(p) == {"zone_id", "site_id", "kind", "area_m2"}
        assert p["zone_id"] == f"{p['site_id']}:{p['kind']}"


def test_zone_areas_match_the_formulas(zones_run: tuple[Path, dict[str, Any]]) -> None:
    _, document = zones_run
    area = {f["properties"]["zone_id"]: f["properties"]["area_m2"] for f in document["features"]}
    circle = math.pi
    assert area["RUNCORN:inner"] == pytest.approx(circle * 300**2, rel=TOLERANCE)
    assert area["RUNCORN:middle"] == pytest.approx(circle * (800**2 - 300**2), rel=TOLERANCE)
    assert area["RUNCORN:outer"] == pytest.approx(circle * (1500**2 - 800**2), rel=TOLERANCE)
    assert area["RUNCORN:piz"] == pytest.approx(circle * 1000**2, rel=TOLERANCE)
    assert area["RIVER:piz"] == pytest.approx(circle * 2000**2, rel=TOLERANCE)
    # The pipeline corridor: 2w per metre of route plus the two half-disc ends (and the bend).
    route = gpd.GeoSeries(
        [shapely.LineString([(-2.80, 53.33), (-2.74, 53.36), (-2.66, 53.36)])], crs=WGS84
    ).to_crs(BNG)[0]
    assert area["PIPE:inner"] == pytest.approx(
        route.length * 2 * 50 + circle * 50**2, rel=TOLERANCE
    )


def test_zone_geometry_is_lon_lat_anticlockwise_and_measures_its_area_m2(
    zones_run: tuple[Path, dict[str, Any]],
) -> None:
    _, document = zones_run
    geometries = [shape(f["geometry"]) for f in document["features"]]
    for geometry in geometries:
        assert geometry.geom_type in ("Polygon", "MultiPolygon")
        assert geometry.is_valid
        min_x, min_y, max_x, max_y = geometry.bounds
        assert -2.9 < min_x < max_x < -2.5 and 53.2 < min_y < max_y < 53.5
        for polygon in getattr(geometry, "geoms", [geometry]):
            assert polygon.exterior.is_ccw  # RFC 7946 right-hand rule
            assert all(not ring.is_ccw for ring in polygon.interiors)
    measured = gpd.GeoSeries(geometries, crs=WGS84).to_crs(BNG).area
    stated = [f["properties"]["area_m2"] for f in document["features"]]
    np.testing.assert_allclose(measured, stated, rtol=1e-6)
    middle = geometries[1]
    assert len(middle.interiors) == 1  # a band, not a disc


def test_numeric_site_ids_and_sites_without_distances(tmp_path: Path) -> None:
    sites = collection(
        site(site_id=7, piz_m=100, inner_m=None),
        site(site_id=8, name="no distances: no zones"),
        site(site_id=9, middle_m=" 250 "),  # text holding a number is read as the number
    )
    write(tmp_path, "sites.geojson", sites)
    document = json.loads(ok(tmp_path, "zones", "--sites", "sites.geojson"))
    properties = [f["properties"] for f in document["features"]]
    assert [(p["zone_id"], p["site_id"]) for p in properties] == [("7:piz", 7), ("9:middle", 9)]
    assert properties[1]["area_m2"] == pytest.approx(math.pi * 250**2, rel=TOLERANCE)


# --- exposure --------------------------------------------------------------------------------


def overlay_reference(zones: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the contract's numbers, unrounded, computed with geopandas overlay in BNG."""
    zones_bng, wards_bng = zones.to_crs(BNG), wards.to_crs(BNG)
    pieces = gpd.overlay(zones_bng, wards_bng, how="intersection", keep_geom_type=True)
    pieces["overlap_m2"] = pieces.area
    pieces = pieces[pieces["overlap_m2"] >= 1]
    ward_area = wards_bng.set_index("ward_code").area
    zone_area = zones_bng.set_index("zone_id").area
    pieces["ward_share"] = pieces["overlap_m2"] / pieces["ward_code"].map(ward_area)
    outside = gpd.overlay(zones_bng, wards_bng, how="difference", keep_geom_type=True)
    outside["overlap_m2"] = outside.area
    outside = outside[outside["overlap_m2"] >= 1]
    outside["ward_code"] = "OUTSIDE"
    outside["ward_name"] = ""
    table = pd.concat([pd.DataFrame(pieces), pd.DataFrame(outside)], ignore_index=True)
    table["zone_share"] = table["overlap_m2"] / table["zone_id"].map(zone_area)
    return table.sort_values(["zone_id", "ward_code"], ignore_index=True)


def csv_rows(text: str) -> list[dict[str, str]]:
    assert "\r" not in text
    assert text.endswith("\n")
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def test_exposure_csv_matches_geopandas_overlay_on_halton_wards(
    zones_run: tuple[Path, dict[str, Any]], halton_wards: gpd.GeoDataFrame
) -> None:
    folder, _ = zones_run
    text = ok(folder, "exposure", "--wards", str(HALTON_WARDS), "--zones", "zones.geojson")
    got = csv_rows(text)
    expected = overlay_reference(gpd.read_file(folder / "zones.geojson"), halton_wards)
    assert [(r["zone_id"], r["ward_code"]) for r in got] == list(
        zip(expected["zone_id"], expected["ward_code"], strict=True)
    )
    for row, (_, want) in zip(got, expected.iterrows(), strict=True):
        assert row["ward_name"] == want["ward_name"]
        assert re.fullmatch(r"\d+\.\d", row["overlap_m2"])
        assert float(row["overlap_m2"]) == pytest.approx(want["overlap_m2"], abs=0.051)
        assert re.fullmatch(r"\d\.\d{6}", row["zone_share"])
        assert float(row["zone_share"]) == pytest.approx(want["zone_share"], abs=0.51e-6)
        if row["ward_code"] == "OUTSIDE":
            assert row["ward_share"] == ""
        else:
            assert re.fullmatch(r"\d\.\d{6}", row["ward_share"])
            assert float(row["ward_share"]) == pytest.approx(want["ward_share"], abs=0.51e-6)
        assert row["population"] == ""
    codes = {r["ward_code"] for r in got}
    assert "OUTSIDE" in codes  # the Mersey is in no ward
    assert any("," in r["ward_name"] for r in got)  # "Daresbury, Moore & Sandymoor", quoted


def test_population_is_area_weighted_and_whole(
    zones_run: tuple[Path, dict[str, Any]], halton_wards: gpd.GeoDataFrame
) -> None:
    folder, _ = zones_run
    populations = {"E05013173": 7_123.0, "E05013184": 9_876.5, "E05013178": 0.0}
    lines = ["ward_code,population", *(f"{c},{p}" for c, p in populations.items())]
    write(folder, "population.csv", "\n".join(lines) + "\n")
    text = ok(
        folder,
        "exposure",
        "--wards",
        str(HALTON_WARDS),
        "--zones",
        "zones.geojson",
        "--population",
        "population.csv",
    )
    expected = overlay_reference(gpd.read_file(folder / "zones.geojson"), halton_wards)
    expected_by_key = {(r.zone_id, r.ward_code): r for r in expected.itertuples()}
    seen = 0
    for row in csv_rows(text):
        want = expected_by_key[(row["zone_id"], row["ward_code"])]
        if row["ward_code"] in populations:
            estimate = populations[row["ward_code"]] * want.ward_share
            assert re.fullmatch(r"\d+", row["population"])
            assert abs(int(row["population"]) - estimate) <= 0.5 + 1e-6
            seen += 1
        else:
            assert row["population"] == ""  # not in the file, or OUTSIDE
    assert seen >= 5


def test_exposure_json_has_the_csv_keys_numbers_and_nulls(
    zones_run: tuple[Path, dict[str, Any]],
) -> None:
    folder, _ = zones_run
    args = ("exposure", "--wards", str(HALTON_WARDS), "--zones", "zones.geojson")
    as_csv = csv_rows(ok(folder, *args))
    as_json = json.loads(ok(folder, *args, "--format", "json"))
    assert len(as_json) == len(as_csv)
    for record, row in zip(as_json, as_csv, strict=True):
        assert list(record) == HEADER.split(",")
        assert record["zone_id"] == row["zone_id"]
        assert record["ward_code"] == row["ward_code"]
        assert record["overlap_m2"] == float(row["overlap_m2"])
        assert record["zone_share"] == float(row["zone_share"])
        assert record["population"] is None
        if row["ward_code"] == "OUTSIDE":
            assert record["ward_name"] is None and record["ward_share"] is None
        else:
            assert record["ward_name"] == row["ward_name"]
            assert record["ward_share"] == float(row["ward_share"])


def write_zipped_shapefile(frame: gpd.GeoDataFrame, path: Path) -> None:
    folder = path.parent / "shp"
    folder.mkdir()
    frame.to_file(folder / "wards.shp", engine="pyogrio")
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)


def test_geojson_geopackage_and_zipped_shapefile_wards_give_the_same_answer(
    zones_run: tuple[Path, dict[str, Any]], halton_wards: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    folder, _ = zones_run
    zones_path = str(folder / "zones.geojson")
    halton_wards.to_file(tmp_path / "wards.geojson", driver="GeoJSON", engine="pyogrio")
    halton_wards.to_file(tmp_path / "wards.gpkg", driver="GPKG", engine="pyogrio")
    write_zipped_shapefile(halton_wards, tmp_path / "wards.zip")
    outputs = {
        name: ok(tmp_path, "exposure", "--wards", name, "--zones", zones_path)
        for name in ("wards.geojson", "wards.gpkg", "wards.zip")
    }
    assert len(csv_rows(outputs["wards.geojson"])) > 20
    assert outputs["wards.gpkg"] == outputs["wards.geojson"]
    assert outputs["wards.zip"] == outputs["wards.geojson"]


def test_wards_in_british_national_grid_give_overlay_numbers_on_the_file_itself(
    zones_run: tuple[Path, dict[str, Any]], halton_wards: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    # ONS publishes boundaries in EPSG:27700; the numbers must be those of the file's own
    # coordinates, not of a copy projected to WGS84 and back (about 1 mm off).
    folder, _ = zones_run
    wards_bng = halton_wards.to_crs(BNG)
    wards_bng.to_file(tmp_path / "wards.gpkg", driver="GPKG", engine="pyogrio")
    write_zipped_shapefile(wards_bng, tmp_path / "wards.zip")
    native = gpd.read_file(tmp_path / "wards.gpkg")
    expected = overlay_reference(gpd.read_file(folder / "zones.geojson"), native)
    zones_path = str(folder / "zones.geojson")
    for name in ("wards.gpkg", "wards.zip"):
        got = csv_rows(ok(tmp_path, "exposure", "--wards", name, "--zones", zones_path))
        assert len(got) == len(expected)
        for row, (_, want) in zip(got, expected.iterrows(), strict=True):
            assert (row["zone_id"], row["ward_code"]) == (want["zone_id"], want["ward_code"])
            assert float(row["overlap_m2"]) == pytest.approx(want["overlap_m2"], abs=0.051)
            assert float(row["zone_share"]) == pytest.approx(want["zone_share"], abs=0.51e-6)


def test_zone_far_from_every_ward_is_all_outside(tmp_path: Path) -> None:
    write(tmp_path, "wards.geojson", collection(feature(WARD_A, square(-2.70, 53.30))))
    write(tmp_path, "zones.geojson", collection(feature({"zone_id": "far"}, square(-1.0, 52.0))))
    text = ok(tmp_path, "exposure", "--wards", "wards.geojson", "--zones", "zones.geojson")
    rows = csv_rows(text)
    assert [(r["zone_id"], r["ward_code"]) for r in rows] == [("far", "OUTSIDE")]
    assert rows[0]["zone_share"] == "1.000000"
    assert rows[0]["ward_name"] == rows[0]["ward_share"] == rows[0]["population"] == ""


# --- bad input: exit 2, one line on standard error naming the file and place, no output -----

WARD_A = {"ward_code": "E1", "ward_name": "Alpha"}
WARD_B = {"ward_code": "E2", "ward_name": "Beta"}
GOOD_WARDS = collection(
    feature(WARD_A, square(-2.72, 53.33)), feature(WARD_B, square(-2.71, 53.33))
)
GOOD_ZONES = collection(feature({"zone_id": "Z1"}, square(-2.715, 53.335)))
GOOD_POPULATION = "ward_code,population\nE1,100\nE2,200\n"
EXPOSURE = ("exposure", "--wards", "wards.geojson", "--zones", "zones.geojson")
WITH_POPULATION = (*EXPOSURE, "--population", "population.csv")


def site(**properties: Any) -> dict[str, Any]:
    return feature(properties, point(-2.73, 53.34))


# name: (files to write, command arguments, what stderr must mention)
BAD_INPUT: dict[str, tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]] = {
    "site without site_id": (
        {"sites.geojson": collection(site(inner_m=100))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "site_id"),
    ),
    "non-numeric distance": (
        {"sites.geojson": collection(site(site_id="A", piz_m=500), site(site_id="B", piz_m="x"))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 2", "piz_m"),
    ),
    "negative distance": (
        {"sites.geojson": collection(site(site_id="A", middle_m=-200))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 1", "middle_m"),
    ),
    "zero distance": (
        {"sites.geojson": collection(site(site_id="A", outer_m=0))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 1", "outer_m"),
    ),
    "inner not below middle": (
        {"sites.geojson": collection(site(site_id="A", inner_m=500, middle_m=500))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 1", "inner_m", "middle_m"),
    ),
    "middle not below outer": (
        {"sites.geojson": collection(site(site_id="A", middle_m=900, outer_m=800))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 1", "middle_m", "outer_m"),
    ),
    "duplicate site_id": (
        {"sites.geojson": collection(site(site_id="A", piz_m=5), site(site_id="A", piz_m=9))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 2", "site_id"),
    ),
    "invalid site geometry": (
        {"sites.geojson": collection(feature({"site_id": "A", "piz_m": 100}, BOW_TIE))},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "feature 1", "Self-intersection"),
    ),
    "sites with no features": (
        {"sites.geojson": collection()},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "no features"),
    ),
    "sites not JSON": (
        {"sites.geojson": '{"type": "FeatureCollection", "features": [\n'},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "JSON"),
    ),
    "sites JSON but not GeoJSON": (
        {"sites.geojson": json.dumps({"sites": [{"site_id": "A"}]})},
        ("zones", "--sites", "sites.geojson"),
        ("sites.geojson", "not GeoJSON"),
    ),
    "sites file missing": (
        {},
        ("zones", "--sites", "missing.geojson"),
        ("missing.geojson",),
    ),
    "zone without zone_id": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": collection(feature({"name": "Z1"}, square(-2.715, 53.335))),
        },
        EXPOSURE,
        ("zones.geojson", "zone_id"),
    ),
    "duplicate zone_id": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": collection(
                feature({"zone_id": "Z1"}, square(-2.715, 53.335)),
                feature({"zone_id": "Z1"}, square(-2.705, 53.335)),
            ),
        },
        EXPOSURE,
        ("zones.geojson", "feature 2", "zone_id"),
    ),
    "zone that is a point": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": collection(feature({"zone_id": "Z1"}, point(-2.715, 53.335))),
        },
        EXPOSURE,
        ("zones.geojson", "feature 1", "Point"),
    ),
    "invalid zone geometry": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": collection(feature({"zone_id": "Z"}, BOW_TIE)),
        },
        EXPOSURE,
        ("zones.geojson", "feature 1", "Self-intersection"),
    ),
    "zones with no features": (
        {"wards.geojson": GOOD_WARDS, "zones.geojson": collection()},
        EXPOSURE,
        ("zones.geojson", "no features"),
    ),
    "zones not JSON": (
        {"wards.geojson": GOOD_WARDS, "zones.geojson": "zone_id,wkt\nZ1,POINT (0 0)\n"},
        EXPOSURE,
        ("zones.geojson",),
    ),
    "zones JSON but not GeoJSON": (
        {"wards.geojson": GOOD_WARDS, "zones.geojson": "[1, 2, 3]"},
        EXPOSURE,
        ("zones.geojson",),
    ),
    "ward without ward_code": (
        {
            "wards.geojson": collection(feature({"ward_name": "Alpha"}, square(-2.72, 53.33))),
            "zones.geojson": GOOD_ZONES,
        },
        EXPOSURE,
        ("wards.geojson", "ward_code"),
    ),
    "ward without ward_name": (
        {
            "wards.geojson": collection(
                feature(WARD_A, square(-2.72, 53.33)),
                feature({"ward_code": "E2", "ward_name": ""}, square(-2.71, 53.33)),
            ),
            "zones.geojson": GOOD_ZONES,
        },
        EXPOSURE,
        ("wards.geojson", "feature 2", "ward_name"),
    ),
    "duplicate ward_code": (
        {
            "wards.geojson": collection(
                feature(WARD_A, square(-2.72, 53.33)), feature(WARD_A, square(-2.71, 53.33))
            ),
            "zones.geojson": GOOD_ZONES,
        },
        EXPOSURE,
        ("wards.geojson", "feature 2", "ward_code"),
    ),
    "invalid ward geometry": (
        {"wards.geojson": collection(feature(WARD_A, BOW_TIE)), "zones.geojson": GOOD_ZONES},
        EXPOSURE,
        ("wards.geojson", "feature 1", "Self-intersection"),
    ),
    "wards with no features": (
        {"wards.geojson": collection(), "zones.geojson": GOOD_ZONES},
        EXPOSURE,
        ("wards.geojson", "no features"),
    ),
    "population without population column": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": GOOD_ZONES,
            "population.csv": "ward_code,people\nE1,100\n",
        },
        WITH_POPULATION,
        ("population.csv", "row 1", "population"),
    ),
    "population without ward_code column": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": GOOD_ZONES,
            "population.csv": "code,population\nE1,100\n",
        },
        WITH_POPULATION,
        ("population.csv", "row 1", "ward_code"),
    ),
    "non-numeric population": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": GOOD_ZONES,
            "population.csv": "ward_code,population\nE1,100\nE2,lots\n",
        },
        WITH_POPULATION,
        ("population.csv", "row 3", "population"),
    ),
    "negative population": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": GOOD_ZONES,
            "population.csv": "ward_code,population\nE1,-100\n",
        },
        WITH_POPULATION,
        ("population.csv", "row 2", "population"),
    ),
    "duplicate ward_code in population": (
        {
            "wards.geojson": GOOD_WARDS,
            "zones.geojson": GOOD_ZONES,
            "population.csv": "ward_code,population\nE1,100\nE2,5\nE1,200\n",
        },
        WITH_POPULATION,
        ("population.csv", "row 4", "ward_code"),
    ),
}


@pytest.fixture(scope="module")
def bad_input_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every bad-input case through the console command, a few at a time."""
    folders = {}
    for name, (files, _, _) in BAD_INPUT.items():
        folder = tmp_path_factory.mktemp("bad")
        for file_name, text in files.items():
            write(folder, file_name, text)
        folders[name] = folder

    def one(name: str) -> subprocess.CompletedProcess[str]:
        return run(folders[name], *BAD_INPUT[name][1])

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(BAD_INPUT, pool.map(one, BAD_INPUT), strict=True))


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_bad_input_exits_2_with_one_line_and_no_output(
    name: str, bad_input_results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = bad_input_results[name]
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for part in BAD_INPUT[name][2]:
        assert part in result.stderr


def test_good_versions_of_the_bad_input_files_are_accepted(tmp_path: Path) -> None:
    # So that the cases above fail for the reason they name, not for a broken fixture.
    write(tmp_path, "wards.geojson", GOOD_WARDS)
    write(tmp_path, "zones.geojson", GOOD_ZONES)
    write(tmp_path, "population.csv", GOOD_POPULATION)
    rows = csv_rows(ok(tmp_path, *WITH_POPULATION))
    assert [r["ward_code"] for r in rows] == ["E1", "E2", "OUTSIDE"]
    assert [bool(r["population"]) for r in rows] == [True, True, False]
    write(tmp_path, "sites.geojson", collection(site(site_id="A", inner_m=100, piz_m=200)))
    assert len(json.loads(ok(tmp_path, "zones", "--sites", "sites.geojson"))["features"]) == 2
