"""Rendered maps kept in memory, keyed on what they show and on the version of the data.

A key always includes the data version (see ``sources.data_version``), so an edit anywhere in
the mapped tables makes every older entry unreachable; old entries then age out of the LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class MapCache:
    """A small thread-safe least-recently-used cache of rendered maps."""

    def __init__(self, max_entries: int = 16) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the entry for `key`, building and storing it when missing.

        Requests for a key being built wait for that build rather than repeating it (a
        national map takes seconds to build); builds of different keys run side by side.
        """
        with self._lock:
            if key in self._entries:
                return cast(T, self._hit(key))
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._entries:
                    return cast(T, self._hit(key))
                self.misses += 1
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def _hit(self, key: Hashable) -> object:
        self._entries.move_to_end(key)
        self.hits += 1
        return self._entries[key]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
