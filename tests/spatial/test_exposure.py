"""Ward exposure: hand-computed boxes, overlapping wards, and geopandas overlay on real wards."""

from __future__ import annotations

import doctest
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Point, box
from shapely.geometry.base import BaseGeometry

from resilience.spatial import exposure as exposure_module
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.exposure import EXPOSURE_COLUMNS, OUTSIDE, WardIndex, exposure_of

REPO = Path(__file__).resolve().parents[2]
HALTON_WARDS = REPO.parent / "shared" / "data" / "wards" / "halton_wards.geojson"


def wards(*items: tuple[str, BaseGeometry]) -> gpd.GeoDataFrame:
    """Return wards named after their codes, in BNG."""
    return gpd.GeoDataFrame(
        {"ward_code": [c for c, _ in items], "ward_name": [f"Ward {c}" for c, _ in items]},
        geometry=[g for _, g in items],
        crs=BNG,
    )


def zones(*items: tuple[str, BaseGeometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": [z for z, _ in items]}, geometry=[g for _, g in items], crs=BNG
    )


def rows(table: pd.DataFrame) -> list[tuple[str, str, float]]:
    return [(r.zone_id, r.ward_code, r.overlap_m2) for r in table.itertuples()]


def by_key(table: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r["zone_id"], r["ward_code"]): r for _, r in table.iterrows()}


# A 2 x 2 km block of four 1 km wards, lower left at (400 km, 300 km).
X0, Y0 = 400_000.0, 300_000.0
GRID = wards(
    ("W_SW", box(X0, Y0, X0 + 1000, Y0 + 1000)),
    ("W_SE", box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
    ("W_NW", box(X0, Y0 + 1000, X0 + 1000, Y0 + 2000)),
    ("W_NE", box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000)),
)


# --- the contract's columns and arithmetic -------------------------------------------------


def test_columns_areas_and_shares_by_hand() -> None:
    # 600 x 400 box straddling the SW/SE boundary, 100 m of it south of every ward.
    zone = box(X0 + 700, Y0 - 100, X0 + 1300, Y0 + 300)
    table = exposure_of(zones(("Z", zone)), GRID, {"W_SW": 1000.0, "W_SE": 2000.0})
    assert tuple(table.columns) == EXPOSURE_COLUMNS
    assert rows(table) == [
        ("Z", OUTSIDE, 600 * 100),
        ("Z", "W_SE", 300 * 300),
        ("Z", "W_SW", 300 * 300),
    ]
    outside, south_east, _ = table.to_dict("records")
    assert outside["ward_name"] is None
    assert math.isnan(outside["ward_share"]) and math.isnan(outside["population"])
    assert outside["zone_share"] == pytest.approx(60_000 / 240_000)
    assert south_east["ward_name"] == "Ward W_SE"
    assert south_east["ward_share"] == pytest.approx(90_000 / 1e6)
    assert south_east["zone_share"] == pytest.approx(90_000 / 240_000)
    assert south_east["population"] == pytest.approx(2000 * 0.09)


def test_population_missing_for_unknown_wards_and_without_populations() -> None:
    zone = box(X0 + 500, Y0 + 500, X0 + 1500, Y0 + 600)
    with_some = exposure_of(zones(("Z", zone)), GRID, {"W_SW": 100.0})
    assert with_some.set_index("ward_code")["population"].to_dict() == pytest.approx(
        {"W_SW": 100 * 0.05, "W_SE": math.nan}, nan_ok=True
    )
    without = exposure_of(zones(("Z", zone)), GRID)
    assert without["population"].isna().all()


def test_zone_half_outside_every_ward_has_its_outside_row() -> None:
    # A disc centred on the south edge of the block: by symmetry, half of it is outside.
    disc = Point(X0 + 1000, Y0).buffer(300, quad_segs=32)
    table = exposure_of(zones(("Z", disc)), GRID)
    found = by_key(table)
    assert found[("Z", OUTSIDE)]["overlap_m2"] == pytest.approx(disc.area / 2, rel=1e-9)
    assert found[("Z", OUTSIDE)]["zone_share"] == pytest.approx(0.5, rel=1e-9)
    assert found[("Z", "W_SW")]["overlap_m2"] == pytest.approx(disc.area / 4, rel=1e-9)
    assert set(table["ward_code"]) == {OUTSIDE, "W_SW", "W_SE"}


def test_ward_touching_a_zone_only_along_an_edge_has_no_row() -> None:
    zone = box(X0, Y0 - 500, X0 + 1000, Y0)  # shares the south edge of W_SW, nothing more
    table = exposure_of(zones(("Z", zone)), GRID)
    assert rows(table) == [("Z", OUTSIDE, 500_000.0)]
    corner = box(X0 + 2000, Y0 + 2000, X0 + 2100, Y0 + 2100)  # touches W_NE at one point
    assert rows(exposure_of(zones(("C", corner)), GRID)) == [("C", OUTSIDE, 10_000.0)]


def test_overlaps_under_one_square_metre_are_not_rows_but_count_as_inside() -> None:
    # 0.5 m x 1 m into W_SE, the rest in W_SW: W_SE's sliver is no row and nothing is outside.
    zone = box(X0 + 999.5 - 100, Y0 + 10, X0 + 1000.5, Y0 + 11)
    table = exposure_of(zones(("Z", zone)), GRID)
    assert list(table["ward_code"]) == ["W_SW"]
    exactly_one = box(X0 + 999, Y0 + 10, X0 + 1001, Y0 + 11)  # 1 m² in each ward
    assert list(exposure_of(zones(("Z", exactly_one)), GRID)["ward_code"]) == ["W_SE", "W_SW"]


def test_ward_inside_zone_and_zone_inside_ward_need_no_intersection_and_are_exact() -> None:
    everything = box(X0 - 10, Y0 - 10, X0 + 2010, Y0 + 2010)
    small = box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 300)
    table = exposure_of(zones(("ALL", everything), ("SMALL", small)), GRID)
    found = by_key(table)
    for code in ("W_NE", "W_NW", "W_SE", "W_SW"):
        assert found[("ALL", code)]["overlap_m2"] == 1e6
        assert found[("ALL", code)]["ward_share"] == 1.0
    assert found[("ALL", OUTSIDE)]["overlap_m2"] == pytest.approx(2020**2 - 2000**2)
    assert rows(table)[-1] == ("SMALL", "W_SW", 20_000.0)
    assert found[("SMALL", "W_SW")]["zone_share"] == 1.0


def test_rows_sorted_by_zone_then_ward_code_as_text() -> None:
    block = box(X0 - 500, Y0 + 500, X0 + 2500, Y0 + 1500)
    table = exposure_of(zones(("b:outer", block), ("a:piz", block), ("B:inner", block)), GRID)
    keys = list(zip(table["zone_id"], table["ward_code"], strict=True))
    assert keys == sorted(keys)
    assert keys[:5] == [
        ("B:inner", OUTSIDE),
        ("B:inner", "W_NE"),
        ("B:inner", "W_NW"),
        ("B:inner", "W_SE"),
        ("B:inner", "W_SW"),
    ]


def test_empty_inputs() -> None:
    table = exposure_of(zones(), GRID)
    assert tuple(table.columns) == EXPOSURE_COLUMNS and table.empty
    no_wards = exposure_of(zones(("Z", box(0, 0, 10, 10))), wards())
    assert rows(no_wards) == [("Z", OUTSIDE, 100.0)]


def test_inputs_must_be_in_british_national_grid() -> None:
    with pytest.raises(ValueError, match="EPSG:27700"):
        exposure_of(zones(("Z", box(0, 0, 1, 1))), GRID.to_crs(WGS84))


# --- overlapping wards: the outside part stays exact ----------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        box(X0 + 500, Y0 - 200, X0 + 1500, Y0 + 500),  # overlaps two wards and sticks out
        box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300),  # nested in W_SW
        box(X0, Y0, X0 + 1000, Y0 + 1000),  # a duplicate of W_SW
        box(X0 + 900, Y0 - 300, X0 + 1100, Y0 + 2000),  # shares edges, crosses others
        box(X0, Y0, X0 + 2000, Y0 + 1000),  # exactly covers W_SW and W_SE, edges shared
    ],
)
def test_outside_is_zone_minus_union_even_when_wards_overlap(extra: BaseGeometry) -> None:
    overlapping = pd.concat([GRID, wards(("X", extra))], ignore_index=True)
    zone = Point(X0 + 1000, Y0).buffer(400, quad_segs=32)
    table = exposure_of(zones(("Z", zone)), overlapping)
    expected_outside = zone.difference(shapely.union_all(overlapping.geometry.values)).area
    found = by_key(table)
    assert found[("Z", OUTSIDE)]["overlap_m2"] == pytest.approx(expected_outside, rel=1e-9)
    for code, geometry in zip(overlapping["ward_code"], overlapping.geometry, strict=True):
        overlap = zone.intersection(geometry).area
        if overlap >= 1:
            assert found[("Z", code)]["overlap_m2"] == pytest.approx(overlap, rel=1e-9)


def test_random_overlapping_wards_match_brute_force() -> None:
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 5_000, (60, 2))
    ward_geoms = [
        Point(x, y).buffer(r) for (x, y), r in zip(centres, rng.uniform(200, 900, 60), strict=True)
    ]
    some_wards = wards(*((f"W{i:02d}", g) for i, g in enumerate(ward_geoms)))
    zone_geoms = [
        Point(x, y).buffer(r).difference(Point(x, y).buffer(r / 3))
        for (x, y), r in zip(
            rng.uniform(0, 5_000, (25, 2)), rng.uniform(300, 1500, 25), strict=True
        )
    ]
    some_zones = zones(*((f"Z{i:02d}", g) for i, g in enumerate(zone_geoms)))
    table = exposure_of(some_zones, some_wards, workers=1)
    found = by_key(table)
    union = shapely.union_all(ward_geoms)
    expected_keys = set()
    for zone_id, zone in zip(some_zones["zone_id"], zone_geoms, strict=True):
        for code, ward in zip(some_wards["ward_code"], ward_geoms, strict=True):
            overlap = zone.intersection(ward).area
            if overlap >= 1:
                expected_keys.add((zone_id, code))
                assert found[(zone_id, code)]["overlap_m2"] == pytest.approx(overlap, rel=1e-9)
        outside = zone.difference(union).area
        if outside >= 1:
            expected_keys.add((zone_id, OUTSIDE))
            assert found[(zone_id, OUTSIDE)]["overlap_m2"] == pytest.approx(outside, rel=1e-7)
    assert set(found) == expected_keys


# --- real boundaries: the same answers as geopandas overlay ---------------------------------


@pytest.fixture(scope="module")
def halton_wards_bng() -> gpd.GeoDataFrame:
    # The reference data sit beside the repository; without them this test must fail, not skip.
    assert HALTON_WARDS.is_file(), f"reference data missing: {HALTON_WARDS}"
    frame = gpd.read_file(HALTON_WARDS)
    return frame[["ward_code", "ward_name", "geometry"]].to_crs(BNG)


@pytest.fixture(scope="module")
def halton_zones_bng() -> gpd.GeoDataFrame:
    """Discs, a band and a corridor over Widnes, Runcorn and the Mersey between them."""
    points = gpd.GeoSeries(
        [Point(-2.7153, 53.3374), Point(-2.7300, 53.3480), Point(-2.6431, 53.3443)], crs=WGS84
    ).to_crs(BNG)
    route = gpd.GeoSeries(
        [shapely.LineString([(-2.80, 53.33), (-2.74, 53.36), (-2.66, 53.36)])], crs=WGS84
    ).to_crs(BNG)
    items = [
        ("bridgewater:piz", points[0].buffer(1_500, quad_segs=32)),
        ("river:piz", points[1].buffer(2_000, quad_segs=32)),
        (
            "daresbury:outer",
            points[2].buffer(3_000, quad_segs=32).difference(points[2].buffer(1_000)),
        ),
        ("pipeline:inner", route[0].buffer(250, quad_segs=32)),
    ]
    return zones(*items)


def overlay_reference(zones_bng: gpd.GeoDataFrame, wards_bng: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the contract's table computed with geopandas overlay, the usual way."""
    pieces = gpd.overlay(zones_bng, wards_bng, how="intersection", keep_geom_type=True)
    pieces["overlap_m2"] = pieces.area
    pieces = pieces[pieces["overlap_m2"] >= 1]
    ward_area = wards_bng.set_index("ward_code").area
    zone_area = zones_bng.set_index("zone_id").area
    pieces["ward_share"] = pieces["overlap_m2"] / pieces["ward_code"].map(ward_area)
    pieces["zone_share"] = pieces["overlap_m2"] / pieces["zone_id"].map(zone_area)
    outside = gpd.overlay(zones_bng, wards_bng, how="difference", keep_geom_type=True)
    outside["overlap_m2"] = outside.area
    outside = outside[outside["overlap_m2"] >= 1]
    outside["ward_code"] = OUTSIDE
    outside["zone_share"] = outside["overlap_m2"] / outside["zone_id"].map(zone_area)
    columns = ["zone_id", "ward_code", "overlap_m2", "ward_share", "zone_share"]
    table = pd.concat([pd.DataFrame(pieces), pd.DataFrame(outside)], ignore_index=True)
    return table.reindex(columns=columns).sort_values(["zone_id", "ward_code"], ignore_index=True)


def test_halton_exposure_equals_geopandas_overlay(
    halton_wards_bng: gpd.GeoDataFrame, halton_zones_bng: gpd.GeoDataFrame
) -> None:
    assert len(halton_wards_bng) == 18
    ours = exposure_of(halton_zones_bng, halton_wards_bng)
    expected = overlay_reference(halton_zones_bng, halton_wards_bng)
    assert list(ours["zone_id"]) == list(expected["zone_id"])
    assert list(ours["ward_code"]) == list(expected["ward_code"])
    np.testing.assert_allclose(ours["overlap_m2"], expected["overlap_m2"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(ours["zone_share"], expected["zone_share"], rtol=1e-9)
    np.testing.assert_allclose(ours["ward_share"], expected["ward_share"], rtol=1e-9)
    # The river zone lies partly over the Mersey, which is in no ward.
    assert (ours["ward_code"] == OUTSIDE).sum() >= 2
    assert set(ours.loc[ours["zone_id"] == "river:piz", "ward_code"]) >= {OUTSIDE}


def test_threads_give_the_same_table(halton_wards_bng: gpd.GeoDataFrame) -> None:
    # Enough pairs (> 2,000) for the threaded path: 400 small discs over Halton.
    x0, y0, x1, y1 = halton_wards_bng.total_bounds
    rng = np.random.default_rng(3)
    centres = rng.uniform((x0, y0), (x1, y1), (400, 2))
    many = zones(
        *((f"Z{i:03d}", Point(x, y).buffer(3_000, quad_segs=8)) for i, (x, y) in enumerate(centres))
    )
    single = exposure_of(many, halton_wards_bng, workers=1)
    threaded = exposure_of(many, halton_wards_bng, workers=2)
    pd.testing.assert_frame_equal(single, threaded)


# --- the incremental index -------------------------------------------------------------------


def test_ward_index_gives_the_rows_of_changed_zones_only(
    halton_wards_bng: gpd.GeoDataFrame, halton_zones_bng: gpd.GeoDataFrame
) -> None:
    index = WardIndex(halton_wards_bng, {"E05013173": 5_000.0})
    assert len(index) == 18
    full = exposure_of(halton_zones_bng, halton_wards_bng, {"E05013173": 5_000.0})
    pd.testing.assert_frame_equal(index.exposure(halton_zones_bng), full)

    moved = Point(350_500, 383_500).buffer(800, quad_segs=32)
    updated = index.update(full, {"river:piz": moved, "pipeline:inner": None})
    expected = exposure_of(
        zones(
            ("bridgewater:piz", halton_zones_bng.geometry[0]),
            ("daresbury:outer", halton_zones_bng.geometry[2]),
            ("river:piz", moved),
        ),
        halton_wards_bng,
        {"E05013173": 5_000.0},
    )
    pd.testing.assert_frame_equal(updated, expected)
    untouched = full[full["zone_id"] == "daresbury:outer"].reset_index(drop=True)
    again = updated[updated["zone_id"] == "daresbury:outer"].reset_index(drop=True)
    pd.testing.assert_frame_equal(again, untouched)


def test_ward_index_keeps_exact_outside_with_overlapping_wards() -> None:
    overlapping = pd.concat(
        [GRID, wards(("X", box(X0 + 500, Y0 - 200, X0 + 1500, Y0 + 500)))], ignore_index=True
    )
    zone = Point(X0 + 1000, Y0).buffer(400, quad_segs=32)
    found = by_key(WardIndex(overlapping).exposure_for({"Z": zone}))
    expected = zone.difference(shapely.union_all(overlapping.geometry.values)).area
    assert found[("Z", OUTSIDE)]["overlap_m2"] == pytest.approx(expected, rel=1e-9)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(exposure_module)
    assert result.attempted > 0
    assert result.failed == 0
