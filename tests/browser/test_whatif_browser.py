"""The what-if page in headless Chromium with every off-site request blocked."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveApp, Tab
from tests.browser.test_maps import COUNTS_JS, assert_stayed_home, drawn_paths

pytestmark = pytest.mark.browser

SITE = "HAL-COMAH-01"


def test_the_whatif_page_draws_its_zones_offline(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.page.goto(live_app(f"/whatif/?layer=establishments&ref={SITE}"))
    lat = tab.page.locator("#lat").input_value()
    lon = tab.page.locator("#lon").input_value()
    query = urlencode(
        {"lat": lat, "lon": lon, "substance": "chlorine", "rate": "2", "rate_unit": "kg/s",
         "duration_min": "60", "height_m": "0", "wind_speed": "3", "wind_from": "W",
         "stability": "auto", "sky": "day_moderate", "terrain": "urban", "hazard_ref": SITE}
    )  # fmt: skip
    started = time.perf_counter()
    tab.open_map(live_app(f"/whatif/?{query}"))
    drawn_ms = (time.perf_counter() - started) * 1000
    counts: dict[str, Any] = tab.page.evaluate(COUNTS_JS)
    assert counts["threat_zones"]["shown"] == 3
    assert counts["sector"]["shown"] == 1
    assert counts["wind"]["shown"] == 1
    assert drawn_paths(tab, "rmZones") == 3
    assert drawn_paths(tab, "rmSector") == 1
    expect(tab.page.locator(".rm-legend-control")).to_contain_text("Red zone: AEGL-3")
    expect(tab.page.locator(".leaflet-control-scale-line")).to_have_text(re.compile(r"^\d+ k?m$"))
    expect(tab.page.locator(".rm-whatif-banner")).to_contain_text("UKHSA")
    assert tab.errors == [], tab.errors
    tab.page.screenshot(path=artifacts / "whatif.png", full_page=True)
    assert_stayed_home(tab, offsite)
    print(f"what-if page drawn in {drawn_ms:.0f} ms")


def test_bad_input_shows_its_message_next_to_the_field(tab: Tab, live_app: LiveApp) -> None:
    tab.page.goto(live_app(f"/whatif/?layer=establishments&ref={SITE}"))
    tab.page.select_option("#substance", "chlorine")
    tab.page.fill("#rate", "1")
    tab.page.fill("#wind_speed", "0.2")
    tab.page.fill("#wind_from", "W")
    tab.page.select_option("#stability", "D")
    tab.page.click("button[type=submit]")
    expect(tab.page.locator("#wind_speed-error")).to_contain_text("calm air")
    expect(tab.page.locator(".govuk-error-summary")).to_be_visible()


def test_a_click_on_the_overview_opens_a_whatif_there(
    tab: Tab, live_app: LiveApp, offsite: list[str]
) -> None:
    tab.open_map(live_app("/maps/"))
    point = tab.page.evaluate(
        """() => {
            const state = Object.values(ResilienceMap.maps)[0];
            const ward = state.layers.wards.layer.getLayers()[0];
            const p = state.map.latLngToContainerPoint(ward.getCenter());
            const r = state.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }"""
    )
    tab.page.mouse.click(point[0], point[1])
    link = tab.page.locator(".leaflet-popup").get_by_role("link", name="What if it leaks here?")
    expect(link).to_have_count(1)  # once, in the popup the feature opened, not a second one
    href = link.get_attribute("href") or ""
    found = re.fullmatch(r"/whatif/\?lat=(-?\d+\.\d{5})&lon=(-?\d+\.\d{5})", href)
    assert found, href
    link.click()
    expect(tab.page.locator("#lat")).to_have_value(found.group(1))
    expect(tab.page.locator("#lon")).to_have_value(found.group(2))
    assert tab.errors == [], tab.errors
    assert_stayed_home(tab, offsite)
