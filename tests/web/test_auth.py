"""Signing in: throttling, session cookies, passwords never stored, sign-out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience import create_app
from resilience.cli import main
from resilience.storage.models import SignInFailures, SignInSession, User
from tests.conftest import TEST_PASSWORD
from tests.support.html import parse


def test_anonymous_visitors_are_sent_to_sign_in(anonymous: FlaskClient) -> None:
    response = anonymous.get("/establishments/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_and_out(client_as: Callable[[str], FlaskClient]) -> None:
    client = client_as("planner")
    page = parse(client.get("/").text)
    assert "planner@test.invalid" in page.text
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_and_the_account_locks(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient, session: Session
) -> None:
    client_as("member").post("/logout")  # creates the member account
    for attempt in range(1, 6):  # five wrong passwords in a row lock the address
        response = anonymous.post(
            "/login", data={"email": "member@test.invalid", "password": "wrong one"}
        )
        assert response.status_code == 401
        assert "Enter a correct e-mail address and password" in parse(response.text).text
        session.expire_all()
        failures = session.get(SignInFailures, "member@test.invalid")
        assert failures is not None and failures.attempts == attempt
        assert (failures.locked_until is not None) == (attempt == 5), attempt
    # Locked now: even the right password is refused, with a message saying why.
    response = anonymous.post(
        "/login", data={"email": "member@test.invalid", "password": TEST_PASSWORD}
    )
    assert response.status_code == 401
    assert "locked" in parse(response.text).text
    failures = session.get(SignInFailures, "member@test.invalid")
    assert failures is not None and failures.locked_until is not None


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


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Return a second client holding a copy of `client`'s session cookie, as a thief would."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_session_ends_eight_hours_after_sign_in_however_busy(
    client_as: Callable[[str], FlaskClient],
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = client_as("planner")
        # A request every 20 minutes keeps the session from going idle, for 7 h 40 min.
        for _ in range(23):
            clock.shift(timedelta(minutes=20))
            assert client.get("/account/password").status_code == 200
        clock.shift(timedelta(minutes=21))  # 8 h 1 min after signing in
        response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_session_idle_for_thirty_minutes_ends(
    client_as: Callable[[str], FlaskClient],
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = client_as("planner")
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=29))  # 29 minutes since the last request: still alive
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        assert client.get("/").status_code == 302


def test_the_idle_timeout_comes_from_the_environment(
    instance: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESILIENCE_IDLE_MINUTES", "45")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    app.extensions["engine"].dispose()
    assert app.config["IDLE_TIMEOUT"] == timedelta(minutes=45)
    monkeypatch.setenv("RESILIENCE_IDLE_MINUTES", "half an hour")
    with pytest.raises(ValueError, match="RESILIENCE_IDLE_MINUTES must be a whole number"):
        create_app({"TESTING": True, "DATABASE_URL": database_url})


def test_a_cookie_copied_before_sign_out_stops_working(
    app: Flask, client_as: Callable[[str], FlaskClient]
) -> None:
    client = client_as("officer")
    thief = _copy_of(client, app)
    assert thief.get("/account/password").status_code == 200
    assert client.post("/logout").status_code == 302
    response = thief.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_cookie_holds_nothing_of_the_password_and_no_remember_me(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    client = client_as("member")
    user = session.scalars(select(User).where(User.email == "member@test.invalid")).one()
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    payload = serializer.loads(cookie.value)
    assert set(payload) >= {"_user_id"} and len(payload["_user_id"]) >= 40  # a random token
    assert user.password_hash[-12:] not in str(payload)
    assert client.get_cookie("remember_token") is None
    # The cookie lasts no longer than the session it opens.
    assert cookie.expires is not None
    assert cookie.expires - datetime.now(UTC) <= timedelta(hours=8, minutes=1)


def test_deactivating_a_user_ends_their_sessions(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    member = client_as("member")
    user = session.scalars(select(User).where(User.email == "member@test.invalid")).one()
    response = client_as("admin").post(
        f"/admin/users/{user.id}", data={"email": user.email, "role": "member"}
    )
    assert response.status_code == 302
    assert member.get("/").status_code == 302
    assert (
        session.scalars(
            select(SignInSession).where(
                SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None)
            )
        ).all()
        == []
    )


@pytest.mark.parametrize(
    ("new_password", "problem"),
    [
        ("qwerty123456", "is one of the most common passwords"),
        ("1QAZ2WSX3EDC", "is one of the most common passwords"),
        ("my resilience passphrase", "must not contain the name of this app"),
        ("planner said hello there", "must not contain your e-mail address"),
        ("short one", "must have at least 12 characters"),
    ],
)
def test_weak_new_passwords_are_refused(
    client_as: Callable[[str], FlaskClient], session: Session, new_password: str, problem: str
) -> None:
    client = client_as("planner")
    before = session.scalars(select(User.password_hash).where(User.role == "planner")).one()
    response = client.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert response.status_code == 400
    assert f"Your new password {problem}" in parse(response.text).text
    session.expire_all()
    assert session.scalars(select(User.password_hash).where(User.role == "planner")).one() == before


@pytest.mark.parametrize("address", ["someone@", "no at sign", "two@@example.com", "a@b"])
def test_the_user_form_refuses_an_invalid_address(
    client_as: Callable[[str], FlaskClient], session: Session, address: str
) -> None:
    client = client_as("admin")
    count = len(session.scalars(select(User)).all())
    response = client.post(
        "/admin/users/new",
        data={"email": address, "role": "planner", "active": "y", "password": "a long passphrase"},
    )
    assert response.status_code == 400
    assert "is not an e-mail address" in parse(response.text).text_by_id["email-error"]
    assert len(session.scalars(select(User)).all()) == count


def test_users_add_refuses_an_invalid_address(runner: CliRunner, session: Session) -> None:
    result = runner.invoke(
        main, ["users", "add", "someone@example", "--role", "planner"], input="a long passphrase\n"
    )
    assert result.exit_code == 2
    assert "field 'email'" in result.stderr and "someone@example" in result.stderr
    assert session.scalars(select(User)).all() == []


def test_addresses_are_normalised_when_added_and_at_sign_in(runner: CliRunner, app: Flask) -> None:
    result = runner.invoke(
        main,
        ["users", "add", " Jo.Bloggs@Council.Example.com ", "--role", "planner"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("jo.bloggs@council.example.com:")
    response = app.test_client().post(
        "/login",
        data={"email": "JO.BLOGGS@council.example.COM", "password": "a long enough passphrase"},
    )
    assert response.status_code == 302
