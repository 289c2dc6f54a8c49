"""Security headers, CSRF, upload limits and escaping of user text."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience import create_app
from tests.conftest import TEST_PASSWORD
from tests.support.builders import make_establishment
from tests.support.html import parse

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
        assert "CSRF" in parse(response.text).text
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
    assert "The file is too large" in parse(response.text).text


def test_user_text_is_escaped(client: FlaskClient, session: Session) -> None:
    session.add(make_establishment("XSS", name=PAYLOAD, operator=PAYLOAD))
    session.commit()
    for url in ("/establishments/", "/establishments/XSS"):
        body = client.get(url).text
        assert PAYLOAD not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body
        scripts = [a for a in parse(body).find_all("script")]
        assert all("src" in a.attrs for a in scripts)  # only the app's own external scripts


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
    assert "wards.zip" in parse(response.text).text_by_id["file-error"]


def test_https_responses_carry_hsts_and_plain_ones_do_not(client: FlaskClient) -> None:
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def _app_with_proxy_hops(database_url: str, hops: int | None) -> Flask:
    config: dict[str, object] = {"TESTING": True, "DATABASE_URL": database_url}
    if hops is not None:
        config["PROXY_HOPS"] = hops
    return create_app(config)


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_behind_a_tls_proxy_the_app_trusts_one_hop_only_when_told(
    instance: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = _app_with_proxy_hops(database_url, None)
    try:
        response = direct.test_client().get("/login", headers=FORWARDED)
        assert "Strict-Transport-Security" not in response.headers  # anyone can send that header
    finally:
        direct.extensions["engine"].dispose()
    monkeypatch.setenv("RESILIENCE_PROXY_HOPS", "1")
    proxied = _app_with_proxy_hops(database_url, None)
    try:
        response = proxied.test_client().get("/login", headers=FORWARDED)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert "Secure" in cookie
    finally:
        proxied.extensions["engine"].dispose()
    monkeypatch.setenv("RESILIENCE_PROXY_HOPS", "many")
    with pytest.raises(ValueError, match="RESILIENCE_PROXY_HOPS must be a whole number"):
        _app_with_proxy_hops(database_url, None)


def test_pages_and_downloads_are_not_cached_but_static_assets_may_be(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    session.add(make_establishment("EST-1"))
    session.commit()
    admin = client_as("admin")
    for url in (
        "/plans/",
        "/plans/new",
        "/establishments/EST-1",
        "/admin/users",
        "/admin/audit.csv",
        "/transfer/export/establishments.csv",
        "/login",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    static = admin.get("/static/app.js")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
