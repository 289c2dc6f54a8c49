"""A restore refuses anything but an intact backup: status 2, one line, and nothing changed."""

from __future__ import annotations

import gzip
import hashlib
import io
import stat
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.config import Settings
from resilience.domain.demo import load_demo
from resilience.storage.backup import backup
from resilience.storage.database import make_engine, make_sessionmaker, migrate
from resilience.storage.models import Base
from tests.register_snapshot import snapshot
from tests.storage.backup_archives import (
    Member,
    listed,
    member,
    read_members,
    with_manifest,
    write_members,
)

UPLOAD = "files/uploads/plan-v1.pdf"
MIB = 1024 * 1024


@dataclass
class Target:
    """The empty instance restored into: its folder and database."""

    folder: Path
    database_url: str

    def state(self) -> tuple[object, dict[str, tuple[int, bytes]]]:
        """Return every row, and every path of the folder with its mode and content."""
        engine = make_engine(self.database_url)
        try:
            rows = snapshot(engine)
        finally:
            engine.dispose()
        files = {
            p.relative_to(self.folder).as_posix(): (
                stat.S_IMODE(p.lstat().st_mode),
                p.read_bytes() if p.is_file() and not p.is_symlink() else b"",
            )
            for p in sorted(self.folder.rglob("*"))
        }
        return rows, files


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> list[Member]:
    """Return the members of a sound backup of the demo data set and one plan document.

    Made once, on SQLite: a backup is database-neutral, and restores into either backend.
    """
    folder = tmp_path_factory.mktemp("source")
    engine = make_engine(f"sqlite:///{folder / 'source.sqlite3'}")
    try:
        migrate(engine)
        with make_sessionmaker(engine)() as session:
            load_demo(session)
            session.commit()
        instance = folder / "instance"
        (instance / "uploads").mkdir(parents=True)
        (instance / "uploads" / "plan-v1.pdf").write_bytes(b"%PDF-1.4 pretend plan\n")
        backup(engine, instance, folder / "good.tar.gz")
    finally:
        engine.dispose()
    return read_members(folder / "good.tar.gz")


@pytest.fixture
def target(
    instance: Path, tmp_path: Path, other_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Target:
    """Return an empty instance and database, pointed at after `instance` (which points away)."""
    folder = tmp_path / "restored"
    monkeypatch.setenv("RESILIENCE_INSTANCE", str(folder))
    monkeypatch.setenv("DATABASE_URL", other_database_url)
    Settings.from_environment()  # the folder and its own secret key, as any command makes them
    assert (folder / "secret_key").exists()
    return Target(folder, other_database_url)


def refused(runner: CliRunner, target: Target, archive: Path, *options: str) -> str:
    """Restore `archive`, expecting a refusal; return its one line, having checked no change."""
    before = target.state()
    result = runner.invoke(main, ["restore", str(archive), *options])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {archive.name}: "), result.stderr
    assert "Traceback" not in result.stderr
    assert target.state() == before
    return lines[0]


def replaced(
    members: list[Member], name: str, data: bytes, *, relist: bool = False
) -> list[Member]:
    """Return `members` with `name` holding `data` (and so listed in the manifest, if `relist`)."""
    changed = [member(name, data) if info.name == name else (info, d) for info, d in members]
    if not relist:
        return changed

    def update(manifest: dict[str, Any]) -> None:
        manifest["members"][name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    return with_manifest(changed, update)


def without(members: list[Member], name: str) -> list[Member]:
    return [(info, data) for info, data in members if info.name != name]


def content(members: list[Member], name: str) -> bytes:
    return next(data for info, data in members if info.name == name)


def _last_filled_table(members: list[Member]) -> str:
    names = [f"tables/{t.name}.jsonl" for t in Base.metadata.sorted_tables]
    return [n for n in names if content(members, n)][-1]


def _a_repeated_row(members: list[Member]) -> list[Member]:
    # Checksums relisted, so the archive is consistent and only the database can refuse it,
    # after every earlier table's rows went in: they must all be rolled back.
    name = _last_filled_table(members)
    first = content(members, name).splitlines(keepends=True)[0]
    return replaced(members, name, content(members, name) + first, relist=True)


def _a_broken_row(members: list[Member]) -> list[Member]:
    name = _last_filled_table(members)
    return replaced(members, name, content(members, name) + b'{"id": \n', relist=True)


def _edited(edit: Callable[[dict[str, Any]], None]) -> Callable[[list[Member]], list[Member]]:
    return lambda members: with_manifest(members, edit)


def _raw_manifest(data: bytes) -> Callable[[list[Member]], list[Member]]:
    return lambda members: replaced(members, "manifest.json", data)


TAMPERED = [
    pytest.param(
        lambda m: [*m, member("files/secret_key", b"0" * 64)],
        "files/secret_key: is never part of a backup",
        id="an-added-secret-key",
    ),
    pytest.param(
        lambda m: listed(m, "files/secret_key", b"0" * 64),
        "manifest.json: lists 'files/secret_key', which is never part of a backup",
        id="a-secret-key-listed-in-the-manifest-too",
    ),
    pytest.param(
        lambda m: [*m, member("files/uploads/extra.pdf", b"%PDF")],
        "files/uploads/extra.pdf: is not listed in manifest.json",
        id="a-member-not-in-the-manifest",
    ),
    pytest.param(
        lambda m: listed(m, "tables/no_such_table.jsonl", b""),
        "tables/no_such_table.jsonl: is not a table of this schema",
        id="a-table-of-no-schema",
    ),
    pytest.param(
        lambda m: replaced(m, UPLOAD, b"%PDF-1.4 altered plan\n"),
        f"{UPLOAD}: does not match its SHA-256 in manifest.json",
        id="a-checksum-mismatch",
    ),
    pytest.param(
        lambda m: replaced(m, UPLOAD, b"%PDF-1.4 a longer plan than before\n"),
        f"{UPLOAD}: is 35 bytes, but manifest.json says 22",
        id="a-size-mismatch",
    ),
    pytest.param(
        lambda m: without(m, "tables/hazards.jsonl"),
        "tables/hazards.jsonl: is listed in manifest.json but not in the archive",
        id="a-missing-member",
    ),
    pytest.param(
        lambda m: [*m, member("files/../../escape", b"x")],
        "files/../../escape: leads out of the instance (..)",
        id="a-path-out-of-the-instance",
    ),
    pytest.param(
        lambda m: [*m, member("/escape", b"x")],
        "/escape: is not a plain relative name",
        id="an-absolute-path",
    ),
    pytest.param(
        lambda m: [*m, member("files/./uploads/x.pdf", b"x")],
        "files/./uploads/x.pdf: is not a plain relative name",
        id="a-dotted-path",
    ),
    pytest.param(
        lambda m: listed(m, "files/" + "x" * 256, b"x"),
        "has a part longer than a file name may be (255 bytes)",
        id="a-name-too-long-for-a-file",
    ),
    pytest.param(
        lambda m: [*m, member("files/uploads/link", kind=tarfile.SYMTYPE, linkname="/")],
        "files/uploads/link: is a link",
        id="a-symlink",
    ),
    pytest.param(
        lambda m: [*m, member("files/uploads/hard", kind=tarfile.LNKTYPE, linkname=UPLOAD)],
        "files/uploads/hard: is a link",
        id="a-hardlink",
    ),
    pytest.param(
        lambda m: [*m, member("files/null", kind=tarfile.CHRTYPE, devmajor=1, devminor=3)],
        "files/null: is not a regular file",
        id="a-device",
    ),
    pytest.param(
        lambda m: [*m, member("files/uploads", kind=tarfile.DIRTYPE)],
        "files/uploads: is not a regular file",
        id="a-folder",
    ),
    pytest.param(
        lambda m: [*m, member(UPLOAD, content(m, UPLOAD))],
        f"{UPLOAD}: appears twice in the archive",
        id="a-duplicate-name",
    ),
    pytest.param(
        lambda m: [*m, member("notes.txt", b"x")],
        "notes.txt: is not a part of a resilience backup",
        id="a-member-of-another-shape",
    ),
    pytest.param(
        _raw_manifest(b'{"format": 2, "schema": '),
        "manifest.json: is not valid JSON",
        id="a-broken-manifest",
    ),
    pytest.param(
        _raw_manifest(b"[1, 2]"), "manifest.json: is not a JSON object", id="a-list-manifest"
    ),
    pytest.param(
        _raw_manifest(b"\xff\xfe"), "manifest.json: is not valid JSON", id="a-binary-manifest"
    ),
    pytest.param(
        lambda m: without(m, "manifest.json"),
        "no manifest.json: not a resilience backup",
        id="no-manifest",
    ),
    pytest.param(
        _edited(lambda d: d.update(format=99)),
        "manifest.json: backup format 99 is not one this version of resilience reads (1 or 2)",
        id="an-unknown-format",
    ),
    pytest.param(
        _edited(lambda d: d["members"][UPLOAD].update(size="22")),
        f"manifest.json: the size of {UPLOAD} is not a whole number of bytes",
        id="a-size-that-is-not-a-number",
    ),
    pytest.param(
        _edited(lambda d: d["members"].pop("tables/hazards.jsonl")),
        "tables/hazards.jsonl: is not listed in manifest.json",
        id="a-member-dropped-from-the-manifest",
    ),
    pytest.param(
        _edited(lambda d: d.update(schema=["0000_other"])),
        "the backup's schema ['0000_other'] differs from this database's",
        id="another-schema",
    ),
    pytest.param(_a_repeated_row, "the database refused a row", id="a-row-the-database-refuses"),
    pytest.param(_a_broken_row, ": line ", id="a-row-that-is-not-json"),
]


@pytest.mark.parametrize(("tamper", "expected"), TAMPERED)
def test_a_tampered_backup_is_refused_and_changes_nothing(
    good: list[Member],
    target: Target,
    runner: CliRunner,
    tmp_path: Path,
    tamper: Callable[[list[Member]], list[Member]],
    expected: str,
) -> None:
    archive = write_members(tmp_path / "backup.tar.gz", tamper(good))
    assert expected in refused(runner, target, archive)
    assert [p.name for p in target.folder.iterdir()] == ["secret_key"]


def test_the_untampered_copy_restores(
    good: list[Member], target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    """The tampered copies above are made the same way as this one, which restores."""
    archive = write_members(tmp_path / "backup.tar.gz", good)
    result = runner.invoke(main, ["restore", str(archive)])
    assert result.exit_code == 0, result.stderr
    assert (target.folder / "uploads" / "plan-v1.pdf").read_bytes() == content(good, UPLOAD)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"not an archive at all", "not a complete resilience backup", id="text"),
        pytest.param(b"", "not a complete resilience backup", id="empty"),
        pytest.param(gzip.compress(b"hello " * 200), "not a complete", id="gzip-of-no-tar"),
    ],
)
def test_a_file_that_is_no_archive_is_refused(
    target: Target, runner: CliRunner, tmp_path: Path, data: bytes, expected: str
) -> None:
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(data)
    assert expected in refused(runner, target, archive)


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9, 0.999])
def test_a_truncated_backup_is_refused(
    good: list[Member], target: Target, runner: CliRunner, tmp_path: Path, keep: float
) -> None:
    whole = write_members(tmp_path / "whole.tar.gz", good).read_bytes()
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(whole[: int(len(whole) * keep)])
    refused(runner, target, archive)


def test_a_missing_backup_file_is_one_line(
    target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    assert "backup.tar.gz: no such file" in refused(runner, target, tmp_path / "backup.tar.gz")


def test_a_backup_path_that_cannot_be_read_is_one_line(
    target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    # A folder where the archive should be: unreadable as a file for every user, root included.
    folder = tmp_path / "backup.tar.gz"
    folder.mkdir()
    before = target.state()
    result = runner.invoke(main, ["restore", str(folder)])
    assert result.exit_code == 2
    assert "backup.tar.gz' is a directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.state() == before


def test_a_restore_never_replaces_a_file_the_instance_holds(
    good: list[Member], target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    (target.folder / "uploads").mkdir()
    (target.folder / "uploads" / "plan-v1.pdf").write_bytes(b"someone else's plan")
    archive = write_members(tmp_path / "backup.tar.gz", good)
    line = refused(runner, target, archive)
    assert f"{UPLOAD}: the instance already holds this file" in line


def test_a_restore_never_writes_through_a_link(
    good: list[Member], target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target.folder / "uploads").symlink_to(elsewhere)
    archive = write_members(tmp_path / "backup.tar.gz", good)
    assert f"{UPLOAD}: would be written through a link" in refused(runner, target, archive)
    assert list(elsewhere.iterdir()) == []


class _Zeros(io.RawIOBase):
    """`size` zero bytes, made as they are read (the archive is written without holding them)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def _bomb(path: Path, members: list[Member], size: int, *, manifest_first: bool) -> Path:
    """Write `members` plus files/uploads/huge.bin of `size` zeros, listed with its true sums."""
    name = "files/uploads/huge.bin"
    digest = hashlib.sha256()
    for _ in range(size // MIB):
        digest.update(bytes(MIB))
    entry = {"size": size, "sha256": digest.hexdigest()}
    with_huge = with_manifest(members, lambda d: d["members"].update({name: entry}))
    manifest = [(i, d) for i, d in with_huge if i.name == "manifest.json"]
    rest = [(i, d) for i, d in with_huge if i.name != "manifest.json"]
    huge = tarfile.TarInfo(name)
    huge.size = size
    with tarfile.open(path, "w:gz") as tar:
        for info, data in manifest if manifest_first else []:
            tar.addfile(info, io.BytesIO(data))
        for info, data in rest:
            tar.addfile(info, io.BytesIO(data))
        tar.addfile(huge, io.BufferedReader(_Zeros(size)))
        for info, data in [] if manifest_first else manifest:
            tar.addfile(info, io.BytesIO(data))
    assert path.stat().st_size < size // 100  # highly compressible
    return path


@pytest.mark.parametrize("manifest_first", [True, False], ids=["format-2", "manifest-last"])
def test_a_member_over_the_limit_stops_the_restore(
    good: list[Member],
    target: Target,
    runner: CliRunner,
    tmp_path: Path,
    manifest_first: bool,
) -> None:
    archive = _bomb(tmp_path / "backup.tar.gz", good, 64 * MIB, manifest_first=manifest_first)
    line = refused(runner, target, archive, "--max-member-mib", "2")
    assert "files/uploads/huge.bin: is 64 MiB, more than 2 MiB (the limit for one member" in line


def test_the_member_limit_can_be_set_in_the_environment(
    good: list[Member],
    target: Target,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = _bomb(tmp_path / "backup.tar.gz", good, 64 * MIB, manifest_first=True)
    monkeypatch.setenv("RESILIENCE_RESTORE_MAX_MEMBER_MIB", "3")
    assert "more than 3 MiB (the limit for one member" in refused(runner, target, archive)


def test_the_total_limit_is_checked_while_streaming(
    good: list[Member], target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    # Within the limit for one member, so only the running total can stop it, part way through.
    archive = _bomb(tmp_path / "backup.tar.gz", good, 64 * MIB, manifest_first=True)
    line = refused(runner, target, archive, "--max-member-mib", "100", "--max-total-mib", "32")
    assert (
        "files/uploads/huge.bin: the archive unpacks to more than 32 MiB (the total limit" in line
    )


def test_a_large_member_within_the_limits_restores(
    good: list[Member], target: Target, runner: CliRunner, tmp_path: Path
) -> None:
    archive = _bomb(tmp_path / "backup.tar.gz", good, 64 * MIB, manifest_first=True)
    result = runner.invoke(main, ["restore", str(archive), "--max-member-mib", "64"])
    assert result.exit_code == 0, result.stderr
    assert (target.folder / "uploads" / "huge.bin").stat().st_size == 64 * MIB
