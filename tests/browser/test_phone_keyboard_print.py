"""What a person sees on a phone, by keyboard, on paper and on a projector (issue #12 items 6–9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveApp, Tab
from tests.browser.test_maps import assert_stayed_home

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PAGES = [
    "/",
    "/establishments/",
    "/establishments/HAL-COMAH-01",
    "/pipelines/",
    "/plans/",
    "/duties/",
    "/exercises/",
    "/training/",
    "/members/",
    "/wards/",
    "/whatif/?layer=establishments&ref=HAL-COMAH-01",
]
ACTIVE = """() => {
    const e = document.activeElement;
    return {tag: e.tagName.toLowerCase(), cls: e.getAttribute('class') || ''};
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES)
def test_no_page_is_wider_than_the_screen(
    tab: Tab, live_app: LiveApp, artifacts: Path, path: str, viewport: dict[str, int]
) -> None:
    tab.page.set_viewport_size(viewport)
    tab.page.goto(live_app(path))
    width = tab.page.evaluate("() => document.documentElement.scrollWidth")
    name = path.strip("/").split("?")[0].replace("/", "-") or "home"
    kind = "phone" if viewport is PHONE else "desktop"
    tab.page.screenshot(path=artifacts / f"{kind}-{name}.png", full_page=True)
    assert width <= viewport["width"], (
        f"{path} is {width} px wide on a {viewport['width']} px screen"
    )


SECTIONS = ["Map", "Register", "Plans", "Briefings", "Training", "Reports"]  # an officer's


def test_the_header_is_one_row_on_a_laptop_and_folds_into_a_menu_on_a_phone(
    tab: Tab, live_app: LiveApp
) -> None:
    page = tab.page
    page.set_viewport_size(DESKTOP)
    page.goto(live_app("/wards/"))
    items = page.locator(".govuk-service-navigation__item")
    assert items.all_inner_texts() == SECTIONS
    boxes = [item.bounding_box() for item in items.all()]
    assert all(box is not None for box in boxes)
    rows = {round(box["y"]) for box in boxes if box is not None}
    assert len(rows) == 1, f"the sections take {len(rows)} rows at 1366 px"
    name = page.locator(".govuk-service-navigation__service-name").bounding_box()
    account = page.locator(".app-account-navigation").bounding_box()
    assert name is not None and account is not None
    assert abs(name["y"] - min(rows)) < 20  # the service name on the same row
    assert account["y"] + account["height"] <= min(rows)  # your own links above it
    pages = page.locator(".app-section-navigation a")
    assert pages.all_inner_texts() == [
        "Establishments",
        "Pipelines",
        "Radiation premises",
        "Wards",
        "Sensitive places",
        "Import and export",
    ]
    assert page.locator(".app-section-navigation [aria-current=page]").inner_text() == "Wards"

    page.set_viewport_size(PHONE)
    page.goto(live_app("/wards/"))
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(items.first).to_be_hidden()
    expect(page.locator(".app-account-navigation")).to_be_visible()
    menu.click()
    expect(items.first).to_be_visible()
    assert menu.get_attribute("aria-expanded") == "true"


def test_a_refused_date_is_reached_from_the_error_summary_by_keyboard(
    tab: Tab, live_app: LiveApp
) -> None:
    page = tab.page
    page.goto(live_app("/plans/PLAN-RUNCORN-SITE/reviews/new"))
    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2025")
    page.get_by_label("Reviewed by").fill("Sam Jones")
    page.get_by_label("No change needed").check()
    page.get_by_role("button", name="Record review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK's script moves focus to it
    link = summary.get_by_role("link", name="Date of the review must be a real date")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reviewed_on-day")).to_be_focused()
    assert page.locator("#reviewed_on-day").input_value() == "30"  # as typed, to put right


def test_a_wide_table_scrolls_in_its_box_and_can_be_reached_by_keyboard(
    tab: Tab, live_app: LiveApp
) -> None:
    tab.page.set_viewport_size(PHONE)
    tab.page.goto(live_app("/plans/"))
    box = tab.page.locator(".app-table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table is wider than the phone
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"
    tab.page.set_viewport_size(DESKTOP)
    tab.page.goto(live_app("/plans/"))
    assert tab.page.locator(".app-table-scroll").first.get_attribute("tabindex") is None


def test_phone_overview_shows_the_map_with_layers_and_key_folded(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.page.set_viewport_size(PHONE)
    tab.open_map(live_app("/maps/"))
    expect(tab.page.locator(".leaflet-control-layers-list")).to_be_hidden()
    assert tab.page.locator("details.rm-legend").get_attribute("open") is None
    # The middle of the map is map, not a control lying over it.
    hit = tab.page.evaluate(
        """() => {
            const box = document.querySelector('.rm-map').getBoundingClientRect();
            const e = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return !!e.closest('.rm-map') && !e.closest('.leaflet-control');
        }"""
    )
    assert hit
    tab.page.locator(".rm-map").screenshot(path=artifacts / "phone-overview-map.png")
    tab.page.get_by_role("button", name="Layers").click()
    expect(tab.page.locator(".leaflet-control-layers-list")).to_be_visible()
    toggle = tab.page.locator(".leaflet-control-layers-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    tab.page.keyboard.press("Escape")  # focus is in the list: Escape folds it again
    expect(tab.page.locator(".leaflet-control-layers-list")).to_be_hidden()
    tab.page.locator(".rm-legend__summary").click()
    expect(tab.page.locator(".rm-legend__body")).to_be_visible()
    assert_stayed_home(tab, offsite)


def test_keyboard_reaches_search_and_layers_before_any_shape(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path
) -> None:
    tab.page.set_viewport_size(DESKTOP)
    tab.open_map(live_app("/maps/"))
    tab.page.locator(".rm-map").focus()
    order: list[str] = []
    for _ in range(40):
        tab.page.keyboard.press("Tab")
        active = tab.page.evaluate(ACTIVE)
        if "rm-search__input" in active["cls"]:
            order.append("search")
        elif "leaflet-control-layers-selector" in active["cls"] and "layers" not in order:
            order.append("layers")
        elif active["tag"] == "path":
            order.append("shape")
            break
    assert order == ["search", "layers", "shape"]
    # The focused shape is clearly marked, and Enter opens its details as a click would.
    focused = tab.page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {stroke: s.stroke, width: parseFloat(s.strokeWidth)};
        }"""
    )
    assert focused["stroke"] == "rgb(255, 221, 0)"
    assert focused["width"] >= 6
    tab.page.locator(".rm-map").screenshot(path=artifacts / "maps-overview-shape-focus.png")
    tab.page.keyboard.press("Enter")
    expect(tab.page.locator(".leaflet-popup-content")).to_be_visible()
    assert_stayed_home(tab, offsite)


@pytest.mark.parametrize("path", ["/maps/", "/maps/establishments/HAL-COMAH-01"])
def test_printed_map_frames_the_whole_area_with_its_key_below(
    tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path, path: str
) -> None:
    tab.page.set_viewport_size(DESKTOP)
    tab.open_map(live_app(path))
    tab.page.emulate_media(media="print")
    tab.page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    framed = tab.page.evaluate(
        """() => {
            const state = Object.values(ResilienceMap.maps)[0];
            const map = state.map.getContainer().getBoundingClientRect();
            const key = document.querySelector('.rm-print-key').getBoundingClientRect();
            return {
                whole: state.map.getBounds().contains(L.latLngBounds(state.bounds)),
                width: map.width, keyBelow: key.top >= map.bottom - 1,
                keyInside: !!state.map.getContainer().querySelector('.rm-legend-control'),
            };
        }"""
    )
    assert framed["whole"], "part of the area is off the printed map"
    assert framed["width"] <= 182 / 25.4 * 96  # fits A4 portrait's printable width
    assert framed["keyBelow"] and not framed["keyInside"]
    name = "overview" if path == "/maps/" else "hazard"
    tab.page.pdf(path=str(artifacts / f"maps-{name}-print.pdf"), format="A4", print_background=True)
    tab.page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    tab.page.emulate_media(media="screen")
    assert tab.page.locator(".rm-map .rm-legend-control").count() == 1
    assert tab.page.locator(".rm-print-key").count() == 0
    assert_stayed_home(tab, offsite)


def test_projector_view_makes_the_page_text_larger_too(tab: Tab, live_app: LiveApp) -> None:
    tab.page.set_viewport_size(DESKTOP)
    size = "() => parseFloat(getComputedStyle(document.querySelector('.govuk-body')).fontSize)"
    tab.open_map(live_app("/maps/"))
    normal = tab.page.evaluate(size)
    tab.open_map(live_app("/maps/?contrast=high"))
    assert tab.page.evaluate(size) >= max(24, normal + 4)


def test_overview_frames_the_area_clear_of_the_key_and_layer_list(
    tab: Tab, live_app: LiveApp
) -> None:
    tab.page.set_viewport_size(DESKTOP)
    tab.open_map(live_app("/maps/"))
    clear = tab.page.evaluate(
        """() => {
            const state = Object.values(ResilienceMap.maps)[0], map = state.map;
            const bounds = L.latLngBounds(state.bounds);
            const west = map.latLngToContainerPoint(bounds.getSouthWest()).x;
            const east = map.latLngToContainerPoint(bounds.getNorthEast()).x;
            const box = map.getContainer().getBoundingClientRect();
            const key = document.querySelector('.rm-legend-control').getBoundingClientRect();
            const layers = document.querySelector('.leaflet-control-layers')
                .getBoundingClientRect();
            return {west: box.left + west, keyRight: key.right,
                    east: box.left + east, layersLeft: layers.left};
        }"""
    )
    assert clear["west"] >= clear["keyRight"] - 1
    assert clear["east"] <= clear["layersLeft"] + 1


def test_zone_colours_on_the_map_are_the_colours_of_the_key(tab: Tab, live_app: LiveApp) -> None:
    tab.page.set_viewport_size(DESKTOP)
    tab.open_map(live_app("/maps/"))
    drawn = tab.page.evaluate(
        """() => Array.from(document.querySelectorAll('.leaflet-rmZones-pane path'))
            .filter(p => p.getAttribute('fill') !== 'none')
            .map(p => [p.getAttribute('fill'), p.getAttribute('fill-opacity')])"""
    )
    key = tab.page.evaluate(
        """() => Array.from(document.querySelectorAll('.rm-legend__swatch rect'))
            .map(r => [r.getAttribute('fill'), r.getAttribute('fill-opacity')])"""
    )
    assert drawn
    # Opaque bands: nothing under a band can blend it into a colour the key does not show.
    assert {opacity for _, opacity in drawn} == {"1"}
    assert {tuple(pair) for pair in drawn} <= {tuple(pair) for pair in key}
    # Ward boundaries are drawn over the bands, so which wards a zone crosses stays visible.
    assert tab.page.locator(".leaflet-rmWardLines-pane path").count() > 0


@pytest.mark.parametrize(
    "path", ["/maps/pipelines/HAL-MAHP-ETH", "/maps/establishments/HAL-COMAH-01"]
)
def test_a_hazard_maps_label_and_layer_button_are_whole_and_inside_the_map(
    tab: Tab, live_app: LiveApp, path: str
) -> None:
    tab.page.set_viewport_size(DESKTOP)
    tab.open_map(live_app(path))
    inside = tab.page.evaluate(
        """() => {
            const map = document.querySelector('.rm-map').getBoundingClientRect();
            const label = document.querySelector('.rm-label').getBoundingClientRect();
            return label.left >= map.left && label.right <= map.right;
        }"""
    )
    assert inside, "the site's label runs past the map's edge"
    expect(tab.page.get_by_role("button", name="Layers")).to_have_text("Layers")
