"""The compact encoding decodes to the display geometry; text in it cannot become markup."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from resilience.spatial.crs import WGS84
from webmap.encoding import encode_layer, to_script_json


def decode(source: dict[str, Any]) -> list[Any]:
    """Return one nested coordinate list per feature: the inverse of encode_layer (as map.js)."""
    xy = source["xy"]
    points, x, y = [], 0, 0
    for i in range(0, len(xy), 2):
        x += xy[i]
        y += xy[i + 1]
        points.append((x / source["scale"], y / source["scale"]))
    if source["type"] == "Point":
        return points
    offsets = source["offsets"]

    def nest(level: int, start: int, end: int) -> list[Any]:
        out = []
        for k in range(start, end):
            a, b = offsets[level][k], offsets[level][k + 1]
            out.append(points[a:b] if level == 0 else nest(level - 1, a, b))
        return out

    top = len(offsets) - 1
    return [
        points[offsets[top][g] : offsets[top][g + 1]]
        if top == 0
        else nest(top - 1, offsets[top][g], offsets[top][g + 1])
        for g in range(len(offsets[top]) - 1)
    ]


def test_polygons_round_trip() -> None:
    square = Polygon(
        [(-2.7, 53.3), (-2.69, 53.3), (-2.69, 53.31), (-2.7, 53.31)],
        [[(-2.698, 53.302), (-2.697, 53.302), (-2.697, 53.303)]],
    )
    two = MultiPolygon([square, shapely.affinity.translate(square, 0.05, 0)])
    source = encode_layer(gpd.GeoSeries([two, square], crs=WGS84), 5, {"name": ["a", "b"]})
    assert source["type"] == "MultiPolygon"
    decoded = decode(source)
    assert len(decoded) == 2
    first_shell = decoded[0][0][0]
    assert np.allclose(first_shell, square.exterior.coords)
    assert np.allclose(decoded[1][0][1], square.interiors[0].coords)
    assert source["props"] == {"name": ["a", "b"]}


def test_points_and_lines_round_trip() -> None:
    points = encode_layer(gpd.GeoSeries([Point(-2.7, 53.3), Point(-2.5, 53.4)]), 5, {})
    assert np.allclose(decode(points), [(-2.7, 53.3), (-2.5, 53.4)])
    line = LineString([(-2.7, 53.3), (-2.71, 53.305), (-2.72, 53.31)])
    lines = encode_layer(gpd.GeoSeries([line]), 5, {})
    assert np.allclose(decode(lines)[0], line.coords)


def test_coordinates_are_small_integers_after_the_first() -> None:
    line = LineString([(-2.70001, 53.30002), (-2.70011, 53.30012), (-2.70021, 53.30022)])
    source = encode_layer(gpd.GeoSeries([line]), 5, {})
    assert source["xy"] == [-270001, 5330002, -10, 10, -10, 10]


def test_missing_values_become_null() -> None:
    source = encode_layer(
        gpd.GeoSeries([Point(0, 0), Point(1, 1)]), 5, {"population": [float("nan"), 12]}
    )
    assert source["props"]["population"] == [None, 12]


def test_a_property_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="'name' has 1 values for 2 shapes"):
        encode_layer(gpd.GeoSeries([Point(0, 0), Point(1, 1)]), 5, {"name": ["a"]})


def test_a_mix_of_points_and_polygons_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_layer(gpd.GeoSeries([Point(0, 0), Point(1, 1).buffer(1)]), 5, {})


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "</script><script>alert(1)</script>",
        "{{ 7*7 }}",
        "{% if 1 %}x{% endif %}",
        "{# comment #}",
        "it's & \u2028 done",
    ],
)
def test_script_json_cannot_end_the_script_or_open_a_template_tag(text: str) -> None:
    encoded = to_script_json({"name": text})
    for forbidden in ("<", ">", "&", "'", "{{", "{%", "{#", "\u2028"):
        assert forbidden not in encoded
    assert json.loads(encoded) == {"name": text}
