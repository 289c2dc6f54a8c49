"""The app's own static files under names that change with their content, cached for a year.

Every ``url_for("static", filename=...)`` gains ``?v=`` and a hash of the file. A request that
names the file's current hash is answered with a year's ``immutable`` cache lifetime, so a
browser asks again only when a new release changes the file and so its URL. Any other request
(an old hash, none) is revalidated as before. The map assets do the same (webmap.assets).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

YEAR = 365 * 24 * 60 * 60


@cache
def _version(folder: str, filename: str) -> str | None:
    path = Path(folder, filename)
    if not path.resolve().is_relative_to(Path(folder).resolve()) or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def register(app: Flask) -> None:
    """Version the URLs of `app`'s static folder and cache what they name for a year."""
    folder = str(app.static_folder)

    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = _version(folder, values["filename"])
            if version is not None:
                values["v"] = version

    @app.after_request
    def _cache_versioned(response: Response) -> Response:
        filename = (request.view_args or {}).get("filename")
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and filename is not None
            and request.args.get("v") == _version(folder, filename)
        ):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
