"""Rendered maps shared by every worker process: files in one folder, named by their key.

A key says what a map shows and the content it was drawn from (a data version, or a digest of
the data itself), so an entry never goes stale: a change makes a new key, and entries nobody
asks for any more age out, least recently used first, once the folder holds more than
``max_entries`` maps or ``max_bytes`` bytes. Files are written whole and renamed into place,
so a reader in another process sees a complete entry or none. A build holds an exclusive
lock on the key's lock file, so a map being built by one worker (a national map takes
seconds) is waited for, not built again, by the others and by other threads.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

SUFFIX = ".map"


class MapCache:
    """A least-recently-used cache of rendered maps (bytes) in a folder shared by processes."""

    def __init__(
        self, folder: Path, max_entries: int = 256, max_bytes: int = 512 * 1024 * 1024
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # Counted by this process (a test reads them); the entries are everyone's.
        self.hits = 0
        self.misses = 0

    def _path(self, key: Hashable) -> Path:
        digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()
        return self.folder / f"{digest}{SUFFIX}"

    def get(self, key: Hashable) -> bytes | None:
        """Return the entry for `key`, or None when no process has stored it."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            os.utime(path)  # recently used: the last to be evicted
        except FileNotFoundError:
            pass  # evicted meanwhile by another process; what was read is still whole
        return data

    def put(self, key: Hashable, data: bytes) -> None:
        """Store `data` under `key` (whole, atomically), then evict beyond the limits."""
        path = self._path(key)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._evict()

    def get_or_build(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """Return the entry for `key`, building and storing it when no process has it yet."""
        found = self.get(key)
        if found is not None:
            self.hits += 1
            return found
        with self._building(key):
            found = self.get(key)  # built by another worker while this one waited
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
            data = build()
            self.put(key, data)
        return data

    @contextmanager
    def _building(self, key: Hashable) -> Iterator[None]:
        lock = self._path(key).with_suffix(".lock")
        with open(lock, "a+b") as file:
            # flock locks belong to the open file, so threads of one process wait too.
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)

    def _entries(self) -> list[tuple[float, int, Path]]:
        found = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                status = path.stat()
            except FileNotFoundError:
                continue
            found.append((status.st_mtime, status.st_size, path))
        return sorted(found)

    def _evict(self) -> None:
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        while entries and (len(entries) > self.max_entries or total > self.max_bytes):
            _, size, path = entries.pop(0)
            path.unlink(missing_ok=True)
            # Its lock file goes too. A worker that had it open may then build this key once
            # more beside another: wasteful, never wrong (both write the same entry whole).
            path.with_suffix(".lock").unlink(missing_ok=True)
            total -= size

    def clear(self) -> None:
        """Forget every entry (of every process)."""
        for _, _, path in self._entries():
            path.unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._entries())
