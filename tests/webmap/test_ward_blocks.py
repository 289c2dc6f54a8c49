"""A large register's overview fetches its wards by view: the page, the endpoint, its answers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import shapely
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience.config import MAP_INLINE_WARDS_VARIABLE, map_inline_wards_from_environment
from resilience.domain.demo import load_demo
from resilience.web.maps.cache import shared_map_cache
from resilience.web.maps.sources import load_overview
from tests.webmap.conftest import feature_count, sources_in
from webmap.bbox_layers import (
    FINEST_ZOOM,
    BadRequest,
    block_for,
    display_error_m,
    parse_request,
)
from webmap.compose import ward_choropleth, ward_values

HALTON = "-2.85,53.28,-2.6,53.4"
RUNCORN = "-2.75,53.32,-2.72,53.34"
WARDS = "/maps/layers/wards.json"


@pytest.fixture
def demo(session: Session) -> Session:
    load_demo(session)
    session.commit()
    return session


@pytest.fixture
def by_view(app: Flask) -> Flask:
    """The app treating the Halton demo as a large register (its wards fetched by view)."""
    app.config["MAP_INLINE_WARDS_MAX"] = 0
    return app


def _wards(client: FlaskClient, bbox: str = HALTON, zoom: int = 12) -> dict[str, Any]:
    response = client.get(f"{WARDS}?bbox={bbox}&zoom={zoom}")
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.json or {}
    return body


def test_a_small_register_s_page_carries_its_wards_as_before(
    client: FlaskClient, demo: Session
) -> None:
    sources = sources_in(client.get("/maps/").text)
    assert "remote" not in sources["wards"]
    assert feature_count(sources["wards"]) == len(load_overview(demo).wards)


def test_a_large_register_s_page_fetches_its_wards(
    by_view: Flask, client: FlaskClient, demo: Session
) -> None:
    page = client.get("/maps/").text
    assert "or within half a screen pixel where that is more" in page  # the key's promise
    sources = sources_in(page)
    assert sources["wards"]["remote"] == f"{WARDS}?measure=exposure"
    assert sources["wards"]["xy"] == []
    assert sources["zones_outer"]["remote"] == "/maps/layers/zones_outer.json?measure=exposure"
    assert feature_count(sources["zones_outer"]) == 0
    assert feature_count(sources["establishments"]) == 9  # the hazards stay in the page
    assert feature_count(sources["pipelines"]) == 2
    population = sources_in(client.get("/maps/?measure=population").text)
    assert population["wards"]["remote"] == f"{WARDS}?measure=population"
    # A download is one offline file: it carries every ward whatever the size.
    download = sources_in(client.get("/maps/overview.html").text)
    assert feature_count(download["wards"]) == len(load_overview(demo).wards)


def test_the_endpoint_refuses_anonymous_readers(anonymous: FlaskClient, demo: Session) -> None:
    response = anonymous.get(f"{WARDS}?bbox={HALTON}&zoom=12")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "query",
    [
        "zoom=12",
        f"bbox={HALTON}",
        "bbox=1,2,3&zoom=12",
        "bbox=-2.6,53.28,-2.85,53.4&zoom=12",  # west beyond east
        "bbox=nan,53.28,-2.6,53.4&zoom=12",
        "bbox=-180,-80,180,80&zoom=15",  # the whole world at street level
        f"bbox={HALTON}&zoom=-3",
        f"bbox={HALTON}&zoom=12&measure=nonsense",
    ],
)
def test_bad_requests_are_refused(client: FlaskClient, demo: Session, query: str) -> None:
    assert client.get(f"{WARDS}?{query}").status_code == 400


def test_only_wards_and_zone_bands_are_served_by_view(client: FlaskClient, demo: Session) -> None:
    for layer in ("establishments", "pipelines", "receptors", "zones_nowhere"):
        assert client.get(f"/maps/layers/{layer}.json?bbox={HALTON}&zoom=12").status_code == 404


def test_the_wards_in_view_with_their_colours(client: FlaskClient, demo: Session) -> None:
    data = load_overview(demo)
    body = _wards(client)
    west, south, east, north = body["bbox"]
    assert west <= -2.85 and south <= 53.28 and east >= -2.6 and north >= 53.4
    box = shapely.box(west, south, east, north)
    meeting = data.wards[data.wards.geometry.intersects(box)]
    props = body["props"]
    assert sorted(props["ref"]) == sorted(meeting["code"])
    choropleth = ward_choropleth(data, "exposure", scope="any hazard zone")
    expected = dict(zip(data.wards["code"], ward_values(choropleth), strict=True))
    classes = dict(zip(data.wards["code"], choropleth.classes, strict=True))
    assert props["value"] == [expected[c] for c in props["ref"]]
    assert props["cls"] == [classes[c] for c in props["ref"]]
    assert body["error_m"] == 11.4  # half a pixel at zoom 12 at 54 N


def test_answers_are_compressed_and_cached_for_every_worker(
    app: Flask, client: FlaskClient, demo: Session
) -> None:
    cache = shared_map_cache(app)
    first = client.get(f"{WARDS}?bbox={HALTON}&zoom=10", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    misses = cache.misses
    # A slightly different view inside the same block of tiles is the same cache entry.
    again = client.get(f"{WARDS}?bbox=-2.84,53.29,-2.61,53.39&zoom=10")
    assert cache.misses == misses
    assert again.json == client.get(f"{WARDS}?bbox={HALTON}&zoom=10").json


def _shapes(body: dict[str, Any]) -> np.ndarray:
    """Return an answer's shapes (MultiPolygons in lon/lat), decoded as map.js does."""
    coords = np.cumsum(np.asarray(body["xy"], dtype=np.int64).reshape(-1, 2), axis=0)
    offsets = tuple(np.asarray(o, dtype=np.int64) for o in body["offsets"])
    return shapely.from_ragged_array(
        shapely.GeometryType.MULTIPOLYGON, coords / body["scale"], offsets
    )


def _local_metres(shape: shapely.Geometry, latitude: float) -> shapely.Geometry:
    scale = np.array([111_320.0 * math.cos(math.radians(latitude)), 111_320.0])
    return shapely.transform(shape, lambda xy: xy * scale)


@pytest.mark.parametrize("zoom", [6, 9, 12, FINEST_ZOOM, 17])
def test_every_zoom_is_within_its_stated_display_error(
    client: FlaskClient, demo: Session, zoom: int
) -> None:
    stored = load_overview(demo).wards.set_index("code").geometry
    # What a view of 1,400 x 950 pixels shows at that zoom, or all Halton when that is less.
    body = _wards(client, bbox=HALTON if zoom < FINEST_ZOOM else RUNCORN, zoom=zoom)
    error = float(body["error_m"])
    west, south, east, north = body["bbox"]
    assert error == round(display_error_m(min(zoom, FINEST_ZOOM), max(abs(south), abs(north))), 1)
    refs = body["props"]["ref"]
    for code, drawn in zip(refs, _shapes(body), strict=True):
        before = stored[code]
        latitude = before.centroid.y
        distance = shapely.hausdorff_distance(
            _local_metres(before, latitude), _local_metres(drawn, latitude), densify=0.25
        )
        # Local metres differ from the ground by well under 1% across one ward.
        assert distance <= error * 1.01, (code, distance, error)


def test_zoomed_out_answers_are_lighter(client: FlaskClient, demo: Session) -> None:
    sizes = [len(_wards(client, zoom=zoom)["xy"]) for zoom in (7, 11, 15)]
    assert sizes[0] < sizes[1] < sizes[2]


def test_members_wards_are_coloured_without_the_pipelines_own_zones(
    client_as: Callable[[str], FlaskClient], demo: Session
) -> None:
    # A pipeline's zones trace its route, which members may not see: the share of a ward in
    # "any hazard zone" a member is given leaves them out, as the member's own map does.
    member = _wards(client_as("member"))["props"]
    officer = _wards(client_as("officer"))["props"]
    for precise, props in ((False, member), (True, officer)):
        data = load_overview(demo, precise_pipelines=precise)
        values = dict(
            zip(data.wards["code"], ward_values(ward_choropleth(data, "exposure", "")), strict=True)
        )
        assert props["value"] == [values[c] for c in props["ref"]]
    assert member["value"] != officer["value"]  # some ward is crossed by a pipeline's zones


@pytest.mark.parametrize("kind", ["inner", "middle", "outer"])
def test_members_are_sent_no_pipeline_s_own_zones(
    client_as: Callable[[str], FlaskClient], demo: Session, kind: str
) -> None:
    url = f"/maps/layers/zones_{kind}.json?bbox={HALTON}&zoom=12"
    member = client_as("member").get(url).json or {}
    officer = client_as("officer").get(url).json or {}
    zones = load_overview(demo).zones
    drawn = zones[zones["kind"] == kind]
    assert sorted(officer["props"]["ref"]) == sorted(drawn["hazard_ref"])
    assert "pipelines" in officer["props"]["layer"]
    not_pipelines = drawn[drawn["hazard_kind"] != "pipeline"]
    assert sorted(member["props"]["ref"]) == sorted(not_pipelines["hazard_ref"])
    assert set(member["props"]["layer"]) == {"establishments"}


def test_zones_are_within_the_display_error_too(client: FlaskClient, demo: Session) -> None:
    stored = load_overview(demo).zones
    body = client.get(f"/maps/layers/zones_outer.json?bbox={HALTON}&zoom=9").json or {}
    error = float(body["error_m"])
    outer = stored[stored["kind"] == "outer"].set_index("hazard_ref").geometry
    for ref, drawn in zip(body["props"]["ref"], _shapes(body), strict=True):
        before = outer[ref]
        latitude = before.centroid.y
        distance = shapely.hausdorff_distance(
            _local_metres(before, latitude), _local_metres(drawn, latitude), densify=0.25
        )
        assert distance <= error * 1.01, (ref, distance, error)


def test_display_error_by_zoom() -> None:
    assert display_error_m(FINEST_ZOOM, 49.9) == 5.0
    assert display_error_m(6, 50.0) == pytest.approx(786.1, abs=0.1)
    assert display_error_m(6, 60.0) == pytest.approx(611.5, abs=0.1)


def test_a_block_holds_the_view_in_whole_tiles() -> None:
    block = block_for((-2.85, 53.28, -2.6, 53.4), 12)
    west, south, east, north = block.bounds
    assert (block.tile_zoom, block.zoom) == (10, 12)
    assert west <= -2.85 and south <= 53.28 and east >= -2.6 and north >= 53.4
    assert block_for((-2.84, 53.29, -2.61, 53.39), 12) == block
    assert block_for((-2.74, 53.33, -2.739, 53.331), 20).zoom == FINEST_ZOOM
    with pytest.raises(BadRequest, match="zoom"):
        parse_request("-2.85,53.28,-2.6,53.4", "12.5")


def test_the_size_above_which_wards_are_fetched_is_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MAP_INLINE_WARDS_VARIABLE, raising=False)
    assert map_inline_wards_from_environment() == 2000
    monkeypatch.setenv(MAP_INLINE_WARDS_VARIABLE, "9000")
    assert map_inline_wards_from_environment() == 9000
    monkeypatch.setenv(MAP_INLINE_WARDS_VARIABLE, "lots")
    with pytest.raises(ValueError, match="RESILIENCE_MAP_INLINE_WARDS must be a whole number"):
        map_inline_wards_from_environment()
