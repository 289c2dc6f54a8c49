"""Maps of the register: pure functions from GeoDataFrames (a MapData) to a folium.Map.

``overview_map`` draws the whole area: wards as a choropleth over a plain offline base, every
establishment (by tier) and pipeline, their zones as colour bands, sensitive places, a layer
control, a scale bar, a key and a site search. ``hazard_map`` draws one establishment or
pipeline framed on its outer zone. Neither reads the database or knows about Flask: links to
record pages come in as URL templates (``RecordLinks``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from markupsafe import escape

from resilience.domain.register.layers import RECEPTOR_KINDS, STATUSES
from resilience.spatial.crs import BNG, WGS84
from webmap.assets import MapAssets
from webmap.choropleth import (
    Choropleth,
    Measure,
    exposure_choropleth,
    population_choropleth,
    share_in_zones,
)
from webmap.elements import DataSource, FeatureLayer, MapControls, OfflineMap
from webmap.encoding import encode_layer
from webmap.legend import legend_html
from webmap.map_data import MapData
from webmap.simplify import (
    DisplayDetail,
    Overview,
    detail_for,
    display_geometry,
    overview_detail,
)
from webmap.styles import TIER_LABELS, ZONE_KINDS, ZONE_LABELS, ZONE_SINGULAR, map_style

DEFAULT_ATTRIBUTION = "Wards: ONS, OGL v3.0; contains OS data © Crown copyright 2025"
# Drawing order and stacking: a pane per kind of thing, so that switching a layer off and on
# again never buries it under another.
PANES = (
    ("rmBase", 250),
    ("rmWards", 410),
    ("rmZones", 420),
    ("rmWardLines", 425),
    ("rmPipelines", 430),
    ("rmReceptors", 440),
    ("rmSites", 450),
)
HAZARD_LAYERS = {
    "establishment": "establishments",
    "pipeline": "pipelines",
    "radiation_premises": "radiation-premises",
}
# Below this zoom a map that fetches its wards draws no ward outlines over the zones.
WARD_LINES_MIN_ZOOM = 9
GB_CENTRE = (54.5, -3.0)


@dataclass(frozen=True)
class RecordLinks:
    """URL templates for popups: ``{layer}`` and ``{ref}`` are filled in for each feature."""

    record: str = "/{layer}/{ref}"
    hazard_map: str = "/maps/{layer}/{ref}"


@dataclass(frozen=True)
class MapOptions:
    """How to draw a map: where its assets come from, its look, and its base layer."""

    assets: MapAssets
    links: RecordLinks = field(default_factory=RecordLinks)
    high_contrast: bool = False
    measure: Measure = "exposure"
    tile_url: str = ""  # an administrator's tile server; empty: the offline ward base only
    tile_attribution: str = ""
    attribution: str = DEFAULT_ATTRIBUTION
    detail: DisplayDetail = field(default_factory=detail_for)
    canvas_above: int = 3000  # features; larger maps draw on a canvas rather than in SVG
    max_zoom: int = 18
    # The what-if page's address: a click on the overview offers "What if it leaks here?".
    whatif_url: str = ""
    # Where the map fetches the wards and zones in view, "{layer}" standing for the source's
    # key (see bbox_layers.py); empty: they are in the page.
    layers_url: str = ""


def overview_map(data: MapData, options: MapOptions) -> folium.Map:
    """Return the map of the whole area, framed on all wards (or all hazards when none)."""
    choropleth = ward_choropleth(data, options.measure, scope="any hazard zone")
    frames = [data.wards, data.zones, data.establishments, data.pipelines, data.radiation]
    bounds = _bounds([f for f in frames if len(f)])
    return _compose(data, options, choropleth, bounds, label="Overview map of the register")


def hazard_map(data: MapData, options: MapOptions) -> folium.Map:
    """Return the map of `data.focus`'s hazard, framed on its outer zone (or its zones)."""
    focus = data.focus
    if not focus:
        raise ValueError("hazard_map needs MapData.focus (see sources.load_hazard)")
    noun = {"establishment": "site", "radiation_premises": "premises"}.get(
        focus["kind"], "pipeline"
    )
    choropleth = ward_choropleth(data, options.measure, scope=f"this {noun}'s zones")
    outer = data.zones[data.zones["kind"] == "outer"]
    if len(outer):
        min_x, min_y, max_x, max_y = outer.total_bounds
        bounds = ((min_y, min_x), (max_y, max_x))
    else:
        min_x, min_y, max_x, max_y = focus["bounds"]
        bounds = ((min_y, min_x), (max_y, max_x))
    label = f"Map of {focus['name']} and its zones"
    return _compose(data, options, choropleth, bounds, label=label, focus_ref=focus["ref"])


def ward_choropleth(data: MapData, measure: Measure, scope: str) -> Choropleth:
    """Return how `data`'s wards are coloured by `measure` (shares from the full geometry)."""
    populations = list(data.wards["population"])
    if measure == "population":
        return population_choropleth(populations)
    shares = share_in_zones(data.wards.geometry.to_crs(BNG), data.zones.geometry.to_crs(BNG))
    choropleth = exposure_choropleth(list(shares), populations)
    return Choropleth(
        title=choropleth.title.replace("any hazard zone", scope),
        values=choropleth.values,
        classes=choropleth.classes,
        labels=choropleth.labels,
        value_label=choropleth.value_label.replace("any zone", scope),
        kind=choropleth.kind,
    )


def _bounds(frames: list[gpd.GeoDataFrame]) -> tuple[tuple[float, float], tuple[float, float]]:
    if not frames:
        lat, lon = GB_CENTRE
        return ((lat - 4, lon - 4), (lat + 4, lon + 4))
    boxes = np.array([f.total_bounds for f in frames])
    return ((boxes[:, 1].min(), boxes[:, 0].min()), (boxes[:, 3].max(), boxes[:, 2].max()))


def _points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `frame` with each shape replaced by a point inside it (sites drawn as symbols)."""
    out = frame.copy()
    out.geometry = frame.geometry.representative_point()
    return out


def _compose(
    data: MapData,
    options: MapOptions,
    choropleth: Choropleth,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    *,
    label: str,
    focus_ref: str | None = None,
) -> folium.Map:
    style = map_style(options.high_contrast)
    detail = options.detail
    (south, west), (north, east) = bounds
    coarse = overview_detail((west, south, east, north), detail)
    statement = coarse.statement(detail) if coarse else detail.statement
    if options.layers_url:  # fetched for each zoom (bbox_layers.display_error_m)
        statement = (
            f"Shapes are drawn within {detail.max_error_m:g} m of the stored boundaries, or "
            "within half a screen pixel where that is more (zoomed out); every figure uses "
            "the full geometry."
        )
    m = OfflineMap(
        assets=options.assets,
        label=label,
        high_contrast=options.high_contrast,
        setup={
            "panes": PANES,
            "background": style.background,
            "prefix": "Leaflet",
            "attribution": _escape_attribution(options),
            "bounds": [list(bounds[0]), list(bounds[1])],
            "coarseMaxZoom": coarse.max_zoom if coarse else None,
            "zoomPosition": "bottomright",
        },
        location=((south + north) / 2, (west + east) / 2),
        zoom_start=10,
        max_zoom=options.max_zoom,
        min_zoom=4,
        prefer_canvas=data.feature_count > options.canvas_above,
    )
    sources = _sources(data, choropleth, detail, coarse, options.layers_url)
    for key, encoded in sources.items():
        m.add_child(DataSource(key, encoded))

    links = options.links
    if options.tile_url:
        folium.TileLayer(
            tiles=options.tile_url,
            attr=options.tile_attribution or "Tile server",
            name="Street map (tile server)",
            overlay=False,
            max_zoom=options.max_zoom,
        ).add_to(m)
    m.add_child(
        FeatureLayer(
            "Plain base (ward boundaries, offline)",
            {
                "key": "base",
                "category": "base",
                "source": "wards",
                "role": "base",
                "style": {**style.base, "pane": "rmBase"},
            },
            overlay=False,
            show=not options.tile_url,
        )
    )
    value_format = "pct" if choropleth.kind == "share" else "int"
    m.add_child(
        FeatureLayer(
            "Wards",
            {
                "key": "wards",
                "category": "wards",
                "source": "wards",
                # Opaque over the offline base (whose colours the key shows); see-through over
                # a tile server's streets.
                "style": {
                    **style.wards,
                    "pane": "rmWards",
                    "fillOpacity": 0.5 if options.tile_url else 1.0,
                },
                "covers": not options.tile_url,
                "fillBy": {"prop": "cls", "colours": list(style.choropleth), "none": "#ffffff"},
                "tooltip": {"prop": "name"},
                "popup": {
                    "title": "name",
                    "subtitle": "Electoral ward",
                    "rows": [
                        ["Code", "ref"],
                        ["Local authority", "lad"],
                        ["Population", "population", "int"],
                        [choropleth.value_label, "value", value_format],
                    ],
                    "links": [["Ward page", links.record.replace("{layer}", "wards")]],
                },
            },
        )
    )
    for kind in ZONE_KINDS:
        if f"zones_{kind}" not in sources:
            continue
        m.add_child(
            FeatureLayer(
                ZONE_LABELS[kind],
                {
                    "key": f"zones_{kind}",
                    "category": "zones",
                    "source": f"zones_{kind}",
                    "style": {**style.zones[kind], "pane": "rmZones"},
                    "tooltip": {"prop": "name", "suffix": f": {ZONE_SINGULAR[kind].lower()}"},
                    "popup": {
                        "title": "name",
                        "subtitle": ZONE_SINGULAR[kind],
                        "rows": [["Area", "area_ha", "ha"]],
                        "links": [
                            ["Site or pipeline page", links.record],
                            ["Map of this site or pipeline", links.hazard_map],
                        ],
                    },
                },
            )
        )
    if any(f"zones_{kind}" in sources for kind in ZONE_KINDS):
        m.add_child(
            FeatureLayer(
                "Ward boundaries over zones",
                {
                    "key": "ward_lines",
                    "category": "ward_lines",
                    "source": "wards",
                    "style": {**style.ward_lines, "pane": "rmWardLines"},
                    # Fetched wards: zoomed out, where a zone is a few pixels across, its
                    # wards' outlines over it would be as many again to draw for nothing.
                    **({"minZoom": WARD_LINES_MIN_ZOOM} if options.layers_url else {}),
                },
                control=False,
            )
        )
    statuses = dict(STATUSES)

    def hazard_links(layer: str) -> list[list[str]]:
        return [
            ["Record page", links.record.replace("{layer}", layer)],
            ["Map of this one", links.hazard_map.replace("{layer}", layer)],
        ]

    if len(data.pipelines):
        m.add_child(
            FeatureLayer(
                "Pipelines",
                {
                    "key": "pipelines",
                    "category": "pipelines",
                    "source": "pipelines",
                    "style": {**style.pipeline, "pane": "rmPipelines"},
                    "tooltip": {"prop": "name"},
                    "popup": {
                        "title": "name",
                        "subtitle": "Major accident hazard pipeline",
                        "rows": [
                            ["Identifier", "ref"],
                            ["Operator", "operator"],
                            ["Substance", "substance"],
                            ["Status", "status", {"labels": statuses}],
                        ],
                        "links": hazard_links("pipelines"),
                    },
                    "search": True,
                    "labelRefs": [focus_ref] if focus_ref else [],
                },
            )
        )
    if len(data.receptors):
        m.add_child(
            FeatureLayer(
                "Sensitive places",
                {
                    "key": "receptors",
                    "category": "receptors",
                    "source": "receptors",
                    "style": {**style.receptor, "pane": "rmReceptors"},
                    "tooltip": {"prop": "name"},
                    "popup": {
                        "title": "name",
                        "subtitle": "Sensitive place",
                        "rows": [
                            ["Kind", "kind", {"labels": RECEPTOR_KINDS}],
                            ["Capacity", "capacity", "int"],
                        ],
                        "links": [["Place page", links.record.replace("{layer}", "receptors")]],
                    },
                },
            )
        )
    if len(data.establishments):
        m.add_child(
            FeatureLayer(
                "COMAH establishments",
                {
                    "key": "establishments",
                    "category": "sites",
                    "source": "establishments",
                    "style": {"pane": "rmSites"},
                    "styleBy": {"prop": "tier", "values": style.sites, "default": ""},
                    "tooltip": {"prop": "name"},
                    "popup": {
                        "title": "name",
                        "subtitleBy": {"prop": "tier", "labels": TIER_LABELS},
                        "rows": [
                            ["Identifier", "ref"],
                            ["Operator", "operator"],
                            ["Status", "status", {"labels": statuses}],
                        ],
                        "links": hazard_links("establishments"),
                    },
                    "search": True,
                    "labelRefs": [focus_ref] if focus_ref else [],
                },
            )
        )

    if len(data.radiation):
        m.add_child(
            FeatureLayer(
                "Radiation premises",
                {
                    "key": "radiation",
                    "category": "sites",
                    "source": "radiation",
                    "style": {**style.radiation, "pane": "rmSites"},
                    "tooltip": {"prop": "name"},
                    "popup": {
                        "title": "name",
                        "subtitle": "Radiation premises (REPPIR 2019)",
                        "rows": [
                            ["Identifier", "ref"],
                            ["Operator", "operator"],
                            ["Status", "status", {"labels": statuses}],
                        ],
                        "links": hazard_links("radiation-premises"),
                    },
                    "search": True,
                    "labelRefs": [focus_ref] if focus_ref else [],
                },
            )
        )

    # Open on the overview; folded into its button on a hazard's smaller map beside its table.
    folium.LayerControl(position="topright", collapsed=focus_ref is not None).add_to(m)
    m.add_child(
        MapControls(
            {
                "legend": str(
                    legend_html(
                        style=style,
                        choropleth=choropleth if len(data.wards) else None,
                        zone_kinds=set(data.zones["kind"]),
                        tiers={_text(t) for t in data.establishments["tier"]},
                        pipelines=bool(len(data.pipelines)),
                        radiation=style.radiation if len(data.radiation) else None,
                        receptors=bool(len(data.receptors)),
                        statement=statement,
                        # Folded on a hazard's page, where the map shares the width with its
                        # table; open in downloads and whenever printed (map.js).
                        open_by_default=focus_ref is None or options.assets.inline,
                    )
                ),
                "scale": {"imperial": False, "maxWidth": 240 if options.high_contrast else 160},
                "search": {"label": "Find a site or pipeline"},
                "focus": focus_ref,
                # Only on the overview, and only for readers who may run one (set by the view).
                "whatif": options.whatif_url if focus_ref is None else "",
            }
        )
    )
    return m


def _text(value: object) -> str:
    """Return a text column's value, with None, NaN and NA as an empty string."""
    return "" if value is None or pd.isna(value) else str(value)


def _escape_attribution(options: MapOptions) -> str:
    # Leaflet writes attributions as HTML.
    return str(escape(options.attribution))


def _sources(
    data: MapData,
    choropleth: Choropleth,
    detail: DisplayDetail,
    coarse: Overview | None,
    layers_url: str = "",
) -> dict[str, dict[str, Any]]:
    """Return every data source of the map, encoded (empty layers are left out).

    With `coarse`, each source of lines or polygons also carries a coarser copy of its shapes
    (same features, same order) for zoomed-out views. With `layers_url`, the wards and zones
    sources are only their address: the map fetches what is in view from it as it moves.
    """
    out = _encoded_sources(data, choropleth, detail, with_areas=not layers_url)
    fetched = ["wards"] + [f"zones_{k}" for k in ZONE_KINDS if (data.zones["kind"] == k).any()]
    if layers_url:
        empty = encode_layer(gpd.GeoSeries([], crs=WGS84), 0, {})
        for key in fetched:
            out[key] = {**empty, "remote": layers_url.replace("{layer}", key)}
    if coarse is not None:
        # Fetched shapes come simplified for the zoom already.
        frames = {"pipelines": data.pipelines}
        if not layers_url:
            frames["wards"] = data.wards
            frames.update({f"zones_{k}": data.zones[data.zones["kind"] == k] for k in ZONE_KINDS})
        for key, frame in frames.items():
            if key in out:
                shapes = encode_layer(
                    display_geometry(frame, coarse.detail), coarse.detail.decimals, {}
                )
                out[key]["coarse"] = {k: v for k, v in shapes.items() if k != "props"}
    return out


def ward_values(choropleth: Choropleth) -> list[float | None]:
    """Return the choropleth's values as the popups show them (rounded for the page)."""
    digits = 4 if choropleth.kind == "share" else 0
    return [None if v is None else round(v, digits) for v in choropleth.values]


def _encoded_sources(
    data: MapData, choropleth: Choropleth, detail: DisplayDetail, with_areas: bool = True
) -> dict[str, dict[str, Any]]:
    """Return the sources drawn in the page; without `with_areas`, no wards or zones."""
    out: dict[str, dict[str, Any]] = {}
    wards = data.wards
    if with_areas:
        out["wards"] = encode_layer(
            display_geometry(wards, detail),
            detail.decimals,
            {
                "ref": list(wards["code"]),
                "name": list(wards["name"]),
                "lad": list(wards["lad_name"]),
                "population": list(wards["population"]),
                "value": ward_values(choropleth),
                "cls": choropleth.classes,
            },
        )
    for kind in ZONE_KINDS:
        zones = data.zones[data.zones["kind"] == kind]
        if not len(zones) or not with_areas:
            continue
        out[f"zones_{kind}"] = encode_layer(
            display_geometry(zones, detail),
            detail.decimals,
            {
                "ref": list(zones["hazard_ref"]),
                "name": list(zones["hazard_name"]),
                "layer": [HAZARD_LAYERS.get(k, k) for k in zones["hazard_kind"]],
                "area_ha": [round(a / 10_000, 1) for a in zones["area_m2"]],
            },
        )
    if len(data.establishments):
        sites = data.establishments
        out["establishments"] = encode_layer(
            display_geometry(_points(sites), detail),
            detail.decimals,
            {
                "ref": list(sites["ref"]),
                "name": list(sites["name"]),
                "tier": [_text(t) for t in sites["tier"]],
                "operator": list(sites["operator"]),
                "status": list(sites["status"]),
            },
        )
    if len(data.radiation):
        premises = data.radiation
        out["radiation"] = encode_layer(
            display_geometry(_points(premises), detail),
            detail.decimals,
            {
                "ref": list(premises["ref"]),
                "name": list(premises["name"]),
                "operator": list(premises["operator"]),
                "status": list(premises["status"]),
            },
        )
    if len(data.pipelines):
        lines = data.pipelines
        out["pipelines"] = encode_layer(
            display_geometry(lines, detail),
            detail.decimals,
            {
                "ref": list(lines["ref"]),
                "name": list(lines["name"]),
                "operator": list(lines["operator"]),
                "substance": list(lines["substance"]),
                "status": list(lines["status"]),
            },
        )
    if len(data.receptors):
        places = data.receptors
        out["receptors"] = encode_layer(
            display_geometry(_points(places), detail),
            detail.decimals,
            {
                "ref": list(places["ref"]),
                "name": list(places["name"]),
                "kind": list(places["kind"]),
                "capacity": list(places["capacity"]),
            },
        )
    return out
