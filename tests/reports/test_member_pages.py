"""Elected members: a read-only home, and no way from it to an edit page or a sensitive document."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import urlsplit

import pypdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from resilience.domain.demo import load_demo
from resilience.storage.models import utcnow
from resilience.web.account.access import required_permission
from tests.support.builders import attend, make_session, make_user
from tests.support.html import parse
from tests.support.requests import url

START_PAGES = (
    ("members.home", {}),
    ("training.index", {}),
    ("reports.index", {}),
    ("reports.annual", {}),
)
# Pages of these blueprints are followed further; any other link is checked, then not followed.
FOLLOWED = ("/members", "/training", "/reports")


def _endpoint(app: Flask, path: str, method: str = "GET") -> str:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path, method=method)
    except HTTPException as error:  # pragma: no cover - a broken link fails the test
        raise AssertionError(f"{path}: no such page ({error})") from None
    return str(endpoint)


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def test_member_home_is_their_start_page(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    member = client_as("member")
    response = member.get("/")
    assert response.status_code == 302
    assert response.location == url(app, "members.home")
    page = parse(member.get(response.location).text)
    assert "Hazardous sites and pipelines: your briefing" in page.text
    cards = [a for a in page.find_all("div", class_="govuk-summary-card")]
    assert len(cards) == 11  # nine establishments and two pipelines
    assert "Overview map" in page.text
    images = [a["src"] for a in page.find_all("img")]
    assert images and member.get(images[0]).mimetype == "image/png"
    # Officers keep the register's start page.
    assert client_as("officer").get("/").status_code == 200


def test_a_member_reaches_nothing_but_read_only_pages_and_official_documents(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    member_user = make_user(session, "cllr@council.invalid")
    held = make_session(session, "Held last week", (utcnow() - timedelta(days=7)).date())
    attend(session, held, member_user)
    make_session(
        session,
        "Next month",
        (utcnow() + timedelta(days=30)).date(),
        topics=["site_plan"],
        hazard_refs=["HAL-COMAH-08"],
    )
    session.commit()
    member = client_as("member")
    queue = [url(app, endpoint, **args) for endpoint, args in START_PAGES]
    seen: set[str] = set()
    documents = 0
    while queue:
        address = queue.pop()
        if address in seen:
            continue
        seen.add(address)
        path = urlsplit(address).path
        endpoint = _endpoint(app, path)
        needed = required_permission(endpoint, "GET")
        assert needed in (None, "view"), f"{address} ({endpoint}) needs {needed}"
        response = member.get(address)
        assert response.status_code == 200, f"{address}: {response.status_code}"
        if response.mimetype == "application/pdf":
            documents += 1
            text = _pdf_text(response.data)
            assert "OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text, address
            continue
        if response.mimetype != "text/html":
            continue
        page = parse(response.text)
        assert "OFFICIAL-SENSITIVE" not in page.text, address
        for form in page.find_all("form"):
            if form.get("method", "get").lower() == "post":
                action = _endpoint(app, urlsplit(form.get("action") or path).path, "POST")
                assert required_permission(action, "POST") in (None, "view"), f"{address}: {action}"
        for link in page.links():
            target = urlsplit(link)
            if target.netloc or not target.path.startswith("/") or link.startswith("#"):
                continue
            if target.path.startswith(FOLLOWED):
                queue.append(link)
            else:
                linked = _endpoint(app, target.path)
                assert required_permission(linked, "GET") in (None, "view"), f"{address} -> {link}"
    assert documents >= 13  # eleven site packs, a session pack, the annual report
    assert len(seen) > 20


def test_a_member_is_refused_every_editing_page_of_training_and_reports(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    record = make_session(session, day=date(2026, 3, 10))
    session.commit()
    member = client_as("member")
    refused = [
        url(app, "training.new"),
        url(app, "training.edit", session_id=record.id),
        url(app, "training.invite_people", session_id=record.id),
        url(app, "training.attendance", session_id=record.id),
        url(app, "training.due"),
        url(app, "training.policy"),
    ]
    withdraw = url(app, "training.withdraw", session_id=record.id, user_id=1)
    for address in refused:
        assert member.get(address).status_code == 403, address
        if not address.endswith("/due"):  # the one page here that only reads
            assert member.post(address, data={}).status_code == 403, address
    assert member.post(withdraw).status_code == 403
