"""`resilience plume`: the DESIGN.md §6 contract, from the outside.

Expected values come from the §6 formula typed in here (rural class D), never from the code
under test. Most cases run the command in-process through click; one runs the installed
console command to check the exit status and streams end to end.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner, Result
from shapely.geometry import shape

from resilience.cli import main

RESILIENCE = Path(sys.executable).parent / "resilience"
LON, LAT = -2.73, 53.34  # Runcorn
BASE = {
    "--lon": str(LON),
    "--lat": str(LAT),
    "--rate": "20",
    "--wind-speed": "3",
    "--wind-from": "270",
    "--stability": "D",
}
DISTANCES = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
TO_BNG = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def rural_d(x: np.ndarray, q_g_s: float, u: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Return C(x, 0) in mg/m³ and σy for rural class D, straight from §6."""
    sy = 0.08 * x / np.sqrt(1 + 0.0001 * x)
    sz = 0.06 * x / np.sqrt(1 + 0.0015 * x)
    return q_g_s * 1000 / (math.pi * u * sy * sz) * np.exp(-(h**2) / (2 * sz**2)), sy


def arguments(*extra: str, **overrides: str | None) -> list[str]:
    """Return ``plume`` and the BASE options, with some replaced (None drops one), then `extra`."""
    options = {**BASE, **{f"--{k.replace('_', '-')}": v for k, v in overrides.items()}}
    flat = [part for flag, value in options.items() if value is not None for part in (flag, value)]
    return ["plume", *flat, *extra]


def invoke(*extra: str, **overrides: str | None) -> Result:
    return CliRunner().invoke(main, arguments(*extra, **overrides))


def collection(*extra: str, **overrides: str | None) -> dict[str, Any]:
    result = invoke(*extra, **overrides)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def in_bng(geometry: dict[str, Any]) -> shapely.Geometry:
    return shapely.transform(
        shape(geometry), lambda xy: np.column_stack(TO_BNG.transform(xy[:, 0], xy[:, 1]))
    )


def test_one_feature_per_level_in_the_order_given_with_rounded_measures() -> None:
    found = collection("--level", "low=0.5", "--level", "high=20", "--level", "mid=2.25")
    assert [f["properties"]["level"] for f in found["features"]] == ["low", "high", "mid"]
    x = np.geomspace(1, 10_000, 400_001)
    centre, sy = rural_d(x, 20.0, 3.0, 0.0)
    for feature, level in zip(found["features"], (0.5, 20.0, 2.25), strict=True):
        props = feature["properties"]
        assert set(props) == {
            "level",
            "threshold_mg_m3",
            "max_distance_m",
            "max_half_width_m",
            "area_m2",
        }
        assert props["threshold_mg_m3"] == level
        width = np.where(
            centre >= level, sy * np.sqrt(2 * np.log(np.maximum(centre, level) / level)), 0
        )
        for key, exact in (
            ("max_distance_m", x[width > 0].max()),
            ("max_half_width_m", width.max()),
            ("area_m2", np.trapezoid(2 * width, x)),
        ):
            assert props[key] == round(props[key], 1)  # 1 decimal
            assert props[key] == pytest.approx(exact, rel=0.001, abs=0.051)  # rounding
        geometry = feature["geometry"]
        assert geometry["type"] == "Polygon"
        polygon = shape(geometry)
        assert polygon.is_valid and polygon.exterior.is_ccw  # RFC 7946 orientation
        # Built in EPSG:27700: projected back, it measures what area_m2 says.
        assert in_bng(geometry).area == pytest.approx(props["area_m2"], rel=1e-6, abs=0.051)
    assert "screening estimate" in found["description"].lower()


def test_the_footprint_points_downwind_from_the_release() -> None:
    source = TO_BNG.transform(LON, LAT)
    for wind_from, (east, north) in {"45": (-1, -1), "135": (-1, 1), "270": (1, 0)}.items():
        found = collection("--level", "a=1", wind_from=wind_from)
        centroid = in_bng(found["features"][0]["geometry"]).centroid
        d = np.array([centroid.x - source[0], centroid.y - source[1]])
        direction = np.array([east, north]) / math.hypot(east, north)
        assert d @ direction > 0.999 * np.linalg.norm(d)


def test_a_level_never_reached_has_an_empty_geometry_and_zero_measures() -> None:
    found = collection("--level", "huge=1e7", "--level", "small=1")
    empty, reached = found["features"]
    assert empty["properties"] | {"level": "huge"} == {
        "level": "huge",
        "threshold_mg_m3": 1e7,
        "max_distance_m": 0,
        "max_half_width_m": 0,
        "area_m2": 0,
    }
    assert shape(empty["geometry"]).is_empty and empty["geometry"]["type"] == "Polygon"
    assert reached["properties"]["area_m2"] > 0


def test_max_distance_cuts_the_footprint() -> None:
    found = collection("--level", "low=0.01", max_distance="1500")
    assert found["features"][0]["properties"]["max_distance_m"] == 1500.0


def expected_csv(q: float, u: float, h: float, up_to: float) -> str:
    distances = [d for d in DISTANCES if d <= up_to]
    values, _ = rural_d(np.array(distances, dtype=float), q, u, h)
    rows = [f"{d},{format(float(v), '.6g')}" for d, v in zip(distances, values, strict=True)]
    return "\n".join(["distance_m,concentration_mg_m3", *rows]) + "\n"


@pytest.mark.parametrize(("height", "max_distance"), [(None, None), ("35", "750"), ("0", "5")])
def test_csv_prints_the_centreline_to_six_significant_figures(
    height: str | None, max_distance: str | None
) -> None:
    result = invoke("--format", "csv", "--level", "a=1", height=height, max_distance=max_distance)
    assert result.exit_code == 0, result.stderr
    up_to = float(max_distance or 10_000)
    assert result.stdout == expected_csv(20.0, 3.0, float(height or 0), up_to)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + sum(d <= up_to for d in DISTANCES)
    for line in lines[1:]:
        mantissa = line.split(",")[1].split("e")[0].replace(".", "").replace("-", "").lstrip("0")
        assert len(mantissa) <= 6


def test_class_and_terrain_are_not_case_sensitive() -> None:
    upper = invoke("--level", "a=1", "--terrain", "urban")
    lower = invoke("--level", "a=1", "--terrain", "URBAN", stability="d")
    assert upper.exit_code == 0 and upper.stdout == lower.stdout
    assert upper.stdout != invoke("--level", "a=1").stdout  # rural differs


BAD = [
    ({"rate": "0"}, (), "--rate", "more than 0"),
    ({"rate": "-3"}, (), "--rate", "more than 0"),
    ({"rate": "ten"}, (), "--rate", "not a number"),
    ({"rate": None}, (), "--rate", "required"),
    ({"height": "-0.1"}, (), "--height", "0 m or more"),
    ({"height": "nan"}, (), "--height", "not a number"),
    ({"wind_speed": "0.49"}, (), "--wind-speed", "calm air"),
    ({"wind_speed": "fast"}, (), "--wind-speed", "not a number"),
    ({"wind_from": "360.5"}, (), "--wind-from", "0 to 360"),
    ({"wind_from": "-1"}, (), "--wind-from", "0 to 360"),
    ({"wind_from": "W"}, (), "--wind-from", "not a number"),
    ({"stability": "G"}, (), "--stability", "A, B, C, D, E, F"),
    ({"stability": None}, (), "--stability", "required"),
    ({}, ("--terrain", "suburban"), "--terrain", "rural, urban"),
    ({}, ("--level", "AEGL2"), "--level", "NAME=MG_PER_M3"),
    ({}, ("--level", "=4"), "--level", "NAME=MG_PER_M3"),
    ({}, ("--level", "a=0"), "--level", "more than 0"),
    ({}, ("--level", "a=-1"), "--level", "more than 0"),
    ({}, ("--level", "a=lots"), "--level", "not a number"),
    ({}, ("--level", "a=1", "--level", "a=2"), "--level", "twice"),
    ({}, (), "--level", "at least one"),
    ({"lon": "180.01"}, (), "--lon", "-180 to 180"),
    ({"lon": "-181"}, (), "--lon", "-180 to 180"),
    ({"lat": "90.5"}, (), "--lat", "-90 to 90"),
    ({"lat": "x"}, (), "--lat", "not a number"),
    ({"max_distance": "0"}, (), "--max-distance", "at least 1 m"),
    ({"max_distance": "0.9"}, (), "--max-distance", "at least 1 m"),
    ({"max_distance": "far"}, (), "--max-distance", "not a number"),
    ({}, ("--format", "kml"), "--format", "geojson, csv"),
]


@pytest.mark.parametrize(("overrides", "extra", "flag", "words"), BAD)
def test_bad_input_is_one_line_naming_the_flag(
    overrides: dict[str, str | None], extra: tuple[str, ...], flag: str, words: str
) -> None:
    levels = () if any(e == "--level" for e in extra) or flag == "--level" else ("--level", "a=1")
    result = invoke(*levels, *extra, **overrides)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: option {flag}: ")
    assert words in result.stderr


def test_the_installed_command_reports_calm_air_and_prints_nothing() -> None:
    command = [str(RESILIENCE), *arguments("--level", "a=1", wind_speed="0.2")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: option --wind-speed: ") and "calm air" in line
