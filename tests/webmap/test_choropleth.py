"""Ward colours: the share inside any zone counts overlapping zones once; classes and labels."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from resilience.spatial.crs import BNG, WGS84
from webmap.choropleth import (
    classify,
    count_labels,
    exposure_choropleth,
    nice_breaks,
    population_choropleth,
    share_in_zones,
    share_labels,
)


def test_overlapping_zones_are_counted_once() -> None:
    wards = gpd.GeoSeries([box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=BNG)
    zones = gpd.GeoSeries([box(0, 0, 50, 100), box(25, 0, 75, 100)], crs=BNG)
    shares = share_in_zones(wards, zones)
    assert shares[0] == pytest.approx(0.75)
    assert shares[1] == 0


def test_share_is_capped_at_the_whole_ward() -> None:
    wards = gpd.GeoSeries([box(0, 0, 10, 10)], crs=BNG)
    zones = gpd.GeoSeries([Point(5, 5).buffer(100)], crs=BNG)
    assert share_in_zones(wards, zones)[0] == pytest.approx(1.0)


def test_shares_need_metres() -> None:
    with pytest.raises(ValueError, match="EPSG:27700"):
        share_in_zones(gpd.GeoSeries([box(0, 0, 1, 1)], crs=WGS84), gpd.GeoSeries([], crs=BNG))


def test_no_zones_means_no_share() -> None:
    wards = gpd.GeoSeries([box(0, 0, 10, 10)], crs=BNG)
    assert list(share_in_zones(wards, gpd.GeoSeries([], crs=BNG))) == [0]


def test_exposure_uses_people_when_populations_are_known() -> None:
    choropleth = exposure_choropleth([0.5, 0.0, 0.25], [1000, 2000, None])
    assert choropleth.kind == "count"
    assert choropleth.values == [500.0, 0.0, None]
    assert choropleth.classes[1] == 0 and choropleth.classes[2] == -1
    shares = exposure_choropleth([0.5, 0.0], [None, None])
    assert shares.kind == "share"
    assert shares.classes == [3, 0]


def test_population_choropleth() -> None:
    choropleth = population_choropleth([100.0, 5000.0, None, 12000.0, 800.0])
    assert choropleth.classes[2] == -1
    assert len(choropleth.labels) == max(choropleth.classes) + 1


def test_classify_and_labels() -> None:
    assert classify([None, 0, 0.05, 0.1, 0.2, 0.9], (0.1, 0.25, 0.5)) == [-1, 0, 1, 1, 2, 4]
    assert share_labels((0.1, 0.25, 0.5)) == (
        "None of the ward",
        "Up to 10%",
        "10% to 25%",
        "25% to 50%",
        "Over 50%",
    )
    assert count_labels((100.0, 2000.0), "0") == ("0", "Up to 100", "100 to 2,000", "Over 2,000")
    assert count_labels((), "0") == ("0",)


def test_nice_breaks_are_rounded_and_increasing() -> None:
    breaks = nice_breaks([12, 130, 1234, 5678, 9999, 15000])
    assert list(breaks) == sorted(set(breaks))
    assert all(b == float(f"{b:.2g}") for b in breaks)
    assert nice_breaks([0, 0]) == ()
