"""A large register's overview in a real browser, offline: wards fetched by view, drawn, redrawn.

The app here treats the Halton demo as a large register (MAP_INLINE_WARDS_MAX = 0), so the
overview page carries no ward shapes and map.js fetches them from /maps/layers/wards.json.
Every request that would leave loopback is blocked (conftest's guard).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.browser.conftest import LiveApp, Tab, _context, _tab, serve
from tests.browser.test_maps import COUNTS_JS, assert_stayed_home

pytestmark = pytest.mark.browser
WARDS = "/maps/layers/wards.json"


@pytest.fixture(scope="module")
def large_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    yield from serve(tmp_path_factory.mktemp("large-register"), threads=4, MAP_INLINE_WARDS_MAX=0)


@pytest.fixture(scope="module")
def large_context(
    browser: Browser, large_app: LiveApp, offsite: list[str]
) -> Iterator[BrowserContext]:
    context = _context(browser, large_app, offsite)
    yield context
    context.close()


@pytest.fixture
def large_tab(large_context: BrowserContext) -> Iterator[Tab]:
    yield from _tab(large_context)


def _ward_requests(tab: Tab) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(u).query) for u in tab.requests if urlsplit(u).path == WARDS]


def test_the_overview_draws_its_wards_from_the_endpoint_offline(
    large_tab: Tab, large_app: LiveApp, offsite: list[str]
) -> None:
    page = large_tab.page
    large_tab.open_map(large_app("/maps/"))
    asked = _ward_requests(large_tab)
    assert len(asked) == 1 and asked[0]["measure"] == ["exposure"]
    counts = page.evaluate(COUNTS_JS)
    assert counts["wards"] == {
        "total": large_app.counts["wards"],
        "shown": large_app.counts["wards"],
    }
    assert counts["zones"]["shown"] > 0
    # Drawn on the map: a ward's popup shows its name and colour value.
    state_js = "() => Object.values(ResilienceMap.maps)[0]"
    zoom = page.evaluate(f"() => ({state_js})().map.getZoom()")
    assert int(asked[0]["zoom"][0]) >= zoom
    assert page.get_attribute(".rm-map", "data-load-error") is None
    # The offline base is made from the fetched wards when they are switched off.
    assert page.locator(".leaflet-rmBase-pane path").count() == 0
    page.get_by_label("Wards", exact=True).uncheck()
    assert page.locator(".leaflet-rmBase-pane path").count() == 1
    page.get_by_label("Wards", exact=True).check()
    assert page.locator(".leaflet-rmBase-pane path").count() == 0

    # Zoomed in on Runcorn: a new answer for the smaller view, within 5 m, and wards redrawn.
    page.evaluate(f"() => ({state_js})().map.setView([53.33, -2.735], 15, {{animate: false}})")
    page.wait_for_function(
        f"""() => {{
            const s = ({state_js})();
            return s.sources.wards.error_m === 5 && s.layers.wards.layer.getLayers().length > 0;
        }}"""
    )
    asked = _ward_requests(large_tab)
    assert [a["zoom"] for a in asked] == [asked[0]["zoom"], ["15"]]
    shown = page.evaluate(COUNTS_JS)["wards"]["total"]
    assert 0 < shown < large_app.counts["wards"]
    # A small move inside the block already sent asks for nothing more.
    page.evaluate(f"() => ({state_js})().map.panBy([20, 10], {{animate: false}})")
    page.wait_for_timeout(200)  # an answer would be a request: none may be made at all
    assert len(_ward_requests(large_tab)) == 2
    assert page.evaluate(COUNTS_JS)["ward_lines"]["total"] == shown
    # Zoomed right out, the wards are drawn without their outlines over the zones.
    page.evaluate(f"() => ({state_js})().map.setView([53.33, -2.735], 7, {{animate: false}})")
    page.wait_for_function(f"() => ({state_js})().sources.wards.zoom === 7")
    counts = page.evaluate(COUNTS_JS)
    assert counts["wards"]["total"] == large_app.counts["wards"]
    assert counts["ward_lines"]["total"] == 0
    assert_stayed_home(large_tab, offsite)
