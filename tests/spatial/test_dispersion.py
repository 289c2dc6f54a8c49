"""The §6 plume model against the formulas written out here, and footprints against brute force.

The σ curves below are typed in again from DESIGN.md §6's table, one expression per cell, so a
slip in either copy shows up as a mismatch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import shapely
from shapely import Point

from resilience.spatial.dispersion import (
    Release,
    above_level_ranges,
    centreline_mg_m3,
    concentration_mg_m3,
    half_width_m,
    ppm_to_mg_m3,
)
from resilience.spatial.footprints import footprint_bng

Curve = Callable[[np.ndarray], np.ndarray]

# (terrain, class) -> (σy, σz), by hand from the table.
BRIGGS: dict[tuple[str, str], tuple[Curve, Curve]] = {
    ("rural", "A"): (lambda x: 0.22 * x / np.sqrt(1 + 0.0001 * x), lambda x: 0.20 * x),
    ("rural", "B"): (lambda x: 0.16 * x / np.sqrt(1 + 0.0001 * x), lambda x: 0.12 * x),
    ("rural", "C"): (
        lambda x: 0.11 * x / np.sqrt(1 + 0.0001 * x),
        lambda x: 0.08 * x / np.sqrt(1 + 0.0002 * x),
    ),
    ("rural", "D"): (
        lambda x: 0.08 * x / np.sqrt(1 + 0.0001 * x),
        lambda x: 0.06 * x / np.sqrt(1 + 0.0015 * x),
    ),
    ("rural", "E"): (
        lambda x: 0.06 * x / np.sqrt(1 + 0.0001 * x),
        lambda x: 0.03 * x / (1 + 0.0003 * x),
    ),
    ("rural", "F"): (
        lambda x: 0.04 * x / np.sqrt(1 + 0.0001 * x),
        lambda x: 0.016 * x / (1 + 0.0003 * x),
    ),
    ("urban", "A"): (
        lambda x: 0.32 * x / np.sqrt(1 + 0.0004 * x),
        lambda x: 0.24 * x * np.sqrt(1 + 0.001 * x),
    ),
    ("urban", "B"): (
        lambda x: 0.32 * x / np.sqrt(1 + 0.0004 * x),
        lambda x: 0.24 * x * np.sqrt(1 + 0.001 * x),
    ),
    ("urban", "C"): (lambda x: 0.22 * x / np.sqrt(1 + 0.0004 * x), lambda x: 0.20 * x),
    ("urban", "D"): (
        lambda x: 0.16 * x / np.sqrt(1 + 0.0004 * x),
        lambda x: 0.14 * x / np.sqrt(1 + 0.0003 * x),
    ),
    ("urban", "E"): (
        lambda x: 0.11 * x / np.sqrt(1 + 0.0004 * x),
        lambda x: 0.08 * x / np.sqrt(1 + 0.0015 * x),
    ),
    ("urban", "F"): (
        lambda x: 0.11 * x / np.sqrt(1 + 0.0004 * x),
        lambda x: 0.08 * x / np.sqrt(1 + 0.0015 * x),
    ),
}
CASES = sorted(BRIGGS)
DISTANCES = np.array([10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000], dtype=float)
SOURCE = (350_000.0, 383_000.0)  # Runcorn, EPSG:27700


def expected_c(
    case: tuple[str, str], x: np.ndarray, q_g_s: float, u: float, h: float
) -> np.ndarray:
    """Return C(x, y=0) in mg/m³ straight from the §6 formula."""
    sy, sz = BRIGGS[case][0](x), BRIGGS[case][1](x)
    return q_g_s * 1000 / (math.pi * u * sy * sz) * np.exp(-(h**2) / (2 * sz**2))


def expected_log_c(
    case: tuple[str, str], x: np.ndarray, q_g_s: float, u: float, h: float
) -> np.ndarray:
    """Return ln C(x, y=0), finite where C underflows."""
    sy, sz = BRIGGS[case][0](x), BRIGGS[case][1](x)
    return np.log(q_g_s * 1000 / (math.pi * u * sy * sz)) - h**2 / (2 * sz**2)


def expected_half_width(
    case: tuple[str, str], x: np.ndarray, q: float, u: float, h: float, level: float
) -> np.ndarray:
    c = expected_c(case, x, q, u, h)
    sy = BRIGGS[case][0](x)
    return np.where(c >= level, sy * np.sqrt(2 * np.log(np.maximum(c, level) / level)), 0.0)


def release(case: tuple[str, str], q: float, u: float, h: float) -> Release:
    terrain, stability = case
    return Release(q, u, stability, terrain, h)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}")
@pytest.mark.parametrize("height", [0.0, 30.0])
def test_centreline_is_the_formula_at_the_design_distances(
    case: tuple[str, str], height: float
) -> None:
    got = centreline_mg_m3(release(case, 2.5, 4.0, height), DISTANCES)
    want = expected_c(case, DISTANCES, 2.5, 4.0, height)
    # Near the source an elevated release's values are subnormal: compare those absolutely.
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    assert np.all(got[want > 1e-300] > 0)


def test_off_axis_concentration_falls_as_a_gaussian_and_meets_the_level_at_the_half_width() -> None:
    r = Release(10.0, 3.0, "D", "rural", 0.0)
    x = np.array([50.0, 400.0, 3000.0])
    sy = BRIGGS[("rural", "D")][0](x)
    np.testing.assert_allclose(
        concentration_mg_m3(r, x, sy), centreline_mg_m3(r, x) * math.exp(-0.5), rtol=1e-12
    )
    level = 0.01
    width = half_width_m(r, x, level)
    assert np.all(width > 0)
    np.testing.assert_allclose(concentration_mg_m3(r, x, width), level, rtol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_the_centreline_rises_at_most_once_then_falls(case: tuple[str, str]) -> None:
    # So the footprint is one x-range and one Polygon, never a MultiPolygon.
    x = np.geomspace(1, 100_000, 20_001)
    for height in (0.0, 2.0, 10.0, 50.0, 150.0, 500.0):
        slope = np.diff(expected_log_c(case, x, 1.0, 2.0, height))
        signs = np.sign(slope[np.abs(slope) > 1e-13])
        assert np.count_nonzero(np.diff(signs)) <= (0 if height == 0 else 1)
        r = release(case, 1.0, 2.0, height)
        for level in np.geomspace(1e-6, 1e3, 10):
            assert len(above_level_ranges(r, float(level), 10_000)) <= 1


SAMPLED = [
    (("rural", "A"), 5.0, 0.0, 1.0),
    (("rural", "D"), 100.0, 0.0, 10.0),
    (("rural", "F"), 1.0, 0.0, 0.5),
    (("rural", "E"), 50.0, 40.0, 0.2),
    (("urban", "B"), 20.0, 10.0, 0.3),
    (("urban", "D"), 100.0, 60.0, 1.0),
    (("urban", "F"), 0.5, 0.0, 5.0),
]


@pytest.mark.parametrize(("case", "q", "h", "level"), SAMPLED)
def test_footprint_measures_match_brute_force(
    case: tuple[str, str], q: float, h: float, level: float
) -> None:
    u, max_distance = 3.0, 10_000.0
    found = footprint_bng(release(case, q, u, h), SOURCE, 225.0, level, max_distance)
    x = np.geomspace(1, max_distance, 400_001)
    width = expected_half_width(case, x, q, u, h, level)
    inside = x[width > 0]
    exact_area = float(np.trapezoid(2 * width, x))
    assert found.area_bng.geom_type == "Polygon" and found.area_bng.is_valid
    assert found.area_m2 == pytest.approx(exact_area, rel=0.01)
    assert found.max_distance_m == pytest.approx(inside.max(), rel=1e-4)
    assert found.max_half_width_m == pytest.approx(width.max(), rel=1e-4)
    # The polygon's reach along the axis is the footprint's extent.
    reach = shapely.hausdorff_distance(Point(SOURCE), found.area_bng)
    assert reach == pytest.approx(inside.max(), rel=1e-3)


@pytest.mark.parametrize(
    ("wind_from", "east", "north"), [(270, 1, 0), (0, 0, -1), (90, -1, 0), (180, 0, 1)]
)
def test_the_footprint_lies_downwind(wind_from: float, east: int, north: int) -> None:
    found = footprint_bng(Release(10.0, 3.0, "D"), SOURCE, wind_from, 1.0, 10_000)
    centroid = found.area_bng.centroid
    d_east, d_north = centroid.x - SOURCE[0], centroid.y - SOURCE[1]
    assert math.hypot(d_east, d_north) > 100
    # Along the expected direction, and not sideways.
    assert d_east * east + d_north * north > 0.99 * math.hypot(d_east, d_north)


def test_a_level_nowhere_reached_gives_an_empty_footprint() -> None:
    r = Release(0.001, 5.0, "A", "rural", 0.0)
    assert expected_c(("rural", "A"), np.array([1.0]), 0.001, 5.0, 0.0)[0] < 1e4
    found = footprint_bng(r, SOURCE, 0.0, 1e4, 10_000)
    assert found.area_bng.is_empty
    assert (found.max_distance_m, found.max_half_width_m, found.area_m2) == (0.0, 0.0, 0.0)


def test_an_elevated_release_footprint_starts_away_from_the_source() -> None:
    case, q, u, h, level = ("rural", "D"), 50.0, 3.0, 40.0, 0.5
    found = footprint_bng(release(case, q, u, h), SOURCE, 270.0, level, 10_000)
    x = np.geomspace(1, 10_000, 400_001)
    start = x[expected_c(case, x, q, u, h) >= level].min()
    assert start > 100
    assert Point(SOURCE).distance(found.area_bng) == pytest.approx(start, rel=1e-3)


def test_a_footprint_cut_off_at_max_distance_ends_there() -> None:
    found = footprint_bng(Release(100.0, 2.0, "F"), SOURCE, 0.0, 0.01, 500.0)
    assert found.max_distance_m == 500.0
    assert found.area_bng.bounds[1] == pytest.approx(SOURCE[1] - 500.0, abs=1e-6)


def test_ppm_converts_at_25_degrees() -> None:
    # Chlorine, 70.90 g/mol: 1 ppm is 2.900 mg/m³ (HSE EH40 lists 2.9 mg/m³ for 1 ppm).
    assert ppm_to_mg_m3(1.0, 70.90) == pytest.approx(2.900, abs=5e-4)
    assert ppm_to_mg_m3(0.0, 17.03) == 0.0


def test_a_max_distance_of_one_metre_is_a_line_with_no_area() -> None:
    case, q, u = ("rural", "D"), 100.0, 3.0
    found = footprint_bng(release(case, q, u, 0.0), SOURCE, 90.0, 1.0, 1.0)
    assert found.area_bng.is_empty and found.area_m2 == 0.0
    assert found.max_distance_m == 1.0
    width = expected_half_width(case, np.array([1.0]), q, u, 0.0, 1.0)[0]
    assert width > 0 and found.max_half_width_m == pytest.approx(width, rel=1e-9)
