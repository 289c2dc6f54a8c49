"""Each person is offered only what their role may do, and errors say what happened (issue #12)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.storage.models import AuditEvent
from tests.support.html import parse

# The pages each role opens first; every link and form on them is followed below.
START_PAGES = [
    "/",
    "/establishments/",
    "/establishments/HAL-COMAH-01",
    "/pipelines/",
    "/wards/",
    "/receptors/",
    "/plans/",
    "/duties/",
    "/exercises/",
    "/training/",
    "/members/",
    "/reports/",
]
# Files, not pages: each is tested where it is made, and drawing them all here would be slow.
FILES = (".pdf", ".docx", ".png", ".csv", ".ics", ".geojson", ".gpkg", ".zip", ".html")
STOCK_403 = "read-protected"
STOCK_404 = "The requested URL was not found on the server"


def _internal(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and href.startswith("/")


@pytest.mark.parametrize("role", ["member", "planner"])
def test_no_page_offers_an_action_the_role_may_not_take(
    role: str, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    client = client_as(role)
    refused: list[str] = []
    seen: set[str] = set()
    for start in START_PAGES:
        response = client.get(start, follow_redirects=True)
        assert response.status_code == 200, start
        page = parse(response.text)
        for href in page.links():
            path = href.split("#")[0]
            if not path or not _internal(path) or path in seen or "/logout" in path:
                continue
            if urlsplit(path).path.endswith(FILES) or "/download" in path:
                continue
            seen.add(path)
            if client.get(path).status_code == 403:
                refused.append(f"{start} links to {path}")
        for form in page.find_all("form"):
            action = form.get("action") or start
            if form.get("method", "get").lower() == "post" and _internal(action):
                if client.post(action, data={}).status_code == 403:
                    refused.append(f"{start} has a form that posts to {action}")
    assert refused == []
    assert len(seen) > 30  # the pages were really followed


def test_member_sees_no_change_buttons(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    member = parse(client_as("member").get("/establishments/HAL-COMAH-01").text)
    officer = parse(client_as("officer").get("/establishments/HAL-COMAH-01").text)
    for words in ("Change", "Delete"):
        assert words not in member.text
        assert words in officer.text
    listing = parse(client_as("member").get("/establishments/").text)
    assert "Add establishment" not in listing.text
    assert "Import or export" not in listing.text


def test_refusal_and_missing_pages_say_what_happened_and_where_to_go(
    client_as: Callable[[str], FlaskClient],
) -> None:
    member = client_as("member")
    refused = member.get("/establishments/new")
    assert refused.status_code == 403
    text = parse(refused.text).text
    assert STOCK_403 not in text
    assert "Elected member" in text and "ask an administrator" in text
    missing = member.get("/establishments/NO-SUCH-SITE")
    assert missing.status_code == 404
    text = parse(missing.text).text
    assert STOCK_404 not in text
    assert "check it is correct" in text
    assert "/" in parse(missing.text).links()  # a way back home


def test_officer_home_lists_the_overdue_duties(client: FlaskClient, session: Session) -> None:
    load_demo(session)
    session.commit()
    page = parse(client.get("/").text)
    duties = parse(client.get("/duties/?status=overdue").text)
    overdue_count = duties.text.count("Overdue")
    heading = page.text_by_id.get("overdue", "")
    if overdue_count:
        assert heading.startswith("Needs attention now (")
        assert any(link.startswith("/plans/") for link in page.links())
    else:
        assert "No duty is overdue" in page.text


def test_audit_trail_is_paged_in_plain_words_and_keeps_its_filters(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    for n in range(120):
        session.add(
            AuditEvent(
                actor="officer@test.invalid",
                action="update",
                entity="plan_reviews",
                ref=f"R-{n}",
                after={"display_name": "x"},
            )
        )
    session.add(AuditEvent(actor="someone@test.invalid", action="create", entity="hazards"))
    session.commit()
    admin = client_as("admin")
    first = parse(admin.get("/admin/audit?actor=officer@test.invalid").text)
    assert "Events 1 to 50 of 120" in first.text
    assert len(first.find_all("tr", class_="govuk-table__row")) == 51  # and a header row
    assert "Plan review" in first.text and "plan_reviews" not in first.text.replace(
        'value="plan_reviews"', ""
    )
    assert "display_name" not in first.text
    next_links = [href for href in first.links() if "page=2" in href]
    assert next_links
    for href in next_links:
        assert parse_qs(urlsplit(href).query)["actor"] == ["officer@test.invalid"]
    last = parse(admin.get(next_links[0].replace("page=2", "page=3")).text)
    assert "Events 101 to 120 of 120" in last.text
    assert admin.get("/admin/audit?page=x").status_code == 400
