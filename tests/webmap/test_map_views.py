"""Map pages and downloads through the app, on each storage backend; the cache and its version."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.domain.register.edits import delete_record, find_record, save_record
from resilience.domain.register.layers import ESTABLISHMENTS, RECEPTORS
from resilience.storage.models import Hazard, Ward, Zone
from resilience.web.maps.cache import shared_map_cache
from resilience.web.maps.sources import data_version, load_hazard, load_overview
from tests.support.builders import make_ward
from tests.support.html import parse
from webmap.assets import asset_version
from webmap.cache import MapCache

SITE = "HAL-COMAH-01"
# The policies a browser is given, written out here rather than taken from the app: every page
# loads only the app's own files; map pages alone may run folium's inline scripts and styles.
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
MAP_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


@pytest.fixture
def demo(session: Session) -> Session:
    load_demo(session)
    session.commit()
    return session


def _cache(app: Flask) -> MapCache:
    return shared_map_cache(app)


def test_data_version_changes_with_every_edit_and_not_on_reading(demo: Session) -> None:
    versions = [data_version(demo)]
    load_overview(demo)
    assert data_version(demo) == versions[-1]
    site = find_record(demo, ESTABLISHMENTS, SITE)
    save_record(demo, ESTABLISHMENTS, {"ref": SITE, "name": "Renamed"}, existing=site)
    demo.commit()
    versions.append(data_version(demo))
    save_record(demo, ESTABLISHMENTS, {"ref": SITE, "outer_m": 2500.0}, existing=site)
    demo.commit()
    versions.append(data_version(demo))
    demo.add(make_ward("E99999999"))
    demo.commit()
    versions.append(data_version(demo))
    delete_record(demo, find_record(demo, RECEPTORS, "HAL-REC-01") or pytest.fail("no receptor"))
    demo.commit()
    versions.append(data_version(demo))
    assert len(set(versions)) == len(versions), versions


def test_loaded_frames_match_the_register(demo: Session) -> None:
    data = load_overview(demo)
    assert len(data.wards) == demo.scalar(select(func.count()).select_from(Ward))
    assert len(data.zones) == demo.scalar(select(func.count()).select_from(Zone))
    assert (len(data.establishments), len(data.pipelines), len(data.receptors)) == (9, 2, 8)
    assert data.wards.crs == "EPSG:4326"
    site = demo.scalars(select(Hazard).where(Hazard.ref == SITE)).one()
    around = load_hazard(demo, site)
    assert set(around.zones["hazard_ref"]) == {SITE}
    assert SITE in set(around.establishments["ref"])
    assert 0 < len(around.wards) <= len(data.wards)
    assert around.focus["ref"] == SITE


def test_overview_page(client: FlaskClient, demo: Session) -> None:
    response = client.get("/maps/")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == MAP_CSP
    page = parse(response.text)
    assert "Overview map" in page.text
    current = page.find_all("a", class_="govuk-service-navigation__link")
    assert [a["href"] for a in current if a.get("aria-current")] == ["/maps/"]
    sources = [n.get("src") or n.get("href") for n in page.iter() if n.tag in ("script", "link")]
    assert f"/maps/static/leaflet/leaflet.js?v={asset_version('leaflet/leaflet.js')}" in sources
    assert not [s for s in sources if s and re.match(r"(https?:)?//", s)]
    buttons = page.find_all("button", class_="govuk-button--secondary")
    assert len([b for b in buttons if "data-rm-show" in b.attrs]) == 11
    assert f"/maps/establishments/{SITE}" in page.links()


def test_other_pages_keep_the_strict_policy(client: FlaskClient, demo: Session) -> None:
    assert client.get("/").headers["Content-Security-Policy"] == STRICT_CSP


def test_map_is_built_once_per_data_version(app: Flask, client: FlaskClient, demo: Session) -> None:
    client.get("/maps/")
    client.get("/maps/")
    cache = _cache(app)
    assert (cache.misses, cache.hits) == (1, 1)
    site = find_record(demo, ESTABLISHMENTS, SITE)
    save_record(demo, ESTABLISHMENTS, {"ref": SITE, "name": "Renamed Works"}, existing=site)
    demo.commit()
    response = client.get("/maps/")
    assert cache.misses == 2
    assert "Renamed Works" in parse(response.text).text
    client.get("/maps/?contrast=high")
    assert cache.misses == 3


def test_hazard_page_has_the_map_and_exposure_table(client: FlaskClient, demo: Session) -> None:
    response = client.get(f"/maps/establishments/{SITE}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == MAP_CSP
    page = parse(response.text)
    assert "Who lies in each zone" in page.text
    captions = [c for c in ("Inner zone", "Middle zone", "Outer zone") if c in page.text]
    assert len(captions) == 3
    assert f"/establishments/{SITE}" in page.links()
    assert len(page.find_all("div", class_="rm-map")) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/maps/establishments/NOPE",
        "/maps/wards/E05013169",
        "/maps/download/html/pipelines/NOPE",
        "/maps/overview.csv",
        f"/maps/download/pdf/establishments/{SITE}",
    ],
)
def test_unknown_maps_are_not_found(client: FlaskClient, demo: Session, path: str) -> None:
    assert client.get(path).status_code == 404


def test_bad_measure_is_refused(client: FlaskClient, demo: Session) -> None:
    assert client.get("/maps/?measure=wealth").status_code == 400


@pytest.mark.parametrize(
    "path", ["/maps/overview.html", f"/maps/download/html/establishments/{SITE}"]
)
def test_html_download_is_one_offline_file(client: FlaskClient, demo: Session, path: str) -> None:
    response = client.get(path + "?contrast=high")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and "-high-contrast.html" in disposition
    html = response.text
    assert "<script src" not in html and "<link " not in html
    assert "rm-map--high-contrast" in html
    assert 'href="http://localhost/' not in html
    assert "http://localhost/{layer}/{ref}" in html  # popup links go back to the app


def test_png_download_is_drawn_without_a_browser_when_none_is_installed(
    app: Flask, client: FlaskClient, demo: Session
) -> None:
    app.config["CHROMIUM_PATH"] = "/nonexistent/chromium"
    for url in ("/maps/overview.png", "/maps/download/png/establishments/HAL-COMAH-01"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "image/png"
        assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(response.data) > 10_000  # a drawn map, not an empty image


def test_maps_need_sign_in_but_their_assets_do_not(
    anonymous: FlaskClient, client_as: Callable[[str], FlaskClient], demo: Session
) -> None:
    assert anonymous.get("/maps/").status_code == 302
    asset = anonymous.get("/maps/static/map.js")
    asset.close()
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == "public, max-age=86400"
    member = client_as("member")
    assert member.get("/maps/").status_code == 200
    assert member.get(f"/maps/download/html/establishments/{SITE}").status_code == 200


def test_record_page_links_to_its_map(client: FlaskClient, demo: Session) -> None:
    page = parse(client.get(f"/establishments/{SITE}").text)
    assert f"/maps/establishments/{SITE}" in page.links()
    ward = parse(client.get("/wards/E05013169").text)
    assert not [link for link in ward.links() if link.startswith("/maps/wards")]


def test_a_tile_server_s_origin_is_allowed_on_map_pages_only(
    app: Flask, client: FlaskClient, demo: Session
) -> None:
    app.config["TILE_URL"] = "https://{s}.tiles.council.example/{z}/{x}/{y}.png"
    policy = client.get("/maps/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tiles.council.example;" in policy
    assert client.get("/").headers["Content-Security-Policy"] == STRICT_CSP
    app.config["TILE_URL"] = "/tiles/{z}/{x}/{y}.png"
    assert client.get("/maps/").headers["Content-Security-Policy"] == MAP_CSP


def test_an_edit_redraws_only_the_maps_that_show_it(
    app: Flask, client: FlaskClient, demo: Session
) -> None:
    site = find_record(demo, ESTABLISHMENTS, SITE)
    assert isinstance(site, Hazard)
    shown = set(load_hazard(demo, site).establishments["ref"])
    far = next(
        h.ref
        for h in demo.scalars(select(Hazard).where(Hazard.kind == "establishment"))
        if h.ref not in shown
    )
    cache = _cache(app)
    first = client.get(f"/maps/establishments/{SITE}").text
    builds = cache.misses
    other = find_record(demo, ESTABLISHMENTS, far)
    save_record(demo, ESTABLISHMENTS, {"ref": far, "name": "Renamed Far Away"}, existing=other)
    demo.commit()
    again = client.get(f"/maps/establishments/{SITE}").text
    assert cache.misses == builds + 1  # what the map draws is read again; the map is not redrawn
    assert re.findall(r"map_[0-9a-f]{32}", again)[0] == re.findall(r"map_[0-9a-f]{32}", first)[0]
    save_record(demo, ESTABLISHMENTS, {"ref": SITE, "name": "Renamed Here"}, existing=site)
    demo.commit()
    redrawn = client.get(f"/maps/establishments/{SITE}").text
    assert cache.misses == builds + 3
    assert "Renamed Here" in redrawn
    assert re.findall(r"map_[0-9a-f]{32}", redrawn)[0] != re.findall(r"map_[0-9a-f]{32}", first)[0]
