"""Map pages and downloads: thin views over webmap's pure map functions, with a render cache.

Every endpoint here is named ``maps.*``, which gives it the Content-Security-Policy that allows
folium's inline script and style from this origin only (see headers.py). The map assets are
served from webmap/static at /maps/static/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.date_text import when
from resilience.domain.register.edits import find_record
from resilience.domain.register.layers import LAYERS
from resilience.domain.register.listings import exposure_rows
from resilience.reports.render.tasks import overview_map_file, site_map_file
from resilience.storage.models import Hazard, Ward
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.headers import MAP_CSP
from resilience.web.maps.cache import shared_map_cache
from resilience.web.maps.layer_blocks import layer_block, wards_by_view
from resilience.web.maps.sources import data_version, load_hazard, load_overview
from resilience.web.render_limits import (
    RenderUnavailable,
    limited,
    render_slot,
    run_render,
    unavailable_page,
)
from webmap.assets import STATIC_DIR, MapAssets, asset_version
from webmap.bbox_layers import BadRequest, parse_request
from webmap.cache import MapCache
from webmap.choropleth import MEASURES, Measure
from webmap.compose import MapOptions, RecordLinks, hazard_map, overview_map
from webmap.document import MapParts, map_parts, standalone_html
from webmap.map_data import MapData
from webmap.png import PngUnavailable, html_to_png
from webmap.styles import ZONE_KINDS


class _MapBlueprint(Blueprint):
    """The maps blueprint; its static files are cached for a day (URLs carry a content hash)."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        return ASSET_MAX_AGE


ASSET_MAX_AGE = 24 * 60 * 60
bp = _MapBlueprint(
    "maps", __name__, url_prefix="/maps", static_folder=STATIC_DIR, static_url_path="/static"
)
bp.register_error_handler(RenderUnavailable, unavailable_page)
HAZARD = "<any(establishments, pipelines, 'radiation-premises'):layer>/<path:ref>"
FORMATS = ("html", "png")
# What a large register's overview fetches by view (webmap.compose: wards and zone bands).
FETCHED_LAYERS = ("wards", *(f"zones_{kind}" for kind in ZONE_KINDS))


@dataclass(frozen=True)
class RenderedMap:
    """A map rendered once for the data it shows, with what its page lists beside it."""

    parts: MapParts
    sites: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def encode(self) -> bytes:
        """Return the map as JSON bytes, for the shared cache."""
        parts = {"head": self.parts.head, "body": self.parts.body, "script": self.parts.script}
        return json.dumps({"parts": parts, "sites": self.sites, "counts": self.counts}).encode()

    @classmethod
    def decode(cls, data: bytes) -> RenderedMap:
        """Return the map that ``encode`` gave as `data`."""
        value = json.loads(data)
        parts = MapParts(**{name: Markup(text) for name, text in value["parts"].items()})
        return cls(parts=parts, sites=value["sites"], counts=value["counts"])


def _cache() -> MapCache:
    return shared_map_cache(current_app)


def _high_contrast() -> bool:
    return request.args.get("contrast") == "high"


def _measure() -> Measure:
    value = request.args.get("measure", "exposure")
    for measure in MEASURES:
        if value == measure:
            return measure
    abort(400, f"Colour wards by one of: {', '.join(MEASURES)}.")


def _options(*, standalone: bool, wards_by_view: bool = False) -> MapOptions:
    """Return how this request's map is drawn: linked or inlined assets, look, base layer."""
    # URL templates for popups: built by Flask for one layer, then generalised.
    record = url_for("layers.detail", layer="receptors", ref="__REF__", _external=standalone)
    hazard_page = url_for("maps.hazard", layer="pipelines", ref="__REF__", _external=standalone)
    links = RecordLinks(
        record=_template(record, "receptors/__REF__"),
        hazard_map=_template(hazard_page, "pipelines/__REF__"),
    )
    assets = (
        MapAssets.inlined()
        if standalone
        else MapAssets.linked(
            lambda path: url_for("maps.static", filename=path, v=asset_version(path))
        )
    )
    return MapOptions(
        assets=assets,
        links=links,
        high_contrast=_high_contrast(),
        measure=_measure(),
        tile_url=current_app.config.get("TILE_URL", ""),
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION", ""),
        # Who may run a what-if is who may see routes (view_sensitive), already in the cache key.
        whatif_url="" if standalone or not precise_pipelines() else url_for("whatif.run"),
        layers_url=_layers_url() if wards_by_view else "",
    )


def _layers_url() -> str:
    """Return the address map.js fetches a source in view from, "{layer}" for its key."""
    url = url_for("maps.layer", layer="wards", measure=_measure())
    return url.replace("/wards.json", "/{layer}.json")


def _template(url: str, tail: str) -> str:
    head, found, rest = url.rpartition(tail)
    assert found, f"{url!r} does not end in {tail!r}"
    return head + "{layer}/{ref}" + rest


def _render(
    data: MapData,
    draw: Callable[[MapData, MapOptions], Any],
    standalone: bool,
    wards_by_view: bool = False,
) -> RenderedMap:
    m = draw(data, _options(standalone=standalone, wards_by_view=wards_by_view))
    sites = (
        [
            {"ref": ref, "name": name, "layer": "establishments", "kind": "COMAH establishment"}
            for ref, name in zip(
                data.establishments["ref"], data.establishments["name"], strict=True
            )
        ]
        + [
            {"ref": ref, "name": name, "layer": "pipelines", "kind": "Pipeline"}
            for ref, name in zip(data.pipelines["ref"], data.pipelines["name"], strict=True)
        ]
        + [
            {"ref": ref, "name": name, "layer": "radiation-premises", "kind": "Radiation premises"}
            for ref, name in zip(data.radiation["ref"], data.radiation["name"], strict=True)
        ]
    )
    counts = {
        "wards": len(data.wards),
        "zones": len(data.zones),
        "establishments": len(data.establishments),
        "pipelines": len(data.pipelines),
        "receptors": len(data.receptors),
        "radiation-premises": len(data.radiation),
    }
    return RenderedMap(parts=map_parts(m), sites=sites, counts=counts)


def _variant() -> tuple[bool, str]:
    return (_high_contrast(), _measure())


def precise_pipelines() -> bool:
    """Return whether the signed-in reader may see pipeline routes (else only corridors)."""
    can = getattr(current_user, "can", None)
    return bool(can and can("view_sensitive"))


def _look() -> tuple[Any, ...]:
    """Return what, besides the data, decides how a map is drawn (part of its cache key)."""
    return (*_variant(), current_app.config.get("TILE_URL", ""), precise_pipelines())


def _overview_key(session: Session) -> tuple[Any, ...]:
    # The overview shows everything, so any change to what maps draw is a change to it.
    return ("overview", *_look(), data_version(session))


def _wards_by_view(session: Session) -> bool:
    """Return whether the overview page fetches its wards by view (a large register)."""
    return wards_by_view(session, int(current_app.config["MAP_INLINE_WARDS_MAX"]))


def _overview(session: Session, standalone: bool) -> RenderedMap:
    # A download is one offline file: it always carries every ward.
    by_view = not standalone and _wards_by_view(session)
    # A build (not a cache hit) holds a heavy-render slot: see render_limits.
    data = _cache().get_or_build(
        (*_overview_key(session), standalone, by_view),
        lambda: limited(
            lambda: _render(
                load_overview(session, precise_pipelines()), overview_map, standalone, by_view
            ).encode()
        ),
    )
    return RenderedMap.decode(data)


def _hazard(session: Session, layer: str, ref: str) -> Hazard:
    hazard = find_record(session, LAYERS[layer], ref)
    if not isinstance(hazard, Hazard):
        abort(404, f"There is no {LAYERS[layer].singular} with the identifier {ref!r}.")
    return hazard


def _hazard_key(session: Session, hazard: Hazard) -> tuple[Any, ...]:
    """Return the cache key of a hazard's map: the digest of exactly what it draws.

    An edit anywhere changes the data version; the digest, worked out once per version (and
    shared by the workers), tells whether it changed this map: an edit to one site leaves the
    maps of sites far from it as they were.
    """
    key, _ = _hazard_key_and_data(session, hazard)
    return key


def _hazard_key_and_data(
    session: Session, hazard: Hazard
) -> tuple[tuple[Any, ...], MapData | None]:
    loaded: list[MapData] = []

    def digest() -> bytes:
        loaded.append(load_hazard(session, hazard, precise_pipelines=precise_pipelines()))
        return loaded[0].digest().encode()

    version = ("hazard-digest", hazard.id, precise_pipelines(), data_version(session))
    content = _cache().get_or_build(version, digest).decode()
    return ("hazard", hazard.id, *_look(), content), (loaded[0] if loaded else None)


def _hazard_map(session: Session, hazard: Hazard, standalone: bool) -> RenderedMap:
    key, loaded = _hazard_key_and_data(session, hazard)

    def build() -> bytes:
        data = loaded or load_hazard(session, hazard, precise_pipelines=precise_pipelines())
        return _render(data, hazard_map, standalone).encode()

    return RenderedMap.decode(_cache().get_or_build((*key, standalone), lambda: limited(build)))


def _with_tile_origin(page: str) -> Response:
    """Return `page`, its policy also allowing images from the configured tile server, if any."""
    response = Response(page, mimetype="text/html")
    origin = tile_origin(current_app.config.get("TILE_URL", ""))
    if origin:
        response.headers["Content-Security-Policy"] = MAP_CSP.replace(
            "img-src 'self' data: blob:", f"img-src 'self' data: blob: {origin}"
        )
    return response


def tile_origin(tile_url: str) -> str:
    """Return the CSP source for a tile URL template's origin ('' for a path on this site)."""
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = re.sub(r"\{[a-z]+\}", "*", parts.netloc)  # {s}.tiles.example -> *.tiles.example
    return f"{parts.scheme}://{host}"


@bp.get("/")
def overview() -> Response:
    rendered = _overview(db_session(), standalone=False)
    return _with_tile_origin(
        render_template("maps/overview.html", rendered=rendered, **_page_links("overview"))
    )


@bp.get(f"/layers/<any({', '.join(FETCHED_LAYERS)}):layer>.json")
def layer(layer: str) -> Response:
    """The wards or zones meeting ``bbox=w,s,e,n`` simplified for ``zoom`` (webmap.bbox_layers)."""
    try:
        block = parse_request(request.args.get("bbox"), request.args.get("zoom"))
    except BadRequest as error:
        abort(400, str(error))
    body = layer_block(_cache(), db_session(), layer, block, _measure(), precise_pipelines())
    return Response(body, mimetype="application/json")


@bp.get(f"/{HAZARD}")
def hazard(layer: str, ref: str) -> Response:
    session = db_session()
    record = _hazard(session, layer, ref)
    rendered = _hazard_map(session, record, standalone=False)
    page = render_template(
        "maps/hazard.html",
        rendered=rendered,
        record=record,
        layer=LAYERS[layer],
        exposure=exposure_rows(session, record),
        **_page_links("hazard", layer=layer, ref=ref),
    )
    return _with_tile_origin(page)


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404, f"Maps download as {' or '.join(FORMATS)}, not {fmt!r}.")
    return fmt


@bp.get("/overview.<fmt>")
def overview_file(fmt: str) -> Response:
    fmt = _format(fmt)
    session = db_session()
    rendered = _overview(session, standalone=True)
    key = _overview_key(session)
    return _download(
        rendered,
        "Overview map",
        "overview-map",
        fmt,
        key,
        lambda: run_render(
            overview_map_file, _database_url(), precise_pipelines(), _cache().folder
        ),
    )


@bp.get(f"/download/<fmt>/{HAZARD}")
def hazard_file(fmt: str, layer: str, ref: str) -> Response:
    fmt = _format(fmt)
    session = db_session()
    record = _hazard(session, layer, ref)
    rendered = _hazard_map(session, record, standalone=True)
    key = _hazard_key(session, record)
    return _download(
        rendered,
        f"Map of {record.name}",
        f"map-{record.ref}",
        fmt,
        key,
        lambda: run_render(
            site_map_file, _database_url(), record.id, precise_pipelines(), _cache().folder
        ),
    )


def _download(
    rendered: RenderedMap,
    title: str,
    stem: str,
    fmt: str,
    key: tuple[Any, ...],
    static_png: Callable[[], bytes],
) -> Response:
    made = f"{when(clock.now(), 'date_time')} (UK time)"
    lines = (f"From the Resilience register at {request.host_url} on {made}.",)
    html = standalone_html(rendered.parts, title, lines, for_image=fmt == "png")
    contrast = "-high-contrast" if _high_contrast() else ""
    if fmt == "html":
        return download(html, "text/html", file_name(stem + contrast, ext="html"))
    else:
        chromium = current_app.config.get("CHROMIUM_PATH")
        try:
            # Drawn once per data version: Chromium takes a second or more.
            image = _cache().get_or_build(("png", *key), lambda: _chromium_png(html, chromium))
        except PngUnavailable:
            # No Chromium on this server: draw the same data with matplotlib instead.
            image = _cache().get_or_build(("static-png", *key), static_png)
        return download(image, "image/png", file_name(stem + contrast, ext="png"))


def _chromium_png(html: str, chromium: str | None) -> bytes:
    # Chromium is a process of its own: html_to_png kills it at the deadline.
    with render_slot() as limits:
        return html_to_png(html, chromium=chromium, timeout=limits.deadline_seconds)


def _database_url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _page_links(kind: str, **args: Any) -> dict[str, Any]:
    """Return the page's links: downloads, and the other contrast and measure."""
    here = "maps.overview" if kind == "overview" else "maps.hazard"
    files = "maps.overview_file" if kind == "overview" else "maps.hazard_file"
    high, measure = _variant()
    query: dict[str, Any] = {}
    if high:
        query["contrast"] = "high"
    if measure != "exposure":
        query["measure"] = measure
    other_contrast = {k: v for k, v in query.items() if k != "contrast"}
    if not high:
        other_contrast["contrast"] = "high"
    other_measure = {k: v for k, v in query.items() if k != "measure"}
    if measure == "exposure":
        other_measure["measure"] = "population"
    return {
        "map_page_css_version": asset_version("map-page.css"),
        "high_contrast": high,
        "measure": measure,
        "html_href": url_for(files, fmt="html", **args, **query),
        "png_href": url_for(files, fmt="png", **args, **query),
        "contrast_href": url_for(here, **args, **other_contrast),
        "measure_href": url_for(here, **args, **other_measure),
        # Offered only when some ward has a population to colour by.
        "populations_loaded": _populations_loaded(),
    }


def _populations_loaded() -> bool:
    query = select(Ward.id).where(Ward.population.is_not(None)).limit(1)
    return db_session().scalar(query) is not None
