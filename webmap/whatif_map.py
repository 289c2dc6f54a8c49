"""The map of a what-if: threat zones, the wind sector and arrow over wards and sensitive places.

GeoDataFrames (EPSG:4326) in, a folium.Map out, like webmap.compose: drawn by static/map.js
from compact data, every asset this app's own (offline). Zones are red, orange and yellow as
ALOHA draws them; the sector is a dashed outline; the arrow points the way the wind blows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
from markupsafe import Markup, escape
from shapely.geometry import LineString, MultiLineString, Point

from resilience.domain.register.layers import RECEPTOR_KINDS
from resilience.spatial.crs import BNG, WGS84
from webmap.assets import MapAssets
from webmap.compose import DEFAULT_ATTRIBUTION
from webmap.elements import DataSource, FeatureLayer, MapControls, OfflineMap
from webmap.encoding import encode_layer
from webmap.simplify import detail_for, display_geometry

PANES = (
    ("rmBase", 250),
    ("rmWards", 410),
    ("rmSector", 415),
    ("rmZones", 420),
    ("rmReceptors", 440),
    ("rmSites", 450),
)
ZONE_STYLES: dict[str, dict[str, Any]] = {
    "yellow": {"color": "#7a6300", "fillColor": "#ffdd00", "fillOpacity": 0.45, "weight": 1.5},
    "orange": {"color": "#8f3a0b", "fillColor": "#f47738", "fillOpacity": 0.55, "weight": 1.5},
    "red": {"color": "#942514", "fillColor": "#d4351c", "fillOpacity": 0.65, "weight": 1.5},
}
SECTOR_STYLE = {"color": "#0b0c0c", "fill": False, "weight": 2, "dashArray": "8 6"}
ARROW_STYLE = {"color": "#1d70b8", "weight": 4}
RELEASE_STYLE = {
    "radius": 7,
    "color": "#0b0c0c",
    "weight": 2,
    "fillColor": "#ffffff",
    "fillOpacity": 1,
}
RECEPTOR_STYLE = {
    "radius": 5,
    "color": "#0b0c0c",
    "weight": 1.5,
    "fillColor": "#00703c",
    "fillOpacity": 1,
}
WARD_STYLE = {"color": "#505a5f", "weight": 1, "fillColor": "#f3f2f1", "fillOpacity": 1}
_RELEASE_SWATCH = (
    '<circle cx="11" cy="8" r="5.5" fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/>'
)
_PLACE_SWATCH = '<circle cx="11" cy="8" r="5" fill="#00703c" stroke="#0b0c0c" stroke-width="1.5"/>'
ZONE_NAMES = {"red": "Red zone", "orange": "Orange zone", "yellow": "Yellow zone"}


@dataclass
class WhatIfMapData:
    """What a what-if map draws, in EPSG:4326."""

    wards: gpd.GeoDataFrame  # code, name
    zones: gpd.GeoDataFrame  # key (red/orange/yellow), level, threshold (text); most severe first
    sector: gpd.GeoDataFrame  # one row, or none when no zone is reached
    receptors: gpd.GeoDataFrame  # ref, name, kind
    release: tuple[float, float]  # lon, lat
    wind_from_deg: float
    sector_half_angle_deg: float


def wind_arrow(
    release: tuple[float, float], wind_from_deg: float, length_m: float
) -> MultiLineString:
    """Return an arrow (EPSG:4326) from the release pointing downwind, `length_m` long."""
    centre = gpd.GeoSeries([Point(release)], crs=WGS84).to_crs(BNG).iloc[0]
    bearing = math.radians(wind_from_deg + 180.0)

    def at(distance: float, turn: float) -> tuple[float, float]:
        b = bearing + turn
        return (centre.x + distance * math.sin(b), centre.y + distance * math.cos(b))

    tip = at(length_m, 0.0)
    head = length_m * 0.3
    shaft = LineString([at(0.0, 0.0), tip])
    barbs = [
        LineString(
            [tip, (tip[0] - head * math.sin(bearing + s), tip[1] - head * math.cos(bearing + s))]
        )
        for s in (math.radians(25), -math.radians(25))
    ]
    arrow = gpd.GeoSeries([MultiLineString([shaft, *barbs])], crs=BNG).to_crs(WGS84).iloc[0]
    assert isinstance(arrow, MultiLineString)
    return arrow


def _swatch(shape: str) -> str:
    return (
        '<svg class="rm-legend__swatch" width="22" height="16" viewBox="0 0 22 16" '
        f'aria-hidden="true" focusable="false">{shape}</svg>'
    )


def _legend(data: WhatIfMapData) -> Markup:
    items = []
    for key, level, threshold in zip(
        data.zones["key"], data.zones["level"], data.zones["threshold"], strict=True
    ):
        style = ZONE_STYLES[key]
        swatch = _swatch(
            f'<rect x="1.5" y="1.5" width="19" height="13" fill="{style["fillColor"]}" '
            f'fill-opacity="{style["fillOpacity"]}" stroke="{style["color"]}" stroke-width="1.5"/>'
        )
        items.append((swatch, f"{ZONE_NAMES[key]}: {level} ({threshold})"))
    if len(data.sector):
        items.append(
            (
                _swatch(
                    '<rect x="1.5" y="1.5" width="19" height="13" fill="none" stroke="#0b0c0c" '
                    'stroke-width="2" stroke-dasharray="4 3"/>'
                ),
                f"Wind-direction sector (±{data.sector_half_angle_deg:g}°)",
            )
        )
    items.append(
        (
            _swatch('<line x1="1" y1="8" x2="21" y2="8" stroke="#1d70b8" stroke-width="4"/>'),
            "Wind: the way it blows",
        )
    )
    items.append(
        (
            _swatch(_RELEASE_SWATCH),
            "Release point",
        )
    )
    if len(data.receptors):
        items.append(
            (
                _swatch(_PLACE_SWATCH),
                "Sensitive place",
            )
        )
    rows = "".join(
        f'<li class="rm-legend__item">{swatch}<span>{escape(label)}</span></li>'
        for swatch, label in items
    )
    return Markup(
        '<details class="rm-legend" open><summary class="rm-legend__summary">Key</summary>'
        '<div class="rm-legend__body"><p class="rm-legend__title">What if it leaks?</p>'
        f'<ul class="rm-legend__list">{rows}</ul>'
        "<p class=\"rm-legend__note\">Screening estimate: the fire service's and UKHSA's advice "
        "comes first.</p></div></details>"
    )


def whatif_map(data: WhatIfMapData, assets: MapAssets, *, label: str = "") -> folium.Map:
    """Return the folium map of a what-if, framed on its sector (or the release point)."""
    detail = detail_for()
    frames = [f for f in (data.sector, data.zones) if len(f)]
    lon, lat = data.release
    if frames:
        min_x, min_y, max_x, max_y = frames[0].total_bounds
    else:
        min_x, min_y, max_x, max_y = lon - 0.02, lat - 0.015, lon + 0.02, lat + 0.015
    bounds = [[min(min_y, lat), min(min_x, lon)], [max(max_y, lat), max(max_x, lon)]]
    m = OfflineMap(
        assets=assets,
        label=label or "Map of the what-if's threat zones",
        setup={
            "panes": PANES,
            "background": "#dfe3e6",
            "prefix": "Leaflet",
            "attribution": str(escape(DEFAULT_ATTRIBUTION)),
            "bounds": bounds,
            "coarseMaxZoom": None,
            "zoomPosition": "bottomright",
        },
        location=((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2),
        zoom_start=12,
        max_zoom=18,
        min_zoom=4,
    )
    reach_m = (
        float(gpd.GeoSeries([frames[0].union_all()], crs=WGS84).to_crs(BNG).iloc[0].length / 8)
        if frames
        else 300.0
    )
    arrow = wind_arrow(data.release, data.wind_from_deg, max(min(reach_m, 1500.0), 150.0))
    # map.js reads a "ref" column of every source (for labels), so each one has it.
    sources: dict[str, dict[str, Any]] = {}
    if len(data.wards):
        sources["wards"] = encode_layer(
            display_geometry(data.wards, detail),
            detail.decimals,
            {"ref": list(data.wards["code"]), "name": list(data.wards["name"])},
        )
    if len(data.sector):
        sources["sector"] = encode_layer(
            display_geometry(data.sector, detail),
            detail.decimals,
            {
                "ref": ["sector"],
                "name": [f"Wind-direction sector (±{data.sector_half_angle_deg:g}°)"],
            },
        )
    for i, (key, level, threshold) in enumerate(
        zip(data.zones["key"], data.zones["level"], data.zones["threshold"], strict=True)
    ):
        sources[f"zone_{key}"] = encode_layer(
            display_geometry(data.zones.iloc[[i]], detail),
            detail.decimals,
            {"ref": [key], "name": [f"{ZONE_NAMES[key]}: {level}"], "threshold": [threshold]},
        )
    sources["wind"] = encode_layer(
        gpd.GeoSeries([arrow], crs=WGS84),
        detail.decimals,
        {"ref": ["wind"], "name": [f"Wind from {data.wind_from_deg:g}°"]},
    )
    sources["release"] = encode_layer(
        gpd.GeoSeries([Point(data.release)], crs=WGS84),
        detail.decimals,
        {"ref": ["release"], "name": ["Release point"]},
    )
    if len(data.receptors):
        sources["receptors"] = encode_layer(
            display_geometry(
                data.receptors.set_geometry(data.receptors.geometry.representative_point()), detail
            ),
            detail.decimals,
            {
                "ref": list(data.receptors["ref"]),
                "name": list(data.receptors["name"]),
                "kind": list(data.receptors["kind"]),
            },
        )
    for key, encoded in sources.items():
        m.add_child(DataSource(key, encoded))

    def layer(name: str, spec: dict[str, Any], overlay: bool = True) -> None:
        m.add_child(FeatureLayer(name, spec, overlay=overlay))

    if "wards" in sources:
        layer(
            "Wards",
            {
                "key": "wards",
                "category": "wards",
                "source": "wards",
                "style": {**WARD_STYLE, "pane": "rmWards"},
                "tooltip": {"prop": "name"},
            },
        )
    if "sector" in sources:
        layer(
            "Wind-direction sector",
            {
                "key": "sector",
                "category": "sector",
                "source": "sector",
                "style": {**SECTOR_STYLE, "pane": "rmSector"},
                "tooltip": {"prop": "name"},
            },
        )
    for key in ("yellow", "orange", "red"):  # the most severe on top
        if f"zone_{key}" not in sources:
            continue
        layer(
            ZONE_NAMES[key],
            {
                "key": f"zone_{key}",
                "category": "threat_zones",
                "source": f"zone_{key}",
                "style": {**ZONE_STYLES[key], "pane": "rmZones"},
                "tooltip": {"prop": "name"},
                "popup": {
                    "title": "name",
                    "subtitle": "Threat zone (screening estimate)",
                    "rows": [["Level", "threshold"]],
                },
            },
        )
    layer(
        "Wind arrow",
        {
            "key": "wind",
            "category": "wind",
            "source": "wind",
            "style": {**ARROW_STYLE, "pane": "rmSites"},
            "tooltip": {"prop": "name"},
        },
    )
    if "receptors" in sources:
        layer(
            "Sensitive places",
            {
                "key": "receptors",
                "category": "receptors",
                "source": "receptors",
                "style": {**RECEPTOR_STYLE, "pane": "rmReceptors"},
                "tooltip": {"prop": "name"},
                "popup": {
                    "title": "name",
                    "subtitle": "Sensitive place",
                    "rows": [["Kind", "kind", {"labels": RECEPTOR_KINDS}]],
                },
            },
        )
    layer(
        "Release point",
        {
            "key": "release",
            "category": "release",
            "source": "release",
            "style": {**RELEASE_STYLE, "pane": "rmSites"},
            "tooltip": {"prop": "name"},
        },
    )
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.add_child(
        MapControls(
            {
                "legend": str(_legend(data)),
                "scale": {"imperial": False, "maxWidth": 160},
                "search": None,
                "focus": None,
            }
        )
    )
    return m
