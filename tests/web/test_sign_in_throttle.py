"""The lock-out: counted before checking, per address, the same for known and unknown addresses."""

from __future__ import annotations

import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from waitress.server import create_server

from resilience.cli import main
from resilience.domain.accounts import users as accounts
from resilience.domain.accounts.sign_in_throttle import (
    claim_attempt,
    forget_failures,
    locked_addresses,
)
from resilience.storage.models import AuditEvent
from tests.conftest import TEST_PASSWORD
from tests.support.html import parse

KNOWN = "member@test.invalid"
CSRF_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')
UNKNOWN = "nobody@test.invalid"
# What the README promises, written out here rather than taken from the app's own constants.
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
WRONG = "Enter a correct e-mail address and password"
LOCKED = (
    "Too many failed attempts with this e-mail address: it is locked for 15 minutes. "
    "Try again later, or ask an administrator to unlock it"
)


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """Return the address of `app` served by waitress on loopback (8 threads, as `serve`)."""
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def _post_login(url: str, email: str, password: str) -> tuple[int, str]:
    data = urllib.parse.urlencode({"email": email, "password": password}).encode()
    request = urllib.request.Request(f"{url}/login", data=data, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any) -> None:
        return None


def test_forty_parallel_guesses_check_at_most_five_passwords(
    client_as: Callable[[str], FlaskClient],
    live_url: str,
    password_hash: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client_as("member").post("/logout")  # the account
    checked: list[str] = []
    lock = threading.Lock()
    real_check = accounts.check_password_hash

    def counting_check(stored: str, password: str) -> bool:
        if stored == password_hash:  # a check against the account's own password
            with lock:
                checked.append(password)
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(
            pool.map(lambda n: _post_login(live_url, KNOWN, f"wrong guess {n}"), range(40))
        )
    assert {status for status, _ in answers} == {401}
    assert len(checked) <= MAX_FAILURES
    assert sum(LOCKED in parse(body).text for _, body in answers) >= 40 - MAX_FAILURES
    status, body = _post_login(live_url, KNOWN, TEST_PASSWORD)
    assert status == 401
    assert LOCKED in parse(body).text
    assert len(checked) <= MAX_FAILURES


def _answer(client: FlaskClient, email: str, password: str) -> tuple[int, str]:
    """Return the status and page of a sign-in, with the address and the CSRF token blanked."""
    response = client.post("/login", data={"email": email, "password": password})
    page = CSRF_TOKEN.sub('name="csrf_token" value=""', response.text)
    return response.status_code, page.replace(email, "ADDRESS")


def test_known_and_unknown_addresses_get_the_same_answers(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient
) -> None:
    client_as("member").post("/logout")
    for _ in range(MAX_FAILURES):
        known = _answer(anonymous, KNOWN, "wrong one")
        unknown = _answer(anonymous, UNKNOWN, "wrong one")
        assert known == unknown
        assert known[0] == 401 and WRONG in parse(known[1]).text
    known_locked = _answer(anonymous, KNOWN, TEST_PASSWORD)
    unknown_locked = _answer(anonymous, UNKNOWN, TEST_PASSWORD)
    assert known_locked == unknown_locked
    assert known_locked[0] == 401 and LOCKED in parse(known_locked[1]).text


def _timed(client: FlaskClient, email: str, password: str) -> float:
    start = time.perf_counter()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 401
    return time.perf_counter() - start


def test_a_locked_answer_takes_as_long_as_a_wrong_password(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient
) -> None:
    client_as("member").post("/logout")
    client_as("planner").post("/logout")
    wrong = [_timed(anonymous, "planner@test.invalid", "wrong one") for _ in range(4)]
    unknown = [_timed(anonymous, f"nobody{n}@test.invalid", "wrong one") for n in range(4)]
    for _ in range(MAX_FAILURES):
        _timed(anonymous, KNOWN, "wrong one")
    locked = [_timed(anonymous, KNOWN, "wrong one") for _ in range(5)]
    slow = statistics.median(wrong)
    # An answer that skipped the password hash would take a few milliseconds against the
    # hash's hundreds; a quarter leaves room for a busy machine and still tells them apart.
    assert statistics.median(locked) >= slow / 4, (locked, wrong)
    assert statistics.median(unknown) >= slow / 4, (unknown, wrong)


def test_a_right_password_within_five_resets_the_count(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient
) -> None:
    client_as("member").post("/logout")
    for _ in range(2):
        for _ in range(MAX_FAILURES - 1):
            assert _answer(anonymous, KNOWN, "wrong one")[0] == 401
        assert _answer(anonymous, KNOWN, TEST_PASSWORD)[0] == 302


def test_claims_count_then_lock_then_start_afresh(engine: Engine) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    claims = [claim_attempt(engine, KNOWN, now) for _ in range(MAX_FAILURES + 2)]
    assert [c.attempts for c in claims] == list(range(1, MAX_FAILURES + 3))
    assert [c.may_check for c in claims] == [True] * MAX_FAILURES + [False, False]
    assert all(c.locked_until is None for c in claims[: MAX_FAILURES - 1])
    locked_until = claims[MAX_FAILURES - 1].locked_until
    assert locked_until is not None
    # An aware UTC moment on both backends (SQLite stores it without a time zone).
    assert (locked_until, locked_until.utcoffset()) == (now + LOCKOUT, timedelta(0))
    assert locked_addresses_at(engine, now) == {KNOWN: now + LOCKOUT}
    # Other addresses are counted apart.
    assert claim_attempt(engine, UNKNOWN, now).attempts == 1
    # When the lock has run out, the count starts again.
    later = claim_attempt(engine, KNOWN, now + LOCKOUT + timedelta(seconds=1))
    assert (later.attempts, later.locked_until, later.may_check) == (1, None, True)
    forget_failures(engine, KNOWN)
    assert claim_attempt(engine, KNOWN, now + LOCKOUT * 2).attempts == 1


def locked_addresses_at(engine: Engine, now: datetime) -> dict[str, datetime]:
    with Session(engine) as session:
        return locked_addresses(session, now)


def test_failures_older_than_a_lock_out_are_forgotten(engine: Engine) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for _ in range(MAX_FAILURES - 1):
        claim_attempt(engine, KNOWN, now)
    assert claim_attempt(engine, KNOWN, now + LOCKOUT).attempts == 1


def _lock(anonymous: FlaskClient) -> None:
    for _ in range(MAX_FAILURES):
        anonymous.post("/login", data={"email": KNOWN, "password": "wrong one"})
    assert _answer(anonymous, KNOWN, TEST_PASSWORD)[0] == 401


def test_an_administrator_unlocks_from_the_users_page_and_both_are_audited(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient, session: Session
) -> None:
    client_as("member").post("/logout")
    admin = client_as("admin")
    _lock(anonymous)
    page = parse(admin.get("/admin/users").text)
    assert "Locked after failed sign-ins" in page.text
    (form,) = [f for f in page.find_all("form") if f.get("action", "").endswith("/unlock")]
    assert admin.post(form["action"]).status_code == 302
    assert "Locked after failed sign-ins" not in parse(admin.get("/admin/users").text).text
    assert _answer(anonymous, KNOWN, TEST_PASSWORD)[0] == 302
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.ref == KNOWN).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor) for e in events if e.action in ("lock", "unlock")] == [
        ("lock", "sign-in"),
        ("unlock", "admin@test.invalid"),
    ]
    # The end of the lock is written as UTC, the same on SQLite and PostgreSQL.
    (lock,) = [e for e in events if e.action == "lock"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", lock.after["locked_until"])


def test_users_unlock_on_the_command_line(
    client_as: Callable[[str], FlaskClient],
    anonymous: FlaskClient,
    runner: CliRunner,
    session: Session,
) -> None:
    client_as("member").post("/logout")
    _lock(anonymous)
    result = runner.invoke(main, ["users", "unlock", KNOWN.upper()])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"{KNOWN}: unlocked"
    assert _answer(anonymous, KNOWN, TEST_PASSWORD)[0] == 302
    assert runner.invoke(main, ["users", "unlock", KNOWN]).stdout.strip() == (
        f"{KNOWN}: was not locked"
    )
    assert session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "unlock")).all() == [
        "command line"
    ]
