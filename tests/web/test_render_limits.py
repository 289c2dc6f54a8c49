"""Heavy renders cannot hold a thread for ever, nor take every thread: a real threaded server."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from shapely.geometry import Point
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from waitress.server import create_server

from resilience import create_app
from resilience.storage.models import User, Zone
from resilience.web.render_limits import renders_running
from tests.conftest import TEST_PASSWORD
from tests.support.builders import RUNCORN, make_establishment

DEADLINE = 2.0
WAIT = 0.5
MARGIN = 3.0  # for a shared, loaded test machine
SLOW_ZONES = 600  # drawn and tabled one by one: far more than DEADLINE seconds of work


@dataclass
class Answer:
    status: int
    seconds: float
    body: str
    retry_after: str | None


@pytest.fixture
def limited_app(instance: Path, engine: Engine, database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            "RENDER_SLOTS": 1,
            "RENDER_WAIT_SECONDS": WAIT,
            "RENDER_DEADLINE_SECONDS": DEADLINE,
        }
    )
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def server_url(limited_app: Flask) -> Iterator[str]:
    server = create_server(limited_app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:
            # Closing the socket under the loop can end it with EBADF: only then is that fine.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    stopping.set()
    server.close()
    thread.join(timeout=10)
    assert not thread.is_alive()


def _signed_in(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    data = urllib.parse.urlencode({"email": email, "password": TEST_PASSWORD}).encode()
    with opener.open(f"{base}/login", data=data, timeout=30) as response:
        assert response.status == 200  # redirected to the start page
    return opener


def _get(opener: urllib.request.OpenerDirector, url: str) -> Answer:
    started = time.monotonic()
    try:
        with opener.open(url, timeout=60) as response:
            body = response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        body, status, headers = error.read(), error.code, error.headers
    text = body.decode("utf-8", "replace") if status != 200 else ""
    return Answer(status, time.monotonic() - started, text, headers.get("Retry-After"))


def _store_slow_site(session: Session) -> None:
    """Store a site with hundreds of zones, straight into the database as old data might be."""
    site = make_establishment("SLOW", name="Many zones")
    session.add(site)
    session.flush()
    centre = Point(*RUNCORN)
    for index in range(SLOW_ZONES):
        session.add(
            Zone(
                hazard_id=site.id,
                kind=f"scenario-{index}",
                origin="imported",
                geometry=centre.buffer(0.002 + 0.00005 * index, quad_segs=64),
                area_m2=1.0e6,
                source="old import",
            )
        )
    session.add(make_establishment("SMALL", name="Small store", geometry=Point(-2.70, 53.33)))
    session.commit()


def test_a_slow_render_is_stopped_and_login_keeps_answering(
    server_url: str, limited_app: Flask, session: Session, password_hash: str
) -> None:
    session.add(User(email="member@test.invalid", role="member", password_hash=password_hash))
    _store_slow_site(session)
    member = _signed_in(server_url, "member@test.invalid")
    slow_url = f"{server_url}/reports/sites/SLOW/briefing-pack.pdf"

    answers: list[Answer] = []
    slow = threading.Thread(target=lambda: answers.append(_get(member, slow_url)))
    slow.start()
    for _ in range(200):  # bounded: until the render holds the only slot (about a second)
        if renders_running(limited_app) == 1 or not slow.is_alive():
            break
        time.sleep(0.05)
    assert renders_running(limited_app) == 1, "the slow render never started"

    # Every other page answers at once while the render runs; a second heavy render is refused.
    anonymous = urllib.request.build_opener()
    for _ in range(5):
        login = _get(anonymous, f"{server_url}/login")
        assert login.status == 200 and login.seconds < 1.0, login
    busy = _get(member, slow_url)
    assert busy.status == 503 and busy.retry_after == "10", busy
    assert WAIT - 0.1 <= busy.seconds < WAIT + MARGIN
    assert "busy" in busy.body and "Try again in a moment" in busy.body

    slow.join(timeout=DEADLINE + 30)
    assert not slow.is_alive()
    [stopped] = answers
    assert stopped.status == 503, stopped
    assert stopped.seconds < DEADLINE + MARGIN
    assert "took longer than 2 seconds, so it was stopped" in stopped.body
    assert renders_running(limited_app) == 0

    # The slot is free again, and a worker killed at the deadline is replaced.
    small = _get(member, f"{server_url}/reports/sites/SMALL/briefing-pack.pdf")
    assert small.status == 200, small
