"""User text with script payloads shows as text on every page that carries it: no dialog fires."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import HOSTILE, HOSTILE_PLAN, HOSTILE_REF, LiveApp, Tab

PAGES = [
    "/establishments/",
    f"/establishments/{HOSTILE_REF}",
    "/plans/",
    f"/plans/{HOSTILE_PLAN}",
    "/duties/",
    "/duties/calendar",
]
# The audit trail holds the payload as who made changes (the "Who" column) and as a locked
# sign-in address (the "Record" column), unfiltered and through the filters: path, the column
# whose cells must show it, and the action of those rows.
AUDIT_PAGES = [
    ("/admin/audit", "Record", "lock"),
    (f"/admin/audit?actor={quote(HOSTILE)}", "Who", "create"),
    (f"/admin/audit?ref={quote(HOSTILE)}&action=lock", "Record", "lock"),
]
AUDIT_COLUMNS = ["When (UTC)", "Who", "Action", "What", "Record", "Fields"]


def _opens_without_running_the_payload(tab: Tab, live_app: LiveApp, path: str) -> None:
    response = tab.page.goto(live_app(path))
    assert response is not None and response.status == 200, path
    assert tab.page.locator("img[src='x']").count() == 0
    assert tab.dialogs == []


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_script_payloads_are_shown_as_text(tab: Tab, live_app: LiveApp, path: str) -> None:
    _opens_without_running_the_payload(tab, live_app, path)
    assert HOSTILE in (tab.page.locator("main").text_content() or "")


@pytest.mark.browser
@pytest.mark.parametrize(("path", "column", "action"), AUDIT_PAGES)
def test_script_payloads_in_the_audit_trail_are_shown_as_text(
    admin_tab: Tab, live_app: LiveApp, path: str, column: str, action: str
) -> None:
    _opens_without_running_the_payload(admin_tab, live_app, path)
    page = admin_tab.page
    assert page.locator("main table thead th").all_text_contents() == AUDIT_COLUMNS
    rows = [
        row.locator("th, td").all_text_contents()
        for row in page.locator("main table tbody tr").all()
    ]
    shown = [cells for cells in rows if cells[AUDIT_COLUMNS.index(column)] == HOSTILE]
    assert shown, rows[:3]
    assert {cells[AUDIT_COLUMNS.index("Action")] for cells in shown} == {action}
