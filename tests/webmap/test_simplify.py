"""Display geometry stays within the stated distance of the stored geometry."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.zones import zones_for_site_bng
from webmap.simplify import (
    detail_for,
    display_geometry,
    metres_per_pixel,
    overview_detail,
    rounding_error_m,
)


def wiggly_ward(seed: int) -> Polygon:
    """Return a ward-like polygon with thousands of vertices (a detailed boundary), in BNG."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 1500, endpoint=False)
    radius = 2500 + np.cumsum(rng.normal(0, 5, angles.size))
    radius -= np.linspace(0, radius[-1] - radius[0], angles.size)  # close smoothly
    xs = 352_000 + radius * np.cos(angles)
    ys = 382_000 + radius * np.sin(angles)
    return Polygon(np.column_stack([xs, ys]))


def shapes_bng() -> list[shapely.Geometry]:
    zones = zones_for_site_bng(Point(352_000, 382_000), inner_m=250, middle_m=900, outer_m=3000)
    pipeline = LineString([(349_000, 380_000), (351_000, 381_500), (353_500, 381_800)])
    return [wiggly_ward(1), wiggly_ward(2), *zones.values(), pipeline, Point(352_100, 382_050)]


def test_detail_splits_the_budget_between_rounding_and_simplification() -> None:
    detail = detail_for(5.0)
    assert detail.decimals == 5
    assert detail.rounding_m == pytest.approx(rounding_error_m(5))
    assert detail.rounding_m <= 5.0 / 4
    assert detail.tolerance_m + detail.rounding_m == pytest.approx(5.0)
    assert detail_for(1.0).decimals == 6
    assert "5 m" in detail.statement


def test_detail_rejects_a_non_positive_error() -> None:
    with pytest.raises(ValueError, match="positive"):
        detail_for(0)


def ground_metres(shape: shapely.Geometry, latitude: float) -> shapely.Geometry:
    """Return a lon/lat shape in local metres (equirectangular about `latitude`): exact enough
    over a few kilometres, and free of any datum transformation."""
    scale = np.array([111_320.0 * np.cos(np.radians(latitude)), 111_320.0])
    return shapely.transform(shape, lambda xy: xy * scale)


def assert_within(
    stored: list[shapely.Geometry], shown: list[shapely.Geometry], bound: float
) -> None:
    for before, after in zip(stored, shown, strict=True):
        latitude = before.centroid.y
        distance = shapely.hausdorff_distance(
            ground_metres(before, latitude), ground_metres(after, latitude), densify=0.2
        )
        assert distance <= bound, (before.geom_type, distance)


@pytest.mark.parametrize("max_error_m", [5.0, 1.0, 25.0])
def test_display_geometry_is_within_the_stated_error(max_error_m: float) -> None:
    detail = detail_for(max_error_m)
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(shapes_bng(), crs=BNG).to_crs(WGS84))
    shown = display_geometry(frame, detail)
    assert shown.crs == WGS84
    assert_within(list(frame.geometry), list(shown), max_error_m)


def test_error_bound_holds_far_north_and_offshore() -> None:
    """Where PROJ's BNG round trip is not exact (here: north-east of Shetland)."""
    north = [shapely.affinity.translate(g, 286_000, 840_000) for g in shapes_bng()]
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(north, crs=BNG).to_crs(WGS84))
    assert frame.total_bounds[3] > 60
    assert_within(list(frame.geometry), list(display_geometry(frame, detail_for(5.0))), 5.0)


def test_display_geometry_is_lighter_and_rounded() -> None:
    detail = detail_for(5.0)
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(shapes_bng(), crs=BNG).to_crs(WGS84))
    shown = display_geometry(frame, detail)
    before = shapely.get_num_coordinates(np.asarray(frame.geometry.values)).sum()
    after = shapely.get_num_coordinates(np.asarray(shown.values)).sum()
    assert after < before / 2
    coords = shapely.get_coordinates(np.asarray(shown.values))
    assert np.allclose(coords, np.round(coords, 5), atol=1e-12)


def test_polygons_are_oriented_for_a_non_zero_fill() -> None:
    ring = Polygon(
        [(0, 0), (0, 1000), (1000, 1000), (1000, 0)], [[(100, 100), (200, 100), (200, 200)]]
    )
    frame = gpd.GeoDataFrame(geometry=[shapely.affinity.translate(ring, 350_000, 380_000)], crs=BNG)
    shown = display_geometry(frame, detail_for(5.0)).iloc[0].geoms[0]
    assert shown.exterior.is_ccw
    assert not shown.interiors[0].is_ccw


def test_display_geometry_needs_a_crs() -> None:
    with pytest.raises(ValueError, match="CRS"):
        display_geometry(gpd.GeoDataFrame(geometry=[Point(0, 0)]), detail_for(5.0))


def test_metres_per_pixel_halves_with_each_zoom() -> None:
    assert metres_per_pixel(12, 53.3) == pytest.approx(22.83, rel=1e-3)
    assert metres_per_pixel(13, 53.3) == pytest.approx(metres_per_pixel(12, 53.3) / 2)


def test_zoomed_out_maps_get_a_coarser_copy_within_half_a_pixel() -> None:
    fine = detail_for(5.0)
    assert overview_detail((-2.83, 53.28, -2.58, 53.40), fine) is None  # Halton: not worth it
    coarse = overview_detail((-7.6, 49.8, 2.8, 60.9), fine)  # Great Britain
    assert coarse is not None
    assert coarse.max_zoom == 7
    pixel = metres_per_pixel(coarse.max_zoom, 60.9)
    assert coarse.detail.max_error_m == pytest.approx(pixel / 2)
    assert "level 7" in coarse.statement(fine) and "5 m" in coarse.statement(fine)
