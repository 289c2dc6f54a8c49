"""The app's one map cache: files in the instance folder, shared by every worker process."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from webmap.cache import MapCache

CACHE_FOLDER = Path("cache") / "maps"


def shared_map_cache(app: Flask) -> MapCache:
    """Return the app's map cache (pages, downloads and document images), making it once."""
    cache = app.extensions.get("map_cache")
    if cache is None:
        cache = app.extensions["map_cache"] = MapCache(Path(app.instance_path) / CACHE_FOLDER)
    assert isinstance(cache, MapCache)
    return cache
