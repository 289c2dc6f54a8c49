"""Download names: one rule, whatever a record's reference holds."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import Point
from werkzeug.http import parse_options_header

from resilience.storage.models import Establishment
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name


@pytest.mark.parametrize(
    ("parts", "ext", "expected"),
    [
        (
            ("briefing", "PLAN/M AHP-ETHYLENE", date(2026, 12, 2)),
            "pdf",
            "briefing-PLAN-M-AHP-ETHYLENE-2026-12-02.pdf",
        ),
        (("exposure", "HSE:UT/0042"), "csv", "exposure-HSE-UT-0042.csv"),
        (("duties", "x\r\nBcc: evil@example.org"), "csv", "duties-x-Bcc-evil-example.org.csv"),
        (("..", "/"), "csv", "download.csv"),
        (("Écoles", "→"), "csv", "coles.csv"),
    ],
)
def test_a_name_keeps_only_safe_characters(parts: tuple, ext: str, expected: str) -> None:
    assert file_name(*parts, ext=ext) == expected


def test_a_long_reference_is_cut() -> None:
    name = file_name("exposure", "A" * 400, ext="csv")
    assert name == "exposure-" + "A" * 141 + ".csv"


def test_a_download_is_an_attachment_nobody_caches(app: Flask) -> None:
    with app.app_context():
        response = download(b"a,b\r\n", "text/csv", file_name("audit trail", ext="csv"))
    assert parse_options_header(response.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "audit-trail.csv"},
    )
    assert response.headers["Cache-Control"] == "no-store"


def test_the_exposure_download_of_an_odd_reference_has_a_safe_name(
    client: FlaskClient, app: Flask
) -> None:

    with app.app_context():
        session = db_session()
        session.add(Establishment(ref="HSE:UT/0042", name="Odd", geometry=Point(-2.73, 53.33)))
        session.commit()
    response = client.get("/establishments/HSE:UT/0042/exposure.csv")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "exposure-HSE-UT-0042.csv"},
    )
