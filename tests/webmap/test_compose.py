"""The overview and hazard maps: offline, escaped, with the expected features."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from webmap.assets import MapAssets, static_file
from webmap.compose import MapOptions, RecordLinks, hazard_map, overview_map
from webmap.document import map_parts, standalone_html
from webmap.map_data import MapData

from .conftest import (
    HOSTILE,
    TEMPLATE_INJECTION,
    feature_count,
    focus_on_site,
    make_map_data,
    sources_in,
)

URL = re.compile(r"(?:https?:)?//[^\s\"'<>)\\]+", re.I)
LINKED = MapAssets.linked(lambda path: f"/maps/static/{path}")


def render(data: MapData, **options: object) -> str:
    m = overview_map(data, MapOptions(assets=MapAssets.inlined(), **options))  # type: ignore[arg-type]
    return standalone_html(map_parts(m), "Overview map")


def test_standalone_map_references_no_other_origin(map_data: MapData) -> None:
    html = render(map_data)
    # Leaflet's own source mentions a few URLs (in comments, and a default attribution link
    # that map.js replaces); nothing else may.
    leaflet = "".join(
        static_file(f"leaflet/{name}").read_text(encoding="utf-8")
        for name in ("leaflet.js", "leaflet.css")
    )
    assert set(URL.findall(html)) <= set(URL.findall(leaflet))
    for own in ("map.js", "map.css"):
        assert URL.findall(static_file(own).read_text(encoding="utf-8")) == []
    parts = map_parts(overview_map(map_data, MapOptions(assets=MapAssets.inlined())))
    assert URL.findall(str(parts.body) + str(parts.script)) == []
    assert "cdn." not in html.lower()
    assert "<script src" not in html and "<link" not in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "user-scalable=no" not in html


def test_linked_map_uses_only_the_app_s_own_files(map_data: MapData) -> None:
    parts = map_parts(overview_map(map_data, MapOptions(assets=LINKED)))
    sources = re.findall(r'(?:src|href)="([^"]+)"', str(parts.head))
    assert sources == [
        "/maps/static/leaflet/leaflet.css",
        "/maps/static/map.css",
        "/maps/static/leaflet/leaflet.js",
        "/maps/static/map.js",
    ]
    assert URL.findall(str(parts.script)) == []
    assert "jquery" not in str(parts.head).lower()


def test_database_text_is_data_never_markup(map_data: MapData) -> None:
    html = render(map_data)
    assert HOSTILE not in html
    assert "<img" not in html
    assert "School </script>" not in html
    assert "49" not in re.findall(r"\d+", TEMPLATE_INJECTION)  # sanity of the test itself
    assert "{{ 7*7 }}" not in html  # folium would evaluate it to 49 when rendering twice
    names = {s: src["props"]["name"] for s, src in sources_in(html).items()}
    assert names["establishments"] == [HOSTILE]
    assert names["pipelines"] == [TEMPLATE_INJECTION]
    assert names["wards"] == ["West <ward>", "East & ward"]


def test_overview_draws_every_feature(map_data: MapData) -> None:
    sources = sources_in(render(map_data))
    counts = {key: feature_count(source) for key, source in sources.items()}
    assert counts == {
        "wards": 2,
        "zones_inner": 2,
        "zones_middle": 2,
        "zones_outer": 2,
        "zones_piz": 1,
        "establishments": 1,
        "pipelines": 1,
        "receptors": 1,
    }


def test_overview_has_layer_control_scale_key_and_search(map_data: MapData) -> None:
    html = render(map_data)
    assert "L.control.layers(" in html
    for label in ("Wards", "Inner zones", "Pipelines", "COMAH establishments", "Sensitive places"):
        assert f'"{label}"' in html
    assert '"scale":{"imperial":false' in html
    assert "rm-legend" in html
    assert '"search":{"label":"Find a site or pipeline"}' in html
    assert "Plain base (ward boundaries, offline)" in html


def test_wards_are_coloured_by_share_or_people() -> None:
    share = sources_in(render(make_map_data()))["wards"]["props"]
    assert share["cls"][0] >= 1 and share["cls"][1] >= 1  # the site's zones straddle both
    assert 0 < share["value"][0] < 1
    people = sources_in(render(make_map_data(population=True)))["wards"]["props"]
    assert people["value"][0] == pytest.approx(share["value"][0] * 6000, abs=1)


def test_population_measure_without_populations_is_no_data(map_data: MapData) -> None:
    props = sources_in(render(map_data, measure="population"))["wards"]["props"]
    assert props["cls"] == [-1, -1]
    title = "Ward population: none loaded (import ward populations to colour by them)"
    assert title in render(map_data, measure="population")


def test_tile_server_is_a_base_layer_only_when_configured(map_data: MapData) -> None:
    assert "L.tileLayer" not in render(map_data)
    html = render(map_data, tile_url="/tiles/{z}/{x}/{y}.png", tile_attribution="Our tiles")
    assert "L.tileLayer" in html
    assert "/tiles/{z}/{x}/{y}.png" in html


def test_popup_links_are_templates_for_the_app_s_pages(map_data: MapData) -> None:
    links = RecordLinks(record="/r/{layer}/{ref}", hazard_map="/m/{layer}/{ref}")
    m = overview_map(map_data, MapOptions(assets=LINKED, links=links))
    script = str(map_parts(m).script)
    assert '["Record page","/r/establishments/{ref}"]' in script
    assert '["Ward page","/r/wards/{ref}"]' in script
    assert '["Site or pipeline page","/r/{layer}/{ref}"]' in script


def test_high_contrast_map_is_marked_and_heavier(map_data: MapData) -> None:
    normal = render(map_data)
    high = render(map_data, high_contrast=True)
    marked = 'class="folium-map rm-map rm-map--high-contrast"'
    assert marked in high and marked not in normal
    assert sources_in(high) == sources_in(normal)


def test_hazard_map_draws_one_hazard_s_zones_and_labels_it(map_data: MapData) -> None:
    data = focus_on_site(map_data)
    html = standalone_html(map_parts(hazard_map(data, MapOptions(assets=LINKED))), "Map")
    sources = sources_in(html)
    assert {k for k in sources if k.startswith("zones_")} == {
        "zones_inner",
        "zones_middle",
        "zones_outer",
        "zones_piz",
    }
    assert all(feature_count(sources[k]) == 1 for k in sources if k.startswith("zones_"))
    assert '"labelRefs":["SITE-1"]' in html
    assert "Map of \\u003cimg" not in html and "Map of &lt;img src=x" in html


def test_hazard_map_is_framed_on_the_outer_zone(map_data: MapData) -> None:
    data = focus_on_site(map_data)
    html = str(map_parts(hazard_map(data, MapOptions(assets=LINKED))).script)
    bounds = re.search(r'"bounds":\[\[([-\d.]+),([-\d.]+)\],\[([-\d.]+),([-\d.]+)\]\]', html)
    assert bounds is not None
    south, west, north, east = (float(v) for v in bounds.groups())
    outer = data.zones[data.zones["kind"] == "outer"].total_bounds
    assert (west, south, east, north) == pytest.approx(tuple(outer))


def test_hazard_map_needs_a_focus(map_data: MapData) -> None:
    with pytest.raises(ValueError, match="focus"):
        hazard_map(map_data, MapOptions(assets=LINKED))


def test_large_maps_draw_on_canvas(map_data: MapData) -> None:
    small = str(map_parts(overview_map(map_data, MapOptions(assets=LINKED))).script)
    large = str(map_parts(overview_map(map_data, MapOptions(assets=LINKED, canvas_above=3))).script)
    assert '"preferCanvas": false' in small
    assert '"preferCanvas": true' in large


def test_empty_register_still_draws_a_map() -> None:
    empty = make_map_data()
    data = MapData(
        empty.wards.iloc[0:0],
        empty.zones.iloc[0:0],
        empty.establishments.iloc[0:0],
        empty.pipelines.iloc[0:0],
        empty.receptors.iloc[0:0],
    )
    html = render(data)
    assert "ResilienceMap.controls" in html


def test_a_map_of_a_large_area_carries_a_coarse_copy_for_zoomed_out_views() -> None:
    data = make_map_data()
    far = data.wards.copy()
    far.geometry = far.geometry.translate(4.0, 6.0)  # a ward 600 km away: a national extent
    far["code"] = ["E05000003", "E05000004"]
    wide = MapData(
        pd.concat([data.wards, far], ignore_index=True),
        data.zones,
        data.establishments,
        data.pipelines,
        data.receptors,
    )
    html = render(wide)
    sources = sources_in(html)
    assert "coarse" in sources["wards"] and "coarse" in sources["zones_outer"]
    assert "coarse" not in sources["establishments"]
    assert feature_count(sources["wards"]["coarse"]) == feature_count(sources["wards"]) == 4
    assert sources["wards"]["coarse"]["scale"] < sources["wards"]["scale"]  # fewer decimals
    assert '"coarseMaxZoom":' in html and "half a screen pixel" in html
    assert "coarse" not in sources_in(render(data))["wards"]
