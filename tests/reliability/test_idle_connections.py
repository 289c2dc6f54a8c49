"""A crowd of idle connections to `resilience serve` cannot keep a signed-in user out.

The server's connection limit (500 by default) is above the 150 idle connections opened here,
so the answer does not depend on how quickly idle ones are timed out; a second test shows that
the idle ones are closed after --channel-timeout too, so even a larger crowd only delays others.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy.orm import Session, sessionmaker

from resilience.storage.models import User
from tests.conftest import TEST_PASSWORD

IDLE_CONNECTIONS = 150


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start listening within 60 s")


@contextmanager
def serving(
    database_url: str, instance: Path, *options: str
) -> Iterator[tuple[int, subprocess.Popen[bytes], dict[str, str]]]:
    """Run `resilience serve` with `options` on a free port until the block ends."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "RESILIENCE_INSTANCE": str(instance)}
    env.pop("RESILIENCE_CONNECTION_LIMIT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "resilience.cli", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_listening(port, process)
        yield port, process, env
    finally:
        process.terminate()
        process.communicate(timeout=60)


@pytest.fixture
def server(
    database_url: str, instance: Path, sessions: sessionmaker[Session], password_hash: str
) -> Iterator[tuple[int, dict[str, str]]]:
    with sessions() as session:
        session.add(User(email="officer@test.invalid", role="officer", password_hash=password_hash))
        session.commit()
    with serving(database_url, instance, "--channel-timeout", "2") as (port, _, env):
        yield port, env


def _sign_in(port: int) -> requests.Session:
    # Not what is measured: a generous wait, as a worker just started may still be importing.
    browser = requests.Session()
    base = f"http://127.0.0.1:{port}"
    page = browser.get(f"{base}/login", timeout=60)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, page.text[:500]
    response = browser.post(
        f"{base}/login",
        data={
            "csrf_token": token.group(1),
            "email": "officer@test.invalid",
            "password": TEST_PASSWORD,
        },
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def _open_idle(port: int, count: int) -> list[socket.socket]:
    idle = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a request never finished
        idle.append(connection)
    return idle


def test_idle_connections_do_not_starve_a_signed_in_user(
    server: tuple[int, dict[str, str]],
) -> None:
    port, _ = server
    browser = _sign_in(port)
    browser.close()
    idle = _open_idle(port, IDLE_CONNECTIONS)
    try:
        started = time.monotonic()
        # A new connection, as the user's next visit would open: the signed-in cookie only.
        response = requests.get(
            f"http://127.0.0.1:{port}/establishments/",
            cookies=browser.cookies,
            headers={"Connection": "close"},
            timeout=10,
        )
        elapsed = time.monotonic() - started
    finally:
        for connection in idle:
            connection.close()
    assert response.status_code == 200
    assert "Establishments" in response.text
    assert elapsed < 3, f"answered after {elapsed:.1f} s"


def test_idle_connections_are_closed_after_the_channel_timeout(
    server: tuple[int, dict[str, str]],
) -> None:
    port, _ = server
    idle = _open_idle(port, 20)
    try:
        # The server closes them (the read sees end of file) within timeout + cleanup interval.
        deadline = time.monotonic() + 15
        closed = 0
        for connection in idle:
            connection.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                if connection.recv(1024) == b"":
                    closed += 1
            except (TimeoutError, ConnectionResetError):
                pass
    finally:
        for connection in idle:
            connection.close()
    assert closed == len(idle)
