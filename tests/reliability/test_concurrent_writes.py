"""A long import and another person's save at the same time: the save waits or gets a clear 503.

Never a 500, and the page that says so renders in the service layout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import Point
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from resilience import create_app
from resilience.domain.register.transfer import import_any
from resilience.storage.database import LOCK_TIMEOUT_ENV, unit_of_work
from resilience.storage.models import Establishment
from tests.support.builders import make_establishment, write_geojson
from tests.support.html import parse


def _sites(path: Path, count: int, name: str = "Imported") -> Path:
    features: list[tuple[dict[str, Any], Any]] = [
        (
            {"site_id": f"EST-{i}", "name": f"{name} {i}", "inner_m": 100, "middle_m": 200},
            Point(-2.80 + (i % 100) * 0.002, 53.31 + (i // 100) * 0.001),
        )
        for i in range(1, count + 1)
    ]
    return write_geojson(path, features)


def _edit_values(client: FlaskClient, ref: str, name: str) -> dict[str, str]:
    form = parse(client.get(f"/establishments/{ref}/edit").text)
    values = {a["name"]: a.get("value", "") for a in form.find_all("input") if "name" in a.attrs}
    values.update({"name": name, "status": "operational", "tier": "", "substances": ""})
    values.update({"address": "", "location_note": "", "source": ""})
    return values


@pytest.fixture
def quick_app(
    instance: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """Return the app with a half-second lock wait, so that a held lock shows at once."""
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "500")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": False})
    yield app
    app.extensions["engine"].dispose()


def _signed_in(app: Flask, client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    client_as("officer")  # creates the user
    client = app.test_client()
    from tests.conftest import TEST_PASSWORD

    response = client.post(
        "/login", data={"email": "officer@test.invalid", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_save_during_an_uncommitted_import_gets_a_503_page_then_succeeds(
    quick_app: Flask,
    client_as: Callable[[str], FlaskClient],
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    with sessions() as session:
        session.add(make_establishment("EST-1"))
        session.commit()
    client = _signed_in(quick_app, client_as)
    values = _edit_values(client, "EST-1", "Edited by hand")
    path = _sites(tmp_path / "sites.geojson", 50)

    # The import has written (it holds the write lock, and EST-1's row) but not yet committed.
    importing = sessions()
    import_any(importing, "establishments", path)
    try:
        response = client.post("/establishments/EST-1/edit", data=values)
        assert response.status_code == 503, response.text[:500]
        assert response.headers["Retry-After"].isdigit()
        page = parse(response.text)
        assert "The register is busy saving another change: try again in a moment." in page.text
        assert "Signed in as" in page.text  # the whole layout rendered, not a bare fallback
        # The same person's next page still works while the import goes on.
        assert client.get("/establishments/").status_code == 200
    finally:
        importing.commit()
        importing.close()

    response = client.post("/establishments/EST-1/edit", data=values)
    assert response.status_code == 302, response.text[:500]
    with sessions() as session:
        names = dict(session.execute(select(Establishment.ref, Establishment.name)).all())
    assert names["EST-1"] == "Edited by hand"
    assert names["EST-50"] == "Imported 50"


def test_a_save_while_an_import_is_writing_waits_and_succeeds(
    client: FlaskClient, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _sites(tmp_path / "sites.geojson", 3000)
    writing = threading.Event()
    failures: list[BaseException] = []

    def run_import() -> None:
        try:
            with unit_of_work(sessions) as session:
                event.listen(session, "after_flush", lambda *_: writing.set())
                import_any(session, "establishments", path)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            writing.set()

    worker = threading.Thread(target=run_import)
    worker.start()
    try:
        assert writing.wait(timeout=120), "the import never started writing"
        response = client.post(
            "/establishments/new",
            data={
                "ref": "BY-HAND",
                "name": "Added by hand",
                "tier": "lower",
                "status": "operational",
                "latitude": "53.3262",
                "longitude": "-2.7440",
            },
        )
    finally:
        worker.join(timeout=300)
    assert not failures, failures
    assert response.status_code == 302, response.text[:500]
    with sessions() as session:
        refs = set(session.scalars(select(Establishment.ref)))
    assert "BY-HAND" in refs and "EST-3000" in refs and len(refs) == 3001
