"""User text with script payloads shows as text on every page that carries it: no dialog fires."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HOSTILE, HOSTILE_PLAN, HOSTILE_REF, LiveApp, Tab

PAGES = [
    "/establishments/",
    f"/establishments/{HOSTILE_REF}",
    "/plans/",
    f"/plans/{HOSTILE_PLAN}",
    "/duties/",
    "/duties/calendar",
    "/admin/audit",
]


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_script_payloads_are_shown_as_text(tab: Tab, live_app: LiveApp, path: str) -> None:
    response = tab.page.goto(live_app(path))
    assert response is not None and response.status in (200, 403), path
    if response.status == 200 and path != "/admin/audit":
        assert HOSTILE in (tab.page.locator("main").text_content() or "")
    assert tab.page.locator("main img[src='x']").count() == 0
    assert tab.dialogs == []
