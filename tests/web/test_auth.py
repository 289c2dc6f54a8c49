"""Signing in: throttling, session cookies, passwords never stored, sign-out."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.accounts import MAX_FAILURES
from resilience.storage.models import User
from tests.conftest import TEST_PASSWORD
from tests.web.html import Page


def test_anonymous_visitors_are_sent_to_sign_in(anonymous: FlaskClient) -> None:
    response = anonymous.get("/establishments/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_and_out(client_as: Callable[[str], FlaskClient]) -> None:
    client = client_as("planner")
    page = Page(client.get("/").text)
    assert "planner@test.invalid" in page.text
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_and_the_account_locks(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient, session: Session
) -> None:
    client_as("member").post("/logout")  # creates the member account
    for _ in range(MAX_FAILURES):
        response = anonymous.post(
            "/login", data={"email": "member@test.invalid", "password": "wrong one"}
        )
        assert response.status_code == 401
        assert "Enter a correct e-mail address and password" in Page(response.text).text
    # Locked now: even the right password is refused, with a message saying why.
    response = anonymous.post(
        "/login", data={"email": "member@test.invalid", "password": TEST_PASSWORD}
    )
    assert response.status_code == 401
    assert "locked" in Page(response.text).text
    user = session.scalars(select(User).where(User.email == "member@test.invalid")).one()
    assert user.locked_until is not None


def test_passwords_are_hashed_with_a_modern_algorithm(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    client = client_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "new@test.invalid",
            "role": "planner",
            "active": "y",
            "password": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    stored = session.scalars(select(User).where(User.email == "new@test.invalid")).one()
    assert stored.password_hash.startswith("scrypt:")
    assert "a long enough passphrase" not in stored.password_hash


def test_session_cookie_flags(app: Flask, client_as: Callable[[str], FlaskClient]) -> None:
    client = app.test_client()
    client_as("member")  # the account
    response = client.post(
        "/login",
        data={"email": "member@test.invalid", "password": TEST_PASSWORD},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    plain = app.test_client().post(
        "/login", data={"email": "member@test.invalid", "password": TEST_PASSWORD}
    )
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_changing_the_password_signs_out_other_sessions(
    client_as: Callable[[str], FlaskClient],
) -> None:
    first = client_as("planner")
    second = client_as("planner")
    response = first.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "password": "another long passphrase",
            "confirm": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # its session belonged to the old password


def test_next_only_goes_to_this_site(client_as: Callable[[str], FlaskClient], app: Flask) -> None:
    client_as("member")
    client = app.test_client()
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": "member@test.invalid", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"
