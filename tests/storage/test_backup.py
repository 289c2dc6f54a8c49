"""`resilience backup` and `restore`: an empty instance gets back every record and file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from resilience.cli import main
from resilience.domain.accounts.users import add_or_update_user
from resilience.domain.demo import load_demo
from resilience.storage.database import make_engine
from tests.register_snapshot import snapshot


@pytest.fixture
def filled(session: Session, instance: Path) -> Path:
    load_demo(session)
    add_or_update_user(session, "officer@test.invalid", "officer", "a long passphrase here")
    session.commit()
    upload = instance / "uploads" / "plan-v1.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.4 pretend plan\n" + bytes(range(256)))
    return upload


def test_restore_into_an_empty_instance_reproduces_everything(
    filled: Path,
    runner: CliRunner,
    engine: Engine,
    instance: Path,
    tmp_path: Path,
    other_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(main, ["backup", str(archive)])
    assert result.exit_code == 0, result.stderr
    before = snapshot(engine)
    assert len(before["hazards"]) == 11 and len(before["audit_events"]) > 0

    empty_instance = tmp_path / "restored"
    monkeypatch.setenv("RESILIENCE_INSTANCE", str(empty_instance))
    monkeypatch.setenv("DATABASE_URL", other_database_url)
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 0, result.stderr

    other = make_engine(other_database_url)
    try:
        assert snapshot(other) == before
    finally:
        other.dispose()
    restored = empty_instance / "uploads" / "plan-v1.pdf"
    assert restored.read_bytes() == filled.read_bytes()

    # Restoring again would duplicate: refused, and nothing changes.
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "empty instance" in result.stderr


def test_a_damaged_backup_is_refused(runner: CliRunner, tmp_path: Path, engine: Engine) -> None:
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"not a tar file at all")
    before = snapshot(engine)
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "backup.tar.gz" in result.stderr and result.stdout == ""
    assert snapshot(engine) == before
