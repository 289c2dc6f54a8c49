"""A process killed with SIGKILL in the middle of an import leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shapely.geometry import Point
from sqlalchemy import Engine, text

from tests.register_snapshot import snapshot
from tests.support.builders import write_geojson


def _big_file(path: Path, count: int) -> Path:
    features = [
        (
            {
                "site_id": f"S{i}",
                "name": f"Site {i}",
                "inner_m": 100,
                "middle_m": 250,
                "outer_m": 500,
            },
            Point(-2.80 + (i % 100) * 0.002, 53.31 + (i // 100) * 0.001),
        )
        for i in range(count)
    ]
    return write_geojson(path, features)


def test_sigkill_mid_import_changes_nothing(
    tmp_path: Path, engine: Engine, database_url: str, instance: Path
) -> None:
    path = _big_file(tmp_path / "sites.geojson", 6000)
    before = snapshot(engine)
    env = {**os.environ, "DATABASE_URL": database_url, "RESILIENCE_INSTANCE": str(instance)}
    process = subprocess.Popen(
        [sys.executable, "-m", "resilience.cli", "import", "establishments", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Wait until the import is writing (rows exist inside its open transaction), then kill it.
    deadline = time.monotonic() + 60
    killed_while_running = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _writing(engine):
            process.send_signal(signal.SIGKILL)
            killed_while_running = True
            break
        time.sleep(0.02)
    process.communicate(timeout=30)
    assert killed_while_running, "the import finished before it could be killed: use a larger file"
    assert process.returncode == -signal.SIGKILL
    assert snapshot(engine) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"


def _writing(engine: Engine) -> bool:
    """Return whether another process holds an open write transaction on the database."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            count = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND (state = 'idle in transaction' "
                    "OR (state = 'active' AND query ILIKE 'INSERT%'))"
                )
            ).scalar_one()
            return bool(count)
        # In WAL mode a writer's uncommitted pages sit in the -wal file, growing as it writes.
    wal = Path(str(engine.url.database) + "-wal")
    return wal.exists() and wal.stat().st_size > 1_000_000
