"""Reading a backup archive safely: each member checked, streamed to disk, matched to the manifest.

A member is accepted only if it is a regular file with a plain relative name of the backup's
shape (`manifest.json`, `tables/NAME.jsonl`, `files/PATH`), appears once, stays within the size
limits, and matches the size and SHA-256 that manifest.json lists for it; every listed member
must be present. Members are streamed to files of a staging folder while hashed, so memory stays
flat whatever their size; nothing is put in place here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from resilience.errors import InputError

FORMAT = 2
# Format 1 (until the manifest listed sizes) has a SHA-256 for every member, but no sizes.
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
MANIFEST_LIMIT = 16 * 1024 * 1024
MIB = 1024 * 1024
DEFAULT_MEMBER_LIMIT_MIB = 1024
DEFAULT_TOTAL_LIMIT_MIB = 10 * 1024
CHUNK = MIB
# Never carried over: the database itself (it is what the rows are) and the instance's own
# secret; nor the folders a backup or restore works in.
SKIPPED_FILES = frozenset(
    {"resilience.sqlite3", "resilience.sqlite3-wal", "resilience.sqlite3-shm", "secret_key"}
)
WORK_PREFIXES = (".backup-", ".restore-")
_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class Limits:
    """The most one member, and all members together, may unpack to (bytes)."""

    member_bytes: int = DEFAULT_MEMBER_LIMIT_MIB * MIB
    total_bytes: int = DEFAULT_TOTAL_LIMIT_MIB * MIB


@dataclass(frozen=True)
class Entry:
    """What the manifest says of one member; `size` is None in format 1."""

    size: int | None
    sha256: str


@dataclass(frozen=True)
class Staged:
    path: Path
    size: int
    sha256: str


@dataclass
class StagedArchive:
    """A checked archive: its manifest, and each member's staged file (by member name)."""

    manifest: dict[str, Any]
    members: dict[str, Staged]


def is_work_path(relative: PurePosixPath) -> bool:
    """Return whether an instance path is a database, the secret, or a backup's work folder."""
    return any(part in SKIPPED_FILES or part.startswith(WORK_PREFIXES) for part in relative.parts)


def name_problem(name: str) -> str | None:
    """Return why `name` cannot be a member of a backup, or None when it can."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or path.as_posix() != name or "\\" in name:
        return "is not a plain relative name"
    if ".." in path.parts:
        return "leads out of the instance (..)"
    if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in path.parts):
        return "has a part longer than a file name may be (255 bytes)"
    if name == MANIFEST:
        return None
    if path.parts[0] == "tables" and len(path.parts) == 2 and path.suffix == ".jsonl":
        return None
    if path.parts[0] == "files" and len(path.parts) > 1:
        if is_work_path(PurePosixPath(*path.parts[1:])):
            return "is never part of a backup (a database, the secret key or a work folder)"
        return None
    return "is not a part of a resilience backup"


def _member_problem(member: tarfile.TarInfo) -> str | None:
    if member.issym() or member.islnk():
        return "is a link: a backup holds regular files only"
    if not member.isreg():
        return "is not a regular file (a folder, device or pipe): a backup holds files only"
    return name_problem(member.name)


def _parse_manifest(data: bytes, file: str) -> tuple[dict[str, Any], dict[str, Entry]]:
    def broken(problem: str) -> InputError:
        return InputError(problem, file=file, location=MANIFEST)

    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise broken(f"is not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise broken("is not a JSON object")
    version = manifest.get("format")
    if isinstance(version, bool) or version not in READABLE_FORMATS:
        raise broken(
            f"backup format {version!r} is not one this version of resilience reads "
            f"({' or '.join(map(str, READABLE_FORMATS))})"
        )
    schema = manifest.get("schema")
    if not isinstance(schema, list) or not all(isinstance(s, str) for s in schema):
        raise broken("'schema' is not a list of revisions")
    listed = manifest.get("members" if version == 2 else "sha256")
    if not isinstance(listed, dict):
        raise broken(f"'{'members' if version == 2 else 'sha256'}' is not an object")
    entries = {}
    for name, value in listed.items():
        if problem := name_problem(name):
            raise broken(f"lists {name!r}, which {problem}")
        if name == MANIFEST:
            raise broken("lists itself")
        if version == 2 and not isinstance(value, dict):
            raise broken(f"the entry of {name} is not an object with size and sha256")
        size, digest = (value.get("size"), value.get("sha256")) if version == 2 else (None, value)
        if version == 2 and not (
            isinstance(size, int) and not isinstance(size, bool) and size >= 0
        ):
            raise broken(f"the size of {name} is not a whole number of bytes")
        if not (isinstance(digest, str) and len(digest) == 64 and _is_hex(digest)):
            raise broken(f"the SHA-256 of {name} is not 64 hexadecimal digits")
        entries[name] = Entry(size, digest.lower())
    return manifest, entries


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def _mib(size: int) -> str:
    return f"{size / MIB:,.0f} MiB" if size >= MIB else f"{size:,} bytes"


class _Reader:
    """Read one archive member after another, turning every reading failure into InputError."""

    def __init__(self, source: Path, limits: Limits) -> None:
        self.file = source.name
        self.limits = limits
        self.total = 0

    def damaged(self, error: BaseException) -> InputError:
        reason = " ".join(str(error).split()) or type(error).__name__
        return InputError(f"not a complete resilience backup (.tar.gz): {reason}", file=self.file)

    def refuse(self, name: str, problem: str) -> InputError:
        return InputError(problem, file=self.file, location=name)

    def open_member(self, archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
        try:
            stream = archive.extractfile(member)
        except _READ_ERRORS as error:
            raise self.damaged(error) from None
        if stream is None:
            raise self.refuse(member.name, "cannot be read")
        return stream

    def chunks(self, name: str, stream: IO[bytes], limit: int, limit_name: str) -> Iterator[bytes]:
        """Yield the member's bytes a chunk at a time, stopping as soon as they pass `limit`."""
        read = 0
        while True:
            try:
                chunk = stream.read(CHUNK)
            except _READ_ERRORS as error:
                raise self.damaged(error) from None
            if not chunk:
                return
            read += len(chunk)
            self.total += len(chunk)
            if read > limit:
                raise self.refuse(name, f"unpacks to more than {_mib(limit)} ({limit_name})")
            if self.total > self.limits.total_bytes:
                raise self.refuse(
                    name,
                    f"the archive unpacks to more than {_mib(self.limits.total_bytes)} "
                    "(the total limit, --max-total-mib)",
                )
            yield chunk


def _stage(reader: _Reader, name: str, stream: IO[bytes], path: Path, limit: int) -> Staged:
    """Stream a member into a new private file at `path` while hashing it."""
    digest = hashlib.sha256()
    size = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(path, flags, 0o600), "wb") as out:
        for chunk in reader.chunks(
            name, stream, limit, "the limit for one member, --max-member-mib"
        ):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return Staged(path, size, digest.hexdigest())


def read_archive(source: Path, staging: Path, limits: Limits) -> StagedArchive:
    """Check and stage every member of the backup at `source` into the folder `staging`.

    Raises InputError naming the archive and member on anything but an intact backup.
    """
    reader = _Reader(source, limits)
    manifest: dict[str, Any] | None = None
    entries: dict[str, Entry] | None = None
    staged: dict[str, Staged] = {}
    seen: set[str] = set()
    with ExitStack() as opened:
        try:
            # GzipFile inflates no more than is asked for, so a bomb never balloons in memory;
            # the tar is read as a stream: one pass, no seeking back.
            compressed = opened.enter_context(gzip.open(source, "rb"))
            archive = opened.enter_context(tarfile.open(fileobj=compressed, mode="r|"))
        except FileNotFoundError:
            raise InputError("no such file", file=reader.file) from None
        except _READ_ERRORS as error:
            raise reader.damaged(error) from None
        members = iter(archive)
        while True:
            try:
                member = next(members)
            except StopIteration:
                break
            except _READ_ERRORS as error:
                raise reader.damaged(error) from None
            name = member.name
            if problem := _member_problem(member):
                raise reader.refuse(name, problem)
            if name in seen:
                raise reader.refuse(name, "appears twice in the archive")
            seen.add(name)
            if entries is not None and name not in entries:
                raise reader.refuse(name, f"is not listed in {MANIFEST}")
            stream = reader.open_member(archive, member)
            if name == MANIFEST:
                data = b"".join(
                    reader.chunks(name, stream, MANIFEST_LIMIT, "the limit for a manifest")
                )
                manifest, entries = _parse_manifest(data, reader.file)
                for earlier in staged:
                    if earlier not in entries:
                        raise reader.refuse(earlier, f"is not listed in {MANIFEST}")
                continue
            limit = limits.member_bytes
            if entries is not None and (declared := entries[name].size) is not None:
                limit = min(limit, declared)  # more than the manifest says is already wrong
                if member.size != declared:
                    raise reader.refuse(
                        name, f"is {member.size:,} bytes, but {MANIFEST} says {declared:,}"
                    )
            if member.size > limits.member_bytes:
                raise reader.refuse(
                    name,
                    f"is {_mib(member.size)}, more than {_mib(limits.member_bytes)} "
                    "(the limit for one member, --max-member-mib)",
                )
            staged[name] = _stage(reader, name, stream, staging / f"{len(staged):06d}", limit)
    if manifest is None or entries is None:
        raise InputError(f"no {MANIFEST}: not a resilience backup", file=reader.file)
    _match(reader, entries, staged)
    return StagedArchive(manifest, staged)


def _match(reader: _Reader, entries: dict[str, Entry], staged: dict[str, Staged]) -> None:
    for name in sorted(entries):
        if name not in staged:
            raise reader.refuse(name, f"is listed in {MANIFEST} but not in the archive")
    for name, member in sorted(staged.items()):
        entry = entries.get(name)
        if entry is None:
            raise reader.refuse(name, f"is not listed in {MANIFEST}")
        if entry.size is not None and member.size != entry.size:
            raise reader.refuse(
                name, f"is {member.size:,} bytes, but {MANIFEST} says {entry.size:,}"
            )
        if member.sha256 != entry.sha256:
            raise reader.refuse(
                name, f"does not match its SHA-256 in {MANIFEST}: the backup is damaged"
            )
