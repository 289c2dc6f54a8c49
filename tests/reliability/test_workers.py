"""`resilience serve --workers N`: several gunicorn worker processes sharing one map cache.

Each worker is its own process with its own memory, so what one worker caches another must see:
the overview map built once is served by every worker, and an edit made anywhere is on the next
map any worker serves (the cache key holds the data version read from the database).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from resilience.domain.demo import load_demo
from resilience.domain.register.edits import find_record, save_record
from resilience.domain.register.layers import ESTABLISHMENTS
from resilience.storage.models import User
from tests.reliability.test_idle_connections import _sign_in, serving

SITE = "HAL-COMAH-01"
WORKERS = 2


def _map_name(page: str) -> str:
    names = set(re.findall(r"\bmap_[0-9a-f]{32}\b", page))
    assert len(names) == 1, names
    return names.pop()


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _wait_for_workers(pid: int, count: int) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} workers after 60 s")


@pytest.fixture
def served(
    database_url: str, instance: Path, sessions: sessionmaker[Session], password_hash: str
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    with sessions() as session:
        load_demo(session)
        session.add(User(email="officer@test.invalid", role="officer", password_hash=password_hash))
        session.commit()
    options = ("--workers", str(WORKERS), "--threads", "2")
    with serving(database_url, instance, *options) as (port, process, _):
        yield port, process


def test_workers_share_one_map_cache_and_see_every_edit(
    served: tuple[int, subprocess.Popen[bytes]],
    instance: Path,
    sessions: sessionmaker[Session],
) -> None:
    port, process = served
    assert len(_wait_for_workers(process.pid, WORKERS)) == WORKERS
    browser = _sign_in(port)
    url = f"http://127.0.0.1:{port}/maps/"

    def overview(_: int) -> str:
        response = browser.get(url, timeout=60, headers={"Connection": "close"})
        assert response.status_code == 200
        return response.text

    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(overview, range(16)))
    assert "Renamed by another worker" not in pages[0]
    # folium names each map it builds afresh (map_<uuid>): one name means one build, shared.
    assert len({_map_name(page) for page in pages}) == 1
    assert len(list((instance / "cache" / "maps").glob("*.map"))) == 1

    with sessions() as session:
        site = find_record(session, ESTABLISHMENTS, SITE)
        save_record(
            session, ESTABLISHMENTS, {"ref": SITE, "name": "Renamed by another worker"}, site
        )
        session.commit()
    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(overview, range(16)))
    assert all("Renamed by another worker" in page for page in after)
    assert len({_map_name(page) for page in after} | {_map_name(pages[0])}) == 2


def test_a_worker_that_dies_is_replaced(served: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, process = served
    workers = _wait_for_workers(process.pid, WORKERS)
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    replaced = _wait_for_workers(process.pid, WORKERS)
    deadline = time.monotonic() + 60
    while victim in replaced and time.monotonic() < deadline:
        time.sleep(0.2)
        replaced = _wait_for_workers(process.pid, WORKERS)
    assert victim not in replaced and len(replaced) == WORKERS
    browser = _sign_in(port)
    assert browser.get(f"http://127.0.0.1:{port}/establishments/", timeout=30).status_code == 200
