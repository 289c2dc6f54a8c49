"""Zones around a site: areas against geometry formulas, bands that tile, validation."""

from __future__ import annotations

import doctest
import math

import pytest
import shapely
from shapely import LineString, Point, box

from resilience.errors import InputError
from resilience.spatial import zones as zones_module
from resilience.spatial.zones import QUAD_SEGS, parse_distance, zones_for_site_bng

SITE = Point(350_000, 383_000)  # Runcorn, in British National Grid metres
TOLERANCE = 0.001  # DESIGN.md §3: a circle's area within 0.1 % of pi d^2


def regular_polygon_share(vertices: int) -> float:
    """Return the area of a regular polygon inscribed in a circle, as a share of the circle's."""
    angle = 2 * math.pi / vertices
    return math.sin(angle) / angle


def test_default_segments_are_not_enough_and_ours_are() -> None:
    # A buffer's circle has 4 * quad_segs vertices on the circle.
    assert 1 - regular_polygon_share(4 * 16) > TOLERANCE  # shapely's default: 0.16 % short
    assert 1 - regular_polygon_share(4 * 21) < TOLERANCE  # the least that passes
    assert 1 - regular_polygon_share(4 * QUAD_SEGS) < TOLERANCE / 2
    assert SITE.buffer(1000).area < math.pi * 1000**2 * (1 - TOLERANCE)


@pytest.mark.parametrize("distance", [10.0, 250.0, 1_000.0, 3_000.0, 12_345.6])
def test_disc_area_is_within_a_tenth_of_a_percent(distance: float) -> None:
    zones = zones_for_site_bng(SITE, inner_m=distance, piz_m=distance)
    circle = math.pi * distance**2
    for kind in ("inner", "piz"):
        assert zones[kind].area == pytest.approx(circle, rel=TOLERANCE)
        assert zones[kind].area <= circle  # vertices lie on the circle: never larger


@pytest.mark.parametrize(
    ("inner", "middle", "outer"), [(200.0, 500.0, 1_000.0), (1_000.0, 1_001.0, 3_000.0)]
)
def test_bands_have_annulus_areas(inner: float, middle: float, outer: float) -> None:
    zones = zones_for_site_bng(SITE, inner_m=inner, middle_m=middle, outer_m=outer)
    assert list(zones) == ["inner", "middle", "outer"]
    assert zones["inner"].area == pytest.approx(math.pi * inner**2, rel=TOLERANCE)
    assert zones["middle"].area == pytest.approx(math.pi * (middle**2 - inner**2), rel=TOLERANCE)
    assert zones["outer"].area == pytest.approx(math.pi * (outer**2 - middle**2), rel=TOLERANCE)


def test_bands_tile_the_consultation_distance_without_overlap() -> None:
    zones = zones_for_site_bng(SITE, inner_m=300, middle_m=700, outer_m=1500)
    bands = [zones["inner"], zones["middle"], zones["outer"]]
    whole = SITE.buffer(1500, quad_segs=QUAD_SEGS)
    assert shapely.union_all(bands).symmetric_difference(whole).area < 1e-6
    for i, a in enumerate(bands):
        for b in bands[i + 1 :]:
            assert a.intersection(b).area < 1e-6
    # A place lies in exactly one band: the middle band has a hole where the inner zone is.
    assert not zones["middle"].contains(SITE)
    assert zones["middle"].contains(Point(350_500, 383_000))


def test_middle_without_inner_is_the_whole_disc() -> None:
    zones = zones_for_site_bng(SITE, middle_m=500, outer_m=900)
    assert list(zones) == ["middle", "outer"]
    assert zones["middle"].area == pytest.approx(math.pi * 500**2, rel=TOLERANCE)
    assert zones["middle"].contains(SITE)
    assert zones["outer"].area == pytest.approx(math.pi * (900**2 - 500**2), rel=TOLERANCE)


def test_outer_without_middle_starts_at_inner() -> None:
    zones = zones_for_site_bng(SITE, inner_m=400, outer_m=900)
    assert zones["outer"].area == pytest.approx(math.pi * (900**2 - 400**2), rel=TOLERANCE)


def test_piz_is_a_whole_disc_independent_of_the_bands() -> None:
    zones = zones_for_site_bng(SITE, inner_m=400, middle_m=800, piz_m=600)
    assert zones["piz"].contains(SITE)
    assert zones["piz"].area == pytest.approx(math.pi * 600**2, rel=TOLERANCE)
    smaller = zones_for_site_bng(SITE, inner_m=400, piz_m=100)  # no order with the bands
    assert smaller["piz"].area == pytest.approx(math.pi * 100**2, rel=TOLERANCE)


@pytest.mark.parametrize("width", [50.0, 400.0, 2_500.0])
def test_straight_pipeline_corridor_is_a_stadium(width: float) -> None:
    length = 12_000.0
    route = LineString([(340_000, 380_000), (340_000 + length * 0.6, 380_000 + length * 0.8)])
    zones = zones_for_site_bng(route, inner_m=width, outer_m=width * 2)
    stadium = length * 2 * width + math.pi * width**2
    assert zones["inner"].area == pytest.approx(stadium, rel=TOLERANCE)
    outer_stadium = length * 4 * width + math.pi * (2 * width) ** 2
    assert zones["outer"].area == pytest.approx(outer_stadium - stadium, rel=TOLERANCE)


def test_bent_pipeline_has_round_joins() -> None:
    route = LineString([(0, 0), (1_000, 0), (1_000, 1_000)])
    corridor = zones_for_site_bng(route, inner_m=100)["inner"]
    # Two 1 km rectangles 2w wide, less the w x w square where they overlap inside the bend,
    # plus a quarter disc filling the outside of the bend, plus the two half-disc ends.
    w = 100.0
    expected = 2 * (1_000 * 2 * w) - w**2 + math.pi * w**2 / 4 + math.pi * w**2
    assert corridor.area == pytest.approx(expected, rel=TOLERANCE)
    assert corridor.contains(Point(1_070, -70))  # the outside of the bend is rounded, not mitred
    assert not corridor.contains(Point(1_090, -90))


def test_polygon_site_is_buffered_from_its_boundary() -> None:
    side, distance = 300.0, 200.0
    site = box(0, 0, side, side)
    zones = zones_for_site_bng(site, inner_m=distance)
    expected = side**2 + 4 * side * distance + math.pi * distance**2
    assert zones["inner"].area == pytest.approx(expected, rel=TOLERANCE)


def test_no_distance_gives_no_zones() -> None:
    assert zones_for_site_bng(SITE) == {}


@pytest.mark.parametrize(
    ("distances", "problem"),
    [
        ({"inner_m": 0.0}, "field 'inner_m': 0 is not a positive distance in metres"),
        ({"middle_m": -5.0}, "field 'middle_m': -5 is not a positive distance in metres"),
        ({"outer_m": math.nan}, "field 'outer_m': nan is not a positive distance in metres"),
        ({"piz_m": math.inf}, "field 'piz_m': inf is not a positive distance in metres"),
        ({"inner_m": True}, "field 'inner_m': True is not a number of metres"),
        ({"inner_m": "100"}, "field 'inner_m': '100' is not a number of metres"),
        ({"inner_m": 500.0, "middle_m": 500.0}, "inner_m (500) must be less than middle_m (500)"),
        ({"middle_m": 900.0, "outer_m": 800.0}, "middle_m (900) must be less than outer_m (800)"),
        ({"inner_m": 900.0, "outer_m": 800.0}, "inner_m (900) must be less than outer_m (800)"),
    ],
)
def test_bad_distances_are_input_errors(distances: dict[str, object], problem: str) -> None:
    with pytest.raises(InputError) as caught:
        zones_for_site_bng(SITE, **distances)  # type: ignore[arg-type]
    assert str(caught.value) == problem


def test_empty_geometry_is_an_input_error() -> None:
    with pytest.raises(InputError, match="empty"):
        zones_for_site_bng(Point(), inner_m=100)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (math.nan, None), ("", None), ("  ", None), (250, 250.0), (" 12.5 ", 12.5)],
)
def test_parse_distance_reads_numbers_text_and_blanks(value: object, expected: object) -> None:
    assert parse_distance(value, "inner_m") == expected


@pytest.mark.parametrize("value", ["abc", "1,000", "-3", "0", "NaN", False, [100]])
def test_parse_distance_rejects_what_is_not_a_positive_number(value: object) -> None:
    with pytest.raises(InputError, match="field 'inner_m'"):
        parse_distance(value, "inner_m")


def test_docstring_examples_run() -> None:
    result = doctest.testmod(zones_module)
    assert result.attempted > 0
    assert result.failed == 0
