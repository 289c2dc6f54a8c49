"""The maps in a real browser, offline: drawn, switchable, clickable, escaped, printable, saved."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import HOSTILE, HOSTILE_REF, LOOPBACK, LiveApp, Tab
from tests.webmap.conftest import make_map_data
from webmap.assets import MapAssets
from webmap.compose import MapOptions, overview_map
from webmap.document import map_parts, standalone_html
from webmap.map_data import MapData

pytestmark = pytest.mark.browser

SITE = "HAL-COMAH-01"
PANES = {
    "wards": "rmWards",
    "zones": "rmZones",
    "establishments": "rmSites",
    "pipelines": "rmPipelines",
    "receptors": "rmReceptors",
}
COUNTS_JS = "() => ResilienceMap.counts()"


def drawn_paths(tab: Tab, pane: str) -> int:
    return tab.page.locator(f".leaflet-{pane}-pane path.leaflet-interactive").count()


def assert_stayed_home(tab: Tab, offsite: list[str]) -> None:
    assert offsite == [], f"requests left loopback: {offsite}"
    for url in tab.requests:
        parts = urlsplit(url)
        assert parts.scheme in ("data", "blob") or parts.hostname in LOOPBACK, url
    assert tab.errors == [], tab.errors


def screen_point(tab: Tab, ref: str, zoom: int | None = None) -> tuple[float, float]:
    """Return where the site or pipeline `ref` is on screen (zooming in on it first)."""
    point: list[float] = tab.page.evaluate(
        """([ref, zoom]) => {
            const state = Object.values(ResilienceMap.maps)[0];
            const entry = state.index.find(e => e.ref === ref);
            const at = entry.layer.getLatLng ? entry.layer.getLatLng()
                : entry.layer.getBounds().getCenter();
            if (zoom) state.map.setView(at, zoom, {animate: false});
            const p = state.map.latLngToContainerPoint(at);
            const box = state.map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [ref, zoom],
    )
    return point[0], point[1]


def test_overview_draws_every_feature_offline(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.open_map(live_app("/maps/"))
    assert tab.page.evaluate("() => L.version") == "1.9.4"
    counts: dict[str, Any] = tab.page.evaluate(COUNTS_JS)
    expected = live_app.counts
    assert counts["wards"]["shown"] == expected["wards"] == 18
    assert counts["zones"]["shown"] == expected["zones"]
    assert counts["sites"]["shown"] == expected["establishments"] == 10
    assert counts["pipelines"]["shown"] == expected["pipelines"]
    assert counts["receptors"]["shown"] == expected["receptors"]
    for layer, pane in PANES.items():
        assert drawn_paths(tab, pane) == expected[layer], layer
    # The offline base lies under the opaque wards: it is drawn only when they are off.
    assert tab.page.locator(".leaflet-rmBase-pane path").count() == 0
    expect(tab.page.locator(".leaflet-control-scale-line")).to_have_text(re.compile(r"^\d+ k?m$"))
    expect(tab.page.locator(".rm-legend-control")).to_contain_text("Hazard zones")
    tab.page.screenshot(path=artifacts / "maps-overview.png", full_page=True)
    assert_stayed_home(tab, offsite)


def test_layer_control_switches_a_layer_off_and_on(
    tab: Tab, live_app: LiveApp, offsite: list[str]
) -> None:
    tab.open_map(live_app("/maps/"))
    before = drawn_paths(tab, "rmZones")
    inner = tab.page.evaluate(
        "() => Object.values(ResilienceMap.maps)[0].layers.zones_inner.layer.getLayers().length"
    )
    assert inner > 0
    checkbox = tab.page.get_by_label("Inner zones")
    checkbox.uncheck()
    assert drawn_paths(tab, "rmZones") == before - inner
    assert tab.page.evaluate(COUNTS_JS)["zones"]["shown"] == before - inner
    checkbox.check()
    assert drawn_paths(tab, "rmZones") == before
    tab.page.get_by_label("Sensitive places").uncheck()
    assert drawn_paths(tab, "rmReceptors") == 0
    tab.page.get_by_label("Wards", exact=True).uncheck()
    assert drawn_paths(tab, "rmWards") == 0
    assert tab.page.locator(".leaflet-rmBase-pane path").count() == 1
    assert_stayed_home(tab, offsite)


def test_popup_shows_facts_and_links_to_the_record_page(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.open_map(live_app("/maps/"))
    x, y = screen_point(tab, SITE, zoom=15)
    tab.page.mouse.click(x, y)
    popup = tab.page.locator(".leaflet-popup .rm-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".rm-popup__title")).to_have_text("INEOS Inovyn - Runcorn Site")
    tab.page.wait_for_function(  # Leaflet fades popups in
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    record = popup.get_by_role("link", name="Record page")
    assert record.get_attribute("href") == f"/establishments/{SITE}"
    assert popup.get_by_role("link", name="Map of this one").get_attribute("href") == (
        f"/maps/establishments/{SITE}"
    )
    tab.page.screenshot(path=artifacts / "maps-popup.png")
    record.click()
    tab.page.wait_for_url(live_app(f"/establishments/{SITE}"))
    expect(tab.page.locator("h1")).to_have_text("INEOS Inovyn - Runcorn Site")
    assert_stayed_home(tab, offsite)


def test_ward_popup_links_to_the_ward(tab: Tab, live_app: LiveApp, offsite: list[str]) -> None:
    tab.open_map(live_app("/maps/"))
    tab.page.get_by_label("Outer zones (consultation distance)").uncheck()
    tab.page.get_by_label("Public information zones").uncheck()
    box = tab.page.evaluate(
        """() => {
            const state = Object.values(ResilienceMap.maps)[0];
            const ward = state.layers.wards.layer.getLayers().find(
                l => state.sources.wards.props.name[l.rmIndex] === "Daresbury, Moore & Sandymoor");
            const p = state.map.latLngToContainerPoint(ward.getCenter());
            const r = state.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y, state.sources.wards.props.ref[ward.rmIndex]];
        }"""
    )
    tab.page.mouse.click(box[0], box[1])
    popup = tab.page.locator(".leaflet-popup .rm-popup")
    expect(popup.locator(".rm-popup__title")).to_have_text("Daresbury, Moore & Sandymoor")
    assert popup.get_by_role("link", name="Ward page").get_attribute("href") == f"/wards/{box[2]}"
    assert_stayed_home(tab, offsite)


def test_search_finds_a_site_and_its_name_is_shown_as_text(
    tab: Tab, live_app: LiveApp, offsite: list[str]
) -> None:
    tab.open_map(live_app("/maps/"))
    search = tab.page.get_by_label("Find a site or pipeline")
    search.fill(HOSTILE_REF)
    search.press("Enter")
    title = tab.page.locator(".leaflet-popup .rm-popup__title")
    expect(title).to_have_text(HOSTILE)
    assert tab.page.locator(".leaflet-popup img").count() == 0
    expect(tab.page.locator(".rm-search__status")).to_have_text(f"Showing {HOSTILE}.")
    x, y = screen_point(tab, HOSTILE_REF)
    tab.page.mouse.move(x + 1, y + 1)
    expect(tab.page.locator(".leaflet-tooltip").first).to_have_text(HOSTILE)
    search.fill("no such place")
    search.press("Enter")
    expect(tab.page.locator(".rm-search__status")).to_contain_text("No site or pipeline matches")
    assert tab.dialogs == []
    assert_stayed_home(tab, offsite)


def test_show_on_map_button_outside_the_map(
    tab: Tab, live_app: LiveApp, offsite: list[str]
) -> None:
    tab.open_map(live_app("/maps/"))
    tab.page.get_by_role("button", name="Show Ethylene").first.click()
    expect(tab.page.locator(".leaflet-popup .rm-popup__subtitle")).to_have_text(
        "Major accident hazard pipeline"
    )
    assert_stayed_home(tab, offsite)


def test_hazard_map_is_framed_on_its_outer_zone_beside_its_table(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.open_map(live_app(f"/maps/establishments/{SITE}"))
    fit = tab.page.evaluate(
        """() => {
            const state = Object.values(ResilienceMap.maps)[0];
            const outer = state.layers.zones_outer.layer.getBounds();
            const view = state.map.getBounds();
            return [view.contains(outer),
                    (outer.getEast() - outer.getWest()) / (view.getEast() - view.getWest()),
                    (outer.getNorth() - outer.getSouth()) / (view.getNorth() - view.getSouth())];
        }"""
    )
    assert fit[0], "the outer zone is not wholly in view"
    assert max(fit[1], fit[2]) > 0.6, f"the outer zone fills too little of the map: {fit}"
    counts = tab.page.evaluate(COUNTS_JS)
    assert counts["zones"]["total"] == 4
    expect(tab.page.locator(".rm-label")).to_have_text("INEOS Inovyn - Runcorn Site")
    table = tab.page.locator(".rm-page-grid__side table").first
    expect(table).to_be_visible()
    map_box = tab.page.locator(".rm-map").bounding_box()
    table_box = table.bounding_box()
    assert map_box and table_box and table_box["x"] > map_box["x"] + map_box["width"] - 1
    tab.page.screenshot(path=artifacts / "maps-hazard.png", full_page=True)
    assert_stayed_home(tab, offsite)


def test_pipeline_map(tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path) -> None:
    tab.open_map(live_app("/maps/pipelines/HAL-MAHP-ETH"))
    assert tab.page.evaluate(COUNTS_JS)["zones"]["total"] == 3
    tab.page.screenshot(path=artifacts / "maps-pipeline.png")
    assert_stayed_home(tab, offsite)


def test_projector_view_is_larger_and_heavier(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.open_map(live_app("/maps/?contrast=high"))
    container = tab.page.locator(".rm-map")
    expect(container).to_have_class(
        "folium-map rm-map rm-map--high-contrast leaflet-container "
        "leaflet-touch leaflet-fade-anim leaflet-grab "
        "leaflet-touch-drag leaflet-touch-zoom"
    )
    size = tab.page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.rm-legend-control')).fontSize)"
    )
    assert size >= 19
    weight = tab.page.evaluate(
        "() => Object.values(ResilienceMap.maps)[0].layers.pipelines.layer.getLayers()[0]"
        ".options.weight"
    )
    assert weight == 8
    container.screenshot(path=artifacts / "maps-overview-high-contrast.png")
    assert_stayed_home(tab, offsite)


def test_print_keeps_the_key_and_scale(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.open_map(live_app("/maps/"))
    tab.page.emulate_media(media="print")
    tab.page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(tab.page.locator(".rm-legend-control")).to_be_visible()
    expect(tab.page.locator(".leaflet-control-scale")).to_be_visible()
    expect(tab.page.locator(".leaflet-control-layers")).to_be_hidden()
    expect(tab.page.locator(".rm-search")).to_be_hidden()
    expect(tab.page.locator(".rm-toolbar")).to_be_hidden()
    tab.page.screenshot(path=artifacts / "maps-overview-print.png", full_page=True)
    tab.page.emulate_media(media="screen")
    assert_stayed_home(tab, offsite)


def test_downloaded_html_works_with_no_network_at_all(
    tab: Tab, browser: Browser, live_app: LiveApp, artifacts: Path
) -> None:
    response = tab.page.request.get(live_app(f"/maps/download/html/establishments/{SITE}"))
    assert response.ok
    html = response.text()
    (artifacts / "maps-hazard-download.html").write_text(html, encoding="utf-8")
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 950})
    requests: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_content(html)
        page.wait_for_selector(".rm-map[data-drawn=true]", timeout=15_000)
        counts = page.evaluate(COUNTS_JS)
        assert counts["zones"]["shown"] == 4
        assert counts["sites"]["shown"] >= 1
        expect(page.locator(".rm-legend-control")).to_be_visible()
        page.screenshot(path=artifacts / "maps-hazard-download.png")
    finally:
        context.close()
    assert [url for url in requests if not url.startswith("data:")] == []
    assert errors == []


def test_png_download_is_the_map_as_an_image(tab: Tab, live_app: LiveApp, artifacts: Path) -> None:
    response = tab.page.request.get(live_app("/maps/overview.png"))
    assert response.ok, response.text()
    assert response.headers["content-type"] == "image/png"
    image = response.body()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", image[16:24])
    assert (width, height) == (1600, 1100)
    assert len(image) > 30_000  # a drawn map, not a blank page
    (artifacts / "maps-overview-download.png").write_bytes(image)


def test_zoomed_out_map_swaps_to_fine_shapes_when_zoomed_in(browser: Browser) -> None:
    data = make_map_data()
    far = data.wards.copy()
    far.geometry = far.geometry.translate(4.0, 6.0)
    far["code"] = ["E05000003", "E05000004"]
    wide = MapData(
        pd.concat([data.wards, far], ignore_index=True),
        data.zones,
        data.establishments,
        data.pipelines,
        data.receptors,
    )
    m = overview_map(wide, MapOptions(assets=MapAssets.inlined()))
    html = standalone_html(map_parts(m), "Wide")
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 800})
    try:
        page = context.new_page()
        page.set_content(html)
        page.wait_for_selector(".rm-map[data-drawn=true]")
        levels = """() => { const s = Object.values(ResilienceMap.maps)[0];
            return [s.map.getZoom(), s.coarseMaxZoom, s.layers.wards.level,
                    s.layers.zones_outer.level, s.layers.zones_outer.layer.getLayers()[0]
                      .getLatLngs().flat(3).length]; }"""
        zoom, limit, wards, zones, coarse_vertices = page.evaluate(levels)
        assert zoom <= limit and (wards, zones) == ("coarse", "coarse")
        page.evaluate(
            "() => { const s = Object.values(ResilienceMap.maps)[0];"
            " s.map.setView(s.layers.zones_outer.layer.getBounds().getCenter(),"
            " s.coarseMaxZoom + 2, {animate: false}); }"
        )
        _, _, wards, zones, fine_vertices = page.evaluate(levels)
        assert (wards, zones) == ("fine", "fine")
        assert fine_vertices > coarse_vertices
    finally:
        context.close()


def test_hazard_page_folds_its_key_but_prints_it(
    tab: Tab, live_app: LiveApp, offsite: list[str]
) -> None:
    tab.open_map(live_app("/maps/pipelines/HAL-MAHP-ETH"))
    legend = tab.page.locator("details.rm-legend")
    assert legend.get_attribute("open") is None
    tab.page.locator(".rm-legend__summary").click()
    expect(tab.page.locator(".rm-legend__body")).to_be_visible()
    tab.page.locator(".rm-legend__summary").click()
    tab.page.emulate_media(media="print")
    tab.page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(tab.page.locator(".rm-legend__body")).to_be_visible()
    tab.page.emulate_media(media="screen")
    assert_stayed_home(tab, offsite)
