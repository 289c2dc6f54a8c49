"""Compressed responses, the CSRF-token exception, and year-long caching of versioned assets."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import brotli
import pytest
from backports import zstd
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience import create_app
from resilience.domain.demo import load_demo
from resilience.scheduling.calendar_feed import renew_calendar_token
from resilience.storage.models import User
from tests.support.html import parse

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}


@pytest.fixture
def officer(client_as: Callable[[str], FlaskClient], session: Session) -> FlaskClient:
    load_demo(session)
    session.commit()
    return client_as("officer")


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_map_page_and_a_csv_export_come_compressed_as_the_browser_accepts(
    officer: FlaskClient, encoding: str
) -> None:
    for path in ("/maps/", "/duties/duties.csv"):
        plain = officer.get(path)
        packed = officer.get(path, headers={"Accept-Encoding": encoding})
        assert (plain.status_code, packed.status_code) == (200, 200), path
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in packed.headers["Vary"]
        body = DECODE[encoding](packed.get_data())
        assert body == plain.get_data(), path
        assert len(packed.get_data()) < len(body) / 3, path  # the demo's map page: 66 KB to ~15


def test_the_calendar_feed_is_compressed_too(officer: FlaskClient, session: Session) -> None:
    user = session.scalars(select(User).where(User.email == "officer@test.invalid")).one()
    token = renew_calendar_token(session, user.id, datetime.now(UTC))
    session.commit()
    feed = officer.get(f"/calendar/{token}.ics", headers={"Accept-Encoding": "gzip"})
    assert feed.status_code == 200
    assert feed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(feed.get_data()).startswith(b"BEGIN:VCALENDAR")


@pytest.fixture
def protected(app: Flask, session: Session) -> Iterator[FlaskClient]:
    """A client of an app with CSRF protection on, as in production."""
    load_demo(session)
    session.commit()
    guarded = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"]})
    yield guarded.test_client()
    guarded.extensions["engine"].dispose()


def test_a_page_holding_a_csrf_token_is_never_compressed(protected: FlaskClient) -> None:
    # BREACH: the token beside text a requester chooses would leak through compressed lengths.
    page = protected.get("/login", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    assert "Content-Encoding" not in page.headers
    # The same app compresses what holds no token (a file as a stream: Brotli or zstd).
    with protected.get(_stylesheet(page.text), headers={"Accept-Encoding": "br"}) as asset:
        assert asset.headers["Content-Encoding"] == "br"
        assert brotli.decompress(asset.get_data()).startswith(b'@charset "UTF-8";')


def _stylesheet(html: str) -> str:
    (href,) = [
        link.attrs["href"]
        for link in parse(html).find_all("link", rel="stylesheet")
        if "govuk-frontend" in link.attrs["href"]
    ]
    return href


def test_static_assets_carry_their_content_hash_and_are_cached_for_a_year(
    anonymous: FlaskClient, app: Flask
) -> None:
    href = _stylesheet(anonymous.get("/login").text)
    path, version = href.split("?v=")
    assert path == "/static/govuk/govuk-frontend.min.css"
    content = Path(str(app.static_folder), "govuk/govuk-frontend.min.css").read_bytes()
    assert version == hashlib.sha256(content).hexdigest()[:10]

    with anonymous.get(href) as current:
        assert current.status_code == 200
        assert current.get_data() == content
        cache = current.headers["Cache-Control"]
    assert {"public", "max-age=31536000", "immutable"} <= {p.strip() for p in cache.split(",")}
    assert "no-cache" not in cache

    # An old version's URL (or none) is revalidated, never kept for a year.
    for stale in (f"{path}?v=0000000000", path):
        with anonymous.get(stale) as answer:
            assert answer.status_code == 200
            assert "max-age=31536000" not in answer.headers.get("Cache-Control", ""), stale
