"""Small map data made by functions: two wards, a site and a pipeline with zones, a school."""

from __future__ import annotations

import json
import re
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.zones import zones_for_site_bng
from webmap.map_data import MapData

HOSTILE = "<img src=x onerror=alert(1)>"
TEMPLATE_INJECTION = "{{ 7*7 }} {% if 1 %}x{% endif %}"
# Runcorn, in British National Grid metres.
SITE_BNG = Point(352_000, 382_000)
PIPE_BNG = LineString([(349_000, 380_000), (351_000, 381_500), (353_500, 381_800)])


def _bng_to_wgs84(geometries: list[Any]) -> list[Any]:
    return list(gpd.GeoSeries(geometries, crs=BNG).to_crs(WGS84))


def make_map_data(
    site_name: str = HOSTILE, pipeline_name: str = TEMPLATE_INJECTION, population: bool = False
) -> MapData:
    """Return MapData in EPSG:4326 with wards split down the middle of the site's zones."""
    west = box(345_000, 376_000, 352_000, 388_000)
    east = box(352_000, 376_000, 359_000, 388_000)
    wards = gpd.GeoDataFrame(
        {
            "code": ["E05000001", "E05000002"],
            "name": ["West <ward>", "East & ward"],
            "lad_name": ["Halton", "Halton"],
            "population": [6000, 4000] if population else [None, None],
        },
        geometry=_bng_to_wgs84([west, east]),
        crs=WGS84,
    )
    rows = []
    site_zones = zones_for_site_bng(SITE_BNG, inner_m=300, middle_m=800, outer_m=1500, piz_m=1000)
    pipe_zones = zones_for_site_bng(PIPE_BNG, inner_m=50, middle_m=150, outer_m=300)
    for ref, name, kind_of, zones in (
        ("SITE-1", site_name, "establishment", site_zones),
        ("PIPE-1", pipeline_name, "pipeline", pipe_zones),
    ):
        for kind, shape in zones.items():
            rows.append((ref, name, kind_of, kind, shape.area, shape))
    zones_frame = gpd.GeoDataFrame(
        {
            "hazard_ref": [r[0] for r in rows],
            "hazard_name": [r[1] for r in rows],
            "hazard_kind": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
            "area_m2": [r[4] for r in rows],
        },
        geometry=_bng_to_wgs84([r[5] for r in rows]),
        crs=WGS84,
    )
    establishments = gpd.GeoDataFrame(
        {
            "ref": ["SITE-1"],
            "name": [site_name],
            "tier": ["upper"],
            "operator": ["Operator & Co"],
            "status": ["operational"],
        },
        geometry=_bng_to_wgs84([SITE_BNG]),
        crs=WGS84,
    )
    pipelines = gpd.GeoDataFrame(
        {
            "ref": ["PIPE-1"],
            "name": [pipeline_name],
            "operator": ["Pipes Ltd"],
            "substance": ["Ethylene"],
            "status": ["operational"],
        },
        geometry=_bng_to_wgs84([PIPE_BNG]),
        crs=WGS84,
    )
    receptors = gpd.GeoDataFrame(
        {"ref": ["SCH-1"], "name": ["School </script>"], "kind": ["school"], "capacity": [420]},
        geometry=_bng_to_wgs84([Point(352_400, 382_300)]),
        crs=WGS84,
    )
    return MapData(wards, zones_frame, establishments, pipelines, receptors)


def focus_on_site(data: MapData) -> MapData:
    """Return `data` as a hazard map of SITE-1 sees it: only that site's zones."""
    zones = data.zones[data.zones["hazard_ref"] == "SITE-1"].reset_index(drop=True)
    bounds = tuple(shapely.union_all(list(zones.geometry)).bounds)
    return MapData(
        data.wards,
        zones,
        data.establishments,
        data.pipelines,
        data.receptors,
        focus={
            "ref": "SITE-1",
            "name": data.establishments["name"][0],
            "kind": "establishment",
            "bounds": bounds,
        },
    )


SOURCE_CALL = re.compile(r'ResilienceMap\.source\(\w+, "(\w+)",\s*"(\w+)"\);')
DATA_BLOCK = re.compile(r'<script type="application/json" id="(\w+)">(.*?)</script>', re.S)


def sources_in(html: str) -> dict[str, dict[str, Any]]:
    """Return the data sources a rendered map passes to map.js, parsed from its data blocks."""
    blocks = {ident: body for ident, body in DATA_BLOCK.findall(html)}
    return {key: json.loads(blocks[ident]) for key, ident in SOURCE_CALL.findall(html)}


def feature_count(source: dict[str, Any]) -> int:
    """Return how many features an encoded source holds."""
    if source["type"] == "Point":
        return len(source["xy"]) // 2
    return len(source["offsets"][-1]) - 1


@pytest.fixture
def map_data() -> MapData:
    return make_map_data()
