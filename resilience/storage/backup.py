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
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import shapely
import shapely.errors
from alembic.runtime.migration import MigrationContext
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    Column,
    Connection,
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
from sqlalchemy.exc import DataError, IntegrityError

from resilience.errors import InputError
from resilience.storage.backup_archive import (
    CHUNK,
    FORMAT,
    MANIFEST,
    WORK_PREFIXES,
    Limits,
    StagedArchive,
    is_work_path,
    read_archive,
)
from resilience.storage.geometry_type import Geometry
from resilience.storage.models import Base, utcnow

BATCH_ROWS = 1000


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


def _private_file(path: Path) -> IO[bytes]:
    """Open a new file readable by its owner only (created so, never loosened afterwards)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.fdopen(os.open(path, flags, 0o600), "wb")


class _Changed(Exception):
    """A file changed between being listed in the manifest and being written to the archive."""


class _Hashing:
    """A file's reader that hashes what passes through it, and notices that it has shrunk."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if size > 0 and len(data) < size:
            raise _Changed
        self.digest.update(data)
        return data


def _file_entry(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _dump_table(connection: Connection, table: Table, path: Path) -> int:
    """Write every row of `table` to `path` as JSON lines; returns how many."""
    rows = 0
    order = list(table.primary_key.columns)
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(
        select(table).order_by(*order)
    )
    with _private_file(path) as out:
        for row in result:
            record = {c.name: _encode(c, row._mapping[c.name]) for c in table.columns}
            # Key order kept: JSON columns round-trip as stored.
            out.write(json.dumps(record).encode() + b"\n")
            rows += 1
    return rows


def _instance_files(instance: Path, leave_out: Path) -> Iterator[Path]:
    for path in sorted(instance.rglob("*")):
        relative = PurePosixPath(path.relative_to(instance).as_posix())
        if is_work_path(relative) or path.is_symlink() or not path.is_file():
            continue
        if path.resolve() != leave_out:
            yield path


def _add(archive: tarfile.TarFile, name: str, path: Path, entry: dict[str, Any]) -> None:
    info = tarfile.TarInfo(name)
    info.size = entry["size"]
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o600
    try:
        with path.open("rb") as stream:
            hashing = _Hashing(stream)
            archive.addfile(info, hashing)
            changed = hashing.digest.hexdigest() != entry["sha256"]
    except (_Changed, FileNotFoundError):
        changed = True
    if changed:
        raise InputError("changed while it was being backed up: run the backup again", file=name)


def backup(engine: Engine, instance: Path, destination: Path) -> BackupSummary:
    """Write every table and instance file to a .tar.gz at `destination`; returns what it holds.

    The archive is readable by its owner only: it holds password hashes and every plan document.
    It is written beside `destination` and moved there whole, so a failed backup leaves no archive.
    """
    folder = destination.resolve().parent
    if not folder.is_dir():
        raise InputError("the folder to write the backup in does not exist", file=str(destination))
    files = list(_instance_files(instance, leave_out=destination.resolve()))
    summary = BackupSummary()
    members: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIXES[0], dir=folder) as work:
        staged: dict[str, Path] = {}
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                name = f"tables/{table.name}.jsonl"
                staged[name] = Path(work) / f"{table.name}.jsonl"
                summary.rows[table.name] = _dump_table(connection, table, staged[name])
                members[name] = _file_entry(staged[name])
        for path in files:
            relative = path.relative_to(instance).as_posix()
            try:
                members[f"files/{relative}"] = _file_entry(path)
            except FileNotFoundError:
                continue  # removed since the folder was listed: not part of this backup
            staged[f"files/{relative}"] = path
            summary.files.append(relative)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "schema": _heads(engine),
            "rows": summary.rows,
            "members": members,
        }
        written = Path(work) / "archive.tar.gz"
        with _private_file(written) as out:
            with tarfile.open(fileobj=out, mode="w:gz") as archive:
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))  # first: a restore checks as it reads
                for name, path in staged.items():
                    _add(archive, name, path, members[name])
            out.flush()
            os.fsync(out.fileno())
        os.replace(written, destination)
    return summary


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


def _rows(path: Path, table: Table, file: str) -> Iterator[list[dict[str, Any]]]:
    """Yield the staged rows of `table`, decoded, a batch at a time."""
    member = f"tables/{table.name}.jsonl"
    columns = {c.name: c for c in table.columns}
    batch: list[dict[str, Any]] = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                batch.append({k: _decode(columns[k], v) for k, v in record.items() if k in columns})
            except (ValueError, TypeError, shapely.errors.GEOSException) as error:
                raise InputError(f"line {number}: {error}", file=file, location=member) from None
            if len(batch) == BATCH_ROWS:
                yield batch
                batch = []
    if batch:
        yield batch


def _insert_tables(connection: Connection, staged: StagedArchive, file: str) -> dict[str, int]:
    counts = {}
    for table in Base.metadata.sorted_tables:
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise InputError(
                f"the database already holds {table.name}: restore into an empty instance",
                file=file,
            )
    for table in Base.metadata.sorted_tables:
        counts[table.name] = 0
        member = staged.members.get(f"tables/{table.name}.jsonl")
        if member is not None:
            for batch in _rows(member.path, table, file):
                try:
                    connection.execute(insert(table), batch)
                except (IntegrityError, DataError) as error:
                    reason = str(error.orig).splitlines()[0] if error.orig else str(error)
                    raise InputError(
                        f"the database refused a row: {reason}",
                        file=file,
                        location=f"tables/{table.name}.jsonl",
                    ) from None
                counts[table.name] += len(batch)
        _reset_sequences(connection, table)
    return counts


def _targets(instance: Path, staged: StagedArchive, file: str) -> dict[Path, Path]:
    """Return where each staged file goes; refuses any that would replace or escape anything."""
    tables = {f"tables/{t.name}.jsonl" for t in Base.metadata.sorted_tables}
    targets = {}
    for name, member in sorted(staged.members.items()):
        if name.startswith("tables/"):
            if name not in tables:
                raise InputError("is not a table of this schema", file=file, location=name)
            continue
        target = here = instance
        for part in PurePosixPath(name.removeprefix("files/")).parts:
            here = target = here / part
            if here.is_symlink():
                raise InputError("would be written through a link", file=file, location=name)
        if any(p.exists() and not p.is_dir() for p in target.parents):
            raise InputError("would be written inside a file", file=file, location=name)
        if target.exists():
            raise InputError(
                "the instance already holds this file: restore into an empty instance",
                file=file,
                location=name,
            )
        targets[member.path] = target
    return targets


def _place(targets: dict[Path, Path], placed: list[Path]) -> None:
    """Move each staged file to its target, noting (in order) every file and folder made."""
    for staged, target in targets.items():
        missing = [p for p in reversed(target.parents) if not p.exists()]
        for folder in missing:
            folder.mkdir(mode=0o700)
            placed.append(folder)
        os.replace(staged, target)
        placed.append(target)


def _unplace(placed: list[Path]) -> None:
    for path in reversed(placed):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink(missing_ok=True)


def restore(
    engine: Engine, instance: Path, source: Path, limits: Limits | None = None
) -> BackupSummary:
    """Restore the backup at `source` into an empty database and instance folder.

    Every member is checked and staged in the instance folder first; the rows and files are put
    in place only when all are sound, so on any problem the database and folder stay as they were.
    Raises InputError when the archive is damaged or not a backup, breaks a limit, its schema
    differs, or the instance already holds data.
    """
    file = source.name
    instance.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=WORK_PREFIXES[1], dir=instance))
    placed: list[Path] = []
    try:
        staged = read_archive(source, staging, limits or Limits())
        if staged.manifest["schema"] != _heads(engine):
            raise InputError(
                f"the backup's schema {staged.manifest['schema']} differs from this database's "
                f"{_heads(engine)}: run the same version of resilience",
                file=file,
            )
        targets = _targets(instance, staged, file)
        summary = BackupSummary()
        with engine.begin() as connection:
            summary.rows = _insert_tables(connection, staged, file)
            _place(targets, placed)  # last: the transaction commits only once the files are in
        summary.files = sorted(t.relative_to(instance).as_posix() for t in targets.values())
        return summary
    except BaseException:
        _unplace(placed)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
