"""`resilience backup` and `restore`: an empty instance gets back every record and file."""

from __future__ import annotations

import json
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from resilience.cli import main
from resilience.domain.accounts.users import add_or_update_user
from resilience.domain.demo import DEMO_PASSWORDS_FILE, ensure_demo_users, load_demo
from resilience.storage.database import make_engine
from tests.register_snapshot import snapshot
from tests.storage.backup_archives import write_format_1


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Run with the common umask 022, under which a plain new file is world-readable (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def filled(session: Session, instance: Path) -> Path:
    instance.mkdir()
    load_demo(session)
    add_or_update_user(session, "officer@test.invalid", "officer", "a long passphrase here")
    ensure_demo_users(session, instance)
    session.commit()
    upload = instance / "uploads" / "plan-v1.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.4 pretend plan\n" + bytes(range(256)))
    return upload


def point_at(monkeypatch: pytest.MonkeyPatch, instance: Path, database_url: str) -> None:
    """Point the commands at another instance folder and database."""
    monkeypatch.setenv("RESILIENCE_INSTANCE", str(instance))
    monkeypatch.setenv("DATABASE_URL", database_url)


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
    assert mode(archive) == 0o600

    empty_instance = tmp_path / "restored"
    point_at(monkeypatch, empty_instance, other_database_url)
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 0, result.stderr

    other = make_engine(other_database_url)
    try:
        assert snapshot(other) == before
    finally:
        other.dispose()
    for relative in ("uploads/plan-v1.pdf", DEMO_PASSWORDS_FILE):
        restored = empty_instance / relative
        assert restored.read_bytes() == (instance / relative).read_bytes()
        assert mode(restored) == 0o600, relative
    assert mode(empty_instance / "uploads") == 0o700
    # Its own secret stays; nothing of the restore's staging is left behind.
    assert (empty_instance / "secret_key").read_text() != (instance / "secret_key").read_text()
    assert sorted(p.name for p in empty_instance.iterdir()) == sorted(
        ["uploads", DEMO_PASSWORDS_FILE, "secret_key"]
    )

    # Restoring again would duplicate: refused, and nothing changes.
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "empty instance" in result.stderr


def test_the_archive_lists_every_member_with_its_size_and_sha256_first(
    filled: Path, runner: CliRunner, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(main, ["backup", str(archive)])
    assert result.exit_code == 0, result.stderr
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        manifest = json.loads(tar.extractfile(members[0]).read())  # type: ignore[union-attr]
        assert members[0].name == "manifest.json" and manifest["format"] == 2
        assert sorted(manifest["members"]) == sorted(m.name for m in members[1:])
        upload = manifest["members"]["files/uploads/plan-v1.pdf"]
        assert upload["size"] == filled.stat().st_size
        assert {m.mode for m in members} == {0o600}
        names = {m.name for m in members}
    assert "files/secret_key" not in names and "files/resilience.sqlite3" not in names
    assert f"files/{DEMO_PASSWORDS_FILE}" in names


def test_a_backup_over_an_existing_file_is_private_and_leaves_nothing_else(
    filled: Path, runner: CliRunner, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"an old, world-readable file")
    archive.chmod(0o644)
    result = runner.invoke(main, ["backup", str(archive)])
    assert result.exit_code == 0, result.stderr
    assert mode(archive) == 0o600
    assert tarfile.is_tarfile(archive)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_backup_into_a_missing_folder_is_one_line_and_status_2(
    filled: Path, runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["backup", str(tmp_path / "nowhere" / "backup.tar.gz")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr


def test_a_backup_in_the_format_before_sizes_still_restores(
    filled: Path,
    runner: CliRunner,
    engine: Engine,
    instance: Path,
    tmp_path: Path,
    other_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = tmp_path / "format-1.tar.gz"
    write_format_1(engine, instance, archive)
    before = snapshot(engine)
    empty_instance = tmp_path / "restored"
    point_at(monkeypatch, empty_instance, other_database_url)

    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 0, result.stderr

    other = make_engine(other_database_url)
    try:
        assert snapshot(other) == before
    finally:
        other.dispose()
    restored = empty_instance / DEMO_PASSWORDS_FILE
    assert restored.read_bytes() == (instance / DEMO_PASSWORDS_FILE).read_bytes()
    assert mode(restored) == 0o600  # though the format-1 member says 0644


def test_a_damaged_backup_is_refused(runner: CliRunner, tmp_path: Path, engine: Engine) -> None:
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"not a tar file at all")
    before = snapshot(engine)
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "backup.tar.gz" in result.stderr and result.stdout == ""
    assert snapshot(engine) == before
