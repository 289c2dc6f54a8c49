"""Static maps as PNG images for printed documents: the overview and one site's zones.

Drawn offline with matplotlib's Agg canvas (no pyplot, no tiles): ward boundaries as the base,
zones and hazards over them. Geometries are stored in WGS84 and drawn in British National Grid,
so that a kilometre is as long across the page as up it.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import pathlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.domain.register.layers import RECEPTOR_KINDS
from resilience.domain.register.listings import ZONE_LABELS, ZONE_ORDER
from resilience.spatial.corridors import corridor_bng
from resilience.spatial.crs import BNG, WGS84
from resilience.storage.map_version import map_data_version
from resilience.storage.models import Hazard, Receptor, Ward, Zone
from webmap.cache import MapCache

ZONE_COLOURS = {
    "inner": "#d4351c",
    "middle": "#f47738",
    "outer": "#ffdd00",
    "piz": "#1d70b8",
    "depz": "#912b88",  # a radiation premises' zones (REPPIR 2019), as on the web map
    "opz": "#912b88",
}
ZONE_EDGES = {"inner": "#942514", "middle": "#8f3a0b", "outer": "#7a6300"}  # as on the web map
WARD_EDGE = "#6f777b"
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]  # labels legible over fills
ESTABLISHMENT_COLOUR = "#0b0c0c"
PIPELINE_COLOUR = "#4c2c92"
RADIATION_COLOUR = "#912b88"
RECEPTOR_COLOUR = "#00703c"
# Land-use planning bands are filled; other zones (the PIZ) overlap them and are outlined.
FILLED_ZONES = frozenset({"inner", "middle", "outer"})
DPI = 150
SITE_MARGIN = 0.06  # of the zones' extent, around a site's map
# The shared map cache's folder for this thread's images (None: draw every time).
_cache_folder: ContextVar[pathlib.Path | None] = ContextVar("map_image_cache", default=None)


@contextmanager
def images_cached_in(folder: pathlib.Path | None) -> Iterator[None]:
    """Keep the images drawn inside the block in the shared map cache at `folder`."""
    token = _cache_folder.set(folder)
    try:
        yield
    finally:
        _cache_folder.reset(token)


def _cached(key: tuple[object, ...], draw: Callable[[], bytes]) -> bytes:
    folder = _cache_folder.get()
    return draw() if folder is None else MapCache(folder).get_or_build(key, draw)


def all_to_bng(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    """Return WGS84 geometries in British National Grid metres (one reprojection for all)."""
    if not geometries:
        return []
    return list(gpd.GeoSeries(list(geometries), crs=WGS84).to_crs(BNG))


def to_bng(geometry: BaseGeometry) -> BaseGeometry:
    """Return a WGS84 geometry in British National Grid metres."""
    return all_to_bng([geometry])[0]


def plot_bng(
    shapes: Sequence[BaseGeometry], axes: Axes, boundaries: bool = False, **style: Any
) -> None:
    """Draw geometries (already in British National Grid), or only their `boundaries`, onto
    `axes` with geopandas, in one collection."""
    if shapes:
        series = gpd.GeoSeries(list(shapes), crs=BNG)
        (series.boundary if boundaries else series).plot(ax=axes, **style)


def _canvas(width_in: float, height_in: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_axis_off()
    axes.set_aspect("equal")
    return figure, axes


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _frame(axes: Axes, bounds: tuple[float, float, float, float], margin: float) -> None:
    x0, y0, x1, y1 = bounds
    pad = max(x1 - x0, y1 - y0) * margin + 50
    axes.set_xlim(x0 - pad, x1 + pad)
    axes.set_ylim(y0 - pad, y1 + pad)


def _scale_bar(axes: Axes, span_m: float) -> None:
    """Add a scale bar (British National Grid is in metres) of a round length, about a fifth of
    the map's width, in its lower right corner."""
    target = max(span_m, 1.0) / 5
    length = max(
        (n * 10**e for e in range(1, 7) for n in (1, 2, 5) if n * 10**e <= target), default=10
    )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        axes.transData,
        length,
        label,
        "lower right",
        pad=0.4,
        borderpad=0.6,
        sep=3,
        frameon=True,
        size_vertical=max(span_m, 1.0) / 250,
        fontproperties={"size": 7},
    )
    bar.patch.set_alpha(0.9)
    bar.set_zorder(8)
    axes.add_artist(bar)


def _draw_wards(
    axes: Axes, wards: Sequence[BaseGeometry], width: float = 0.5, over_bands: bool = False
) -> None:
    """Draw ward boundaries: under everything, or (``over_bands``) over the opaque zone bands,
    so that which wards a zone crosses stays visible, as on the web map."""
    plot_bng(
        wards,
        axes,
        boundaries=True,
        linewidth=width,
        color=WARD_EDGE,
        alpha=0.8 if over_bands else 1.0,
        zorder=4.5 if over_bands else 1,
    )


def _draw_bands(axes: Axes, zones: Sequence[tuple[str, BaseGeometry]]) -> None:
    """Draw zones in the order given, one collection for each run of one kind: bands filled
    opaque (the colours of the key, never blended with what lies under them), the public
    information zone as a dashed outline over them."""
    for kind, run in itertools.groupby(zones, key=lambda zone: zone[0]):
        shapes = [shape for _, shape in run]
        colour = ZONE_COLOURS.get(kind, "#505a5f")
        if kind in FILLED_ZONES:
            plot_bng(shapes, axes, facecolor=colour, edgecolor=ZONE_EDGES[kind], linewidth=0.6,
                  zorder=3)  # fmt: skip
        else:
            plot_bng(shapes, axes, facecolor="none", edgecolor=colour, linestyle="--",
                  linewidth=1.4, zorder=4)  # fmt: skip


def _draw_hazards(axes: Axes, hazards: Sequence[tuple[str, BaseGeometry]], size: float) -> None:
    for kind, geometry in hazards:
        if kind == "radiation_premises":
            centre = geometry.centroid if geometry.geom_type != "Point" else geometry
            axes.plot([centre.x], [centre.y], marker="s", markersize=size * 0.8,
                      color=RADIATION_COLOUR, markeredgecolor="white", zorder=6)  # fmt: skip
        elif kind == "pipeline":
            # A route as a line; a corridor standing in for it as its outline.
            corridor = geometry.geom_type in ("Polygon", "MultiPolygon")
            plot_bng([geometry], axes, boundaries=corridor, linewidth=2.0, color=PIPELINE_COLOUR,
                  zorder=5)  # fmt: skip
        else:
            centre = geometry.centroid if geometry.geom_type != "Point" else geometry
            axes.plot(
                [centre.x],
                [centre.y],
                marker="^",
                markersize=size,
                color=ESTABLISHMENT_COLOUR,
                markeredgecolor="white",
                zorder=6,
            )


def _legend(
    axes: Axes, kinds: Iterable[str], hazard_kinds: Iterable[str], receptors: bool = False
) -> None:
    handles: list[object] = []
    for kind in sorted(set(kinds), key=lambda k: ZONE_ORDER.get(k, 9)):
        colour = ZONE_COLOURS.get(kind, "#b1b4b6")
        if kind in FILLED_ZONES:
            handles.append(
                Patch(
                    facecolor=colour, edgecolor=ZONE_EDGES[kind], label=ZONE_LABELS.get(kind, kind)
                )
            )
        else:
            handles.append(
                Line2D([], [], color=colour, linestyle="--", label=ZONE_LABELS.get(kind, kind))
            )
    present = set(hazard_kinds)
    if "establishment" in present:
        handles.append(
            Line2D([], [], marker="^", color=ESTABLISHMENT_COLOUR, linestyle="", label="COMAH site")
        )
    if "pipeline" in present:
        handles.append(Line2D([], [], color=PIPELINE_COLOUR, linewidth=2, label="Pipeline"))
    if "radiation_premises" in present:
        handles.append(
            Line2D(
                [], [], marker="s", color=RADIATION_COLOUR, linestyle="", label="Radiation premises"
            )
        )
    handles.append(Line2D([], [], color=WARD_EDGE, linewidth=0.8, label="Ward boundary"))
    if receptors:
        handles.append(
            Line2D([], [], marker="o", color=RECEPTOR_COLOUR, linestyle="", label="Sensitive place")
        )
    axes.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)


def _drawn_shape(hazard: Hazard, precise_pipelines: bool) -> BaseGeometry:
    """Return a hazard's shape in BNG: a pipeline's corridor unless its route may be shown."""
    if hazard.kind == "pipeline" and not precise_pipelines:
        return corridor_bng(to_bng(hazard.geometry), [to_bng(z.geometry) for z in hazard.zones])
    return to_bng(hazard.geometry)


def _drawn_zones(hazard: Hazard, precise_pipelines: bool) -> list[Zone]:
    """Return the zones drawn for a hazard: none of a pipeline's when its corridor stands in."""
    return [] if hazard.kind == "pipeline" and not precise_pipelines else list(hazard.zones)


def overview_png(session: Session, width_in: float = 8.0, precise_pipelines: bool = True) -> bytes:
    """Return the overview map: every ward, every hazard and its outermost zone.

    Without ``precise_pipelines`` a pipeline is drawn as its generalised corridor, never its route.
    """
    key = ("overview-png", map_data_version(session), width_in, precise_pipelines)
    return _cached(key, lambda: _overview_png(session, width_in, precise_pipelines))


def _overview_png(session: Session, width_in: float, precise_pipelines: bool) -> bytes:
    wards = all_to_bng(list(session.scalars(select(Ward.geometry))))
    hazards = session.scalars(select(Hazard).options(selectinload(Hazard.zones))).all()
    drawn = [(h.kind, _drawn_shape(h, precise_pipelines)) for h in hazards]
    # Every band, widest first so the inner ones lie on top: drawing only the outer band (a
    # ring) would leave each site in a white hole, as if nearest the hazard were outside.
    bands: list[tuple[str, BaseGeometry]] = sorted(
        (
            (zone.kind, to_bng(zone.geometry))
            for hazard in hazards
            for zone in _drawn_zones(hazard, precise_pipelines)
            if zone.kind in FILLED_ZONES
        ),
        key=lambda band: -ZONE_ORDER.get(band[0], 9),
    )
    outer_zones = [shape for _, shape in bands]
    everything = [*wards, *(g for _, g in drawn), *outer_zones]
    x0, y0, x1, y1 = (
        (float(v) for v in shapely.total_bounds(np.asarray(everything, dtype=object)))
        if everything
        else (0.0, 0.0, 1.0, 1.0)
    )
    bounds = (x0, y0, x1, y1)
    height_in = min(max(width_in * (y1 - y0) / max(x1 - x0, 1.0), 3.0), width_in * 1.4)
    figure, axes = _canvas(width_in, height_in)
    _draw_bands(axes, bands)
    _draw_wards(axes, wards, width=0.5 if len(wards) < 500 else 0.15, over_bands=True)
    _draw_hazards(axes, drawn, size=7 if len(drawn) < 100 else 3)
    _frame(axes, bounds, margin=0.02)
    _scale_bar(axes, x1 - x0)
    _legend(axes, [kind for kind, _ in bands], {kind for kind, _ in drawn})
    return _png(figure)


def site_png(
    session: Session, hazard: Hazard, width_in: float = 7.0, precise_pipelines: bool = True
) -> bytes:
    """Return a map of one hazard's zones, with the wards and sensitive places around it.

    Without ``precise_pipelines`` a pipeline is drawn as its generalised corridor, never its route.
    """
    zones = sorted(
        _drawn_zones(hazard, precise_pipelines), key=lambda z: -ZONE_ORDER.get(z.kind, 9)
    )
    geometry = _drawn_shape(hazard, precise_pipelines)
    zone_shapes = [(z.kind, to_bng(z.geometry)) for z in zones]
    extent = shapely.union_all([geometry.buffer(250), *(g for _, g in zone_shapes)])
    bounds = extent.bounds
    lon0, lat0, lon1, lat1 = _wgs84_bounds(hazard, list(hazard.zones))
    near_wards = session.execute(
        select(Ward.name, Ward.geometry).where(
            Ward.min_lon <= lon1, Ward.max_lon >= lon0, Ward.min_lat <= lat1, Ward.max_lat >= lat0
        )
    ).all()
    wards = list(
        zip([w.name for w in near_wards], all_to_bng([w.geometry for w in near_wards]), strict=True)
    )
    every_receptor = session.execute(select(Receptor.name, Receptor.kind, Receptor.geometry)).all()
    receptors = [
        (r.name, RECEPTOR_KINDS.get(r.kind, r.kind), shape)
        for r, shape in zip(
            every_receptor, all_to_bng([r.geometry for r in every_receptor]), strict=True
        )
        if shape.intersects(extent)
    ]
    # Keyed on exactly what is drawn: an edit elsewhere leaves this image as it was.
    key = (
        "site-png",
        _digest(hazard, geometry, zone_shapes, wards, receptors),
        width_in,
        precise_pipelines,
    )
    return _cached(
        key, lambda: _site_png(hazard, geometry, zone_shapes, wards, receptors, bounds, width_in)
    )


def _digest(hazard: Hazard, geometry: BaseGeometry, *parts: Sequence[tuple[Any, ...]]) -> str:
    hasher = hashlib.sha256(repr((hazard.kind, hazard.name)).encode())
    hasher.update(shapely.to_wkb(geometry))
    for part in parts:
        for row in part:
            *labels, shape = row
            hasher.update(repr(labels).encode())
            hasher.update(shapely.to_wkb(shape))
    return hasher.hexdigest()


def _site_png(
    hazard: Hazard,
    geometry: BaseGeometry,
    zone_shapes: list[tuple[str, BaseGeometry]],
    wards: list[tuple[str, BaseGeometry]],
    receptors: list[tuple[str, str, BaseGeometry]],
    bounds: tuple[float, float, float, float],
    width_in: float,
) -> bytes:
    span_x, span_y = bounds[2] - bounds[0], bounds[3] - bounds[1]
    figure, axes = _canvas(width_in, width_in * min(max(span_y / max(span_x, 1.0), 0.6), 1.3))
    pad = max(span_x, span_y) * SITE_MARGIN + 50  # as _frame pads it
    visible_east = bounds[2] + pad
    points_per_metre = width_in * 72 / (span_x + 2 * pad)
    # Ward names inside the drawn area, never cut by its edge.
    view = shapely.box(*bounds).buffer(-0.04 * max(span_x, span_y))
    for name, ward in wards:
        point = ward.intersection(view).representative_point() if ward.intersects(view) else None
        if point is not None and not point.is_empty:
            axes.annotate(
                name,
                (point.x, point.y),
                fontsize=6,
                color="#0b0c0c",
                ha="center",
                zorder=5,
                path_effects=HALO,
            )
    _draw_bands(axes, zone_shapes)
    _draw_wards(axes, [g for _, g in wards], width=0.6, over_bands=True)
    _draw_hazards(axes, [(hazard.kind, geometry)], size=10)
    for name, _kind, shape in receptors:
        point = shape.representative_point()
        axes.plot(
            [point.x],
            [point.y],
            marker="o",
            markersize=5,
            color=RECEPTOR_COLOUR,
            markeredgecolor="white",
            zorder=7,
        )
        # A label that would run past the map's eastern edge runs to the west of its place.
        east = point.x + len(name) * 6 * 0.6 / points_per_metre > visible_east
        axes.annotate(
            name,
            (point.x, point.y),
            xytext=(-4, 3) if east else (4, 3),
            textcoords="offset points",
            ha="right" if east else "left",
            fontsize=6,
            annotation_clip=True,
            color=RECEPTOR_COLOUR,
            zorder=7,
            path_effects=HALO,
        )
    _frame(axes, bounds, margin=SITE_MARGIN)
    _scale_bar(axes, span_x)
    _legend(axes, [k for k, _ in zone_shapes], [hazard.kind], receptors=bool(receptors))
    return _png(figure)


def _wgs84_bounds(hazard: Hazard, zones: Sequence[Zone]) -> tuple[float, float, float, float]:
    shapes = np.asarray([hazard.geometry, *(z.geometry for z in zones)], dtype=object)
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    return float(x0) - 0.01, float(y0) - 0.01, float(x1) + 0.01, float(y1) + 0.01
