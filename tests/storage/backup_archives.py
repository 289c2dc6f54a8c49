"""Building backup archives by hand: tampered copies of real ones, and the format-1 layout."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from resilience.storage.backup import _encode, _heads
from resilience.storage.models import Base, utcnow

Member = tuple[tarfile.TarInfo, bytes]


def read_members(archive: Path) -> list[Member]:
    """Return every member of a (small) .tar.gz with its content, in order."""
    with tarfile.open(archive, "r:gz") as tar:
        return [
            (member, tar.extractfile(member).read() if member.isreg() else b"")  # type: ignore[union-attr]
            for member in tar.getmembers()
        ]


def member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, **info: Any) -> Member:
    """Return a member called `name` holding `data` (or of another `kind`, with `info`)."""
    tarinfo = tarfile.TarInfo(name)
    tarinfo.type = kind
    tarinfo.size = len(data) if kind == tarfile.REGTYPE else 0
    for key, value in info.items():
        setattr(tarinfo, key, value)
    return tarinfo, data


def write_members(archive: Path, members: list[Member]) -> Path:
    """Write `members` (in order, names as given) to a new .tar.gz at `archive`."""
    with tarfile.open(archive, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for tarinfo, data in members:
            tar.addfile(tarinfo, io.BytesIO(data) if tarinfo.isreg() else None)
    return archive


def manifest_of(members: list[Member]) -> dict[str, Any]:
    return json.loads(next(data for info, data in members if info.name == "manifest.json"))


def with_manifest(members: list[Member], edit: Callable[[dict[str, Any]], None]) -> list[Member]:
    """Return `members` with the manifest changed by `edit` (in place of the old one)."""
    manifest = manifest_of(members)
    edit(manifest)
    data = json.dumps(manifest).encode()
    return [
        member("manifest.json", data) if i.name == "manifest.json" else (i, d) for i, d in members
    ]


def listed(members: list[Member], name: str, data: bytes) -> list[Member]:
    """Return `members` plus `name`, listed in the manifest with its true size and SHA-256."""

    def add(manifest: dict[str, Any]) -> None:
        manifest["members"][name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    return [*with_manifest(members, add), member(name, data)]


def write_format_1(engine: Engine, instance: Path, destination: Path) -> None:
    """Write a backup exactly as resilience wrote them before format 2 (manifest last, no sizes).

    Format 1: `tables/NAME.jsonl` and `files/PATH` members with tarfile's default mode (0644),
    then manifest.json with `format` 1, `schema`, `rows` and a `sha256` for every member.
    """
    skipped = (
        "resilience.sqlite3",
        "resilience.sqlite3-wal",
        "resilience.sqlite3-shm",
        "secret_key",
    )
    checksums, rows = {}, {}

    def add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(utcnow().timestamp())
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(destination, "w:gz") as tar:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                lines = []
                order = list(table.primary_key.columns)
                for row in connection.execute(select(table).order_by(*order)):
                    record = {c.name: _encode(c, row._mapping[c.name]) for c in table.columns}
                    lines.append(json.dumps(record))
                data = ("\n".join(lines) + ("\n" if lines else "")).encode()
                add(tar, f"tables/{table.name}.jsonl", data)
                checksums[f"tables/{table.name}.jsonl"] = hashlib.sha256(data).hexdigest()
                rows[table.name] = len(lines)
        for path in sorted(instance.rglob("*")):
            if path.is_file() and path.name not in skipped and not path.is_symlink():
                data = path.read_bytes()
                relative = path.relative_to(instance).as_posix()
                add(tar, f"files/{relative}", data)
                checksums[f"files/{relative}"] = hashlib.sha256(data).hexdigest()
        manifest = {
            "format": 1,
            "created_at": utcnow().isoformat(),
            "schema": _heads(engine),
            "rows": rows,
            "sha256": checksums,
        }
        add(tar, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
