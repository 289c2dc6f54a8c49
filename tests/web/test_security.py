"""Security headers, CSRF, upload limits and escaping of user text."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience import create_app
from tests.conftest import TEST_PASSWORD
from tests.factories import make_establishment
from tests.web.html import Page

PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_every_page_forbids_third_party_origins(client: FlaskClient) -> None:
    for url in ("/", "/establishments/", "/login", "/transfer/"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy  # no inline script outside map pages
        assert "http" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_forms_need_a_csrf_token(app: Flask, client_as: Callable[[str], FlaskClient]) -> None:
    client_as("officer")  # the account
    protected = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"]})
    try:
        client = protected.test_client()
        response = client.post(
            "/login", data={"email": "officer@test.invalid", "password": TEST_PASSWORD}
        )
        assert response.status_code == 400
        assert "CSRF" in Page(response.text).text
    finally:
        protected.extensions["engine"].dispose()


def test_uploads_over_the_limit_get_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post(
        "/transfer/",
        data={"layer": "wards", "file": (io.BytesIO(b"x" * 20_000), "wards.geojson")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The file is too large" in Page(response.text).text


def test_user_text_is_escaped(client: FlaskClient, session: Session) -> None:
    session.add(make_establishment("XSS", name=PAYLOAD, operator=PAYLOAD))
    session.commit()
    for url in ("/establishments/", "/establishments/XSS"):
        body = client.get(url).text
        assert PAYLOAD not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body
        scripts = [a for a in Page(body).find_all("script")]
        assert all("src" in a for a in scripts)  # only the app's own external scripts


def test_zip_path_traversal_is_refused(client: FlaskClient) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.shp", b"x")
        archive.writestr("../../evil.dbf", b"x")
        archive.writestr("../../evil.shx", b"x")
    response = client.post(
        "/transfer/",
        data={"layer": "wards", "file": (io.BytesIO(buffer.getvalue()), "wards.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "wards.zip" in Page(response.text).text_by_id["file-error"]
