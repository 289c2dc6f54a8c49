"""Backing up and restoring a whole instance: every row of every table, and the instance's files.

The archive is database-neutral (rows as JSON lines, decoded by each column's type), so a backup
taken on SQLite restores into PostgreSQL and back. A restore goes into an empty, migrated database
at the same schema revision, in one transaction: it either reproduces everything or changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import shapely
from alembic.runtime.migration import MigrationContext
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    Table,
    func,
    insert,
    select,
    text,
)

from resilience.errors import InputError
from resilience.storage.geometry_type import Geometry
from resilience.storage.models import Base, utcnow

FORMAT = 1
# Not carried over: the database itself (it is what the rows are) and the instance's own secret.
SKIPPED_FILES = (
    "resilience.sqlite3",
    "resilience.sqlite3-wal",
    "resilience.sqlite3-shm",
    "secret_key",
)


@dataclass
class BackupSummary:
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        total = sum(self.rows.values())
        return f"{total} rows in {len(self.rows)} tables, {len(self.files)} files"


def _encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Geometry) or isinstance(value, BaseGeometry):
        return shapely.to_wkb(value, hex=True)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Geometry):
        return shapely.from_wkb(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, JSON):
        return value
    return value


def _heads(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _instance_files(instance: Path) -> Iterator[Path]:
    for path in sorted(instance.rglob("*")):
        if path.is_file() and path.name not in SKIPPED_FILES and not path.is_symlink():
            yield path


def backup(engine: Engine, instance: Path, destination: Path) -> BackupSummary:
    """Write every table and instance file to a .tar.gz at `destination`; returns what it holds."""
    summary = BackupSummary()
    checksums: dict[str, str] = {}
    with tarfile.open(destination, "w:gz") as archive:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                lines = []
                order = [c for c in table.primary_key.columns]
                for row in connection.execute(select(table).order_by(*order)):
                    record = {c.name: _encode(c, row._mapping[c.name]) for c in table.columns}
                    lines.append(
                        json.dumps(record)
                    )  # key order kept: JSON columns round-trip as stored
                data = ("\n".join(lines) + ("\n" if lines else "")).encode()
                _add(archive, f"tables/{table.name}.jsonl", data)
                checksums[f"tables/{table.name}.jsonl"] = hashlib.sha256(data).hexdigest()
                summary.rows[table.name] = len(lines)
        for path in _instance_files(instance):
            relative = path.relative_to(instance).as_posix()
            data = path.read_bytes()
            _add(archive, f"files/{relative}", data)
            checksums[f"files/{relative}"] = hashlib.sha256(data).hexdigest()
            summary.files.append(relative)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "schema": _heads(engine),
            "rows": summary.rows,
            "sha256": checksums,
        }
        _add(archive, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
    return summary


def _read_archive(source: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    name = source.name
    try:
        with tarfile.open(source, "r:gz") as archive:
            members = {}
            for member in archive.getmembers():
                path = PurePosixPath(member.name)
                if not member.isfile() or path.is_absolute() or ".." in path.parts:
                    raise InputError(f"unexpected member {member.name!r}", file=name)
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise InputError(f"unreadable member {member.name!r}", file=name)
                members[member.name] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InputError(f"not a resilience backup (.tar.gz): {error}", file=name) from None
    if "manifest.json" not in members:
        raise InputError("no manifest.json: not a resilience backup", file=name)
    manifest = json.loads(members.pop("manifest.json"))
    if manifest.get("format") != FORMAT:
        raise InputError(f"backup format {manifest.get('format')!r} is not {FORMAT}", file=name)
    for member, digest in manifest.get("sha256", {}).items():
        if hashlib.sha256(members.get(member, b"")).hexdigest() != digest:
            raise InputError(
                f"{member} does not match its checksum: the backup is damaged", file=name
            )
    return manifest, members


def _reset_sequences(connection: Any, table: Table) -> None:
    key = table.c.get("id")
    if (
        key is not None
        and isinstance(key.type, Integer)
        and connection.dialect.name == "postgresql"
    ):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


def restore(engine: Engine, instance: Path, source: Path) -> BackupSummary:
    """Restore the backup at `source` into an empty database and instance folder.

    Raises InputError when the archive is damaged, its schema differs, or the database holds data.
    """
    manifest, members = _read_archive(source)
    if manifest["schema"] != _heads(engine):
        raise InputError(
            f"the backup's schema {manifest['schema']} differs from this database's "
            f"{_heads(engine)}: run the same version of resilience",
            file=source.name,
        )
    summary = BackupSummary()
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                raise InputError(
                    f"the database already holds {table.name}: restore into an empty instance",
                    file=source.name,
                )
        for table in Base.metadata.sorted_tables:
            data = members.get(f"tables/{table.name}.jsonl", b"").decode()
            rows = [json.loads(line) for line in data.splitlines() if line]
            if rows:
                columns = {c.name: c for c in table.columns}
                decoded = [
                    {k: _decode(columns[k], v) for k, v in r.items() if k in columns} for r in rows
                ]
                connection.execute(insert(table), decoded)
            _reset_sequences(connection, table)
            summary.rows[table.name] = len(rows)
    for member, content in sorted(members.items()):
        if member.startswith("files/"):
            relative = member.removeprefix("files/")
            target = instance / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            summary.files.append(relative)
    return summary
