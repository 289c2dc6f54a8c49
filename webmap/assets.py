"""The files a map needs in the browser, all shipped with the app: linked, or inlined offline.

Leaflet is vendored from npm (see ``scripts/vendor-assets.json`` for the version and licence);
``map.js`` and ``map.css`` are this project's own. No map ever links to another origin.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
# In load order. Paths are relative to STATIC_DIR.
SCRIPTS = ("leaflet/leaflet.js", "map.js")
STYLESHEETS = ("leaflet/leaflet.css", "map.css")
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")
_MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class MapAssets:
    """Where a map gets its scripts and styles: links to URLs, or the files' text inline."""

    scripts: tuple[tuple[str, str], ...] = ()  # (name, URL)
    stylesheets: tuple[tuple[str, str], ...] = ()
    inline: bool = False

    @classmethod
    def linked(cls, url_for_file: Callable[[str], str]) -> MapAssets:
        """Return assets linked by URL; `url_for_file` maps a STATIC_DIR-relative path to a URL."""
        return cls(
            scripts=tuple((_name(path), url_for_file(path)) for path in SCRIPTS),
            stylesheets=tuple((_name(path), url_for_file(path)) for path in STYLESHEETS),
        )

    @classmethod
    def inlined(cls) -> MapAssets:
        """Return assets written into the page itself, for a file that works with no server."""
        return cls(inline=True)


def _name(path: str) -> str:
    return path.replace("/", "_").replace(".", "_")


def static_file(path: str) -> Path:
    """Return the file at `path` under STATIC_DIR; raises ValueError for a path that leaves it."""
    full = (STATIC_DIR / path).resolve()
    if STATIC_DIR not in full.parents:
        raise ValueError(f"{path!r} is not a map asset")
    return full


@cache
def asset_version(path: str) -> str:
    """Return a short hash of an asset's content, for URLs that change when the file does."""
    return hashlib.sha256(static_file(path).read_bytes()).hexdigest()[:10]


def script_text(text: str) -> str:
    """Return JavaScript safe to put between <script> tags (no early end of the element)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


@cache
def inline_scripts() -> str:
    """Return every map script as <script> elements holding the files' text."""
    return "\n".join(
        f"<script>{script_text(static_file(path).read_text(encoding='utf-8'))}</script>"
        for path in SCRIPTS
    )


@cache
def inline_stylesheets() -> str:
    """Return every map stylesheet as <style> elements, images turned into data: URLs."""
    parts = []
    for path in STYLESHEETS:
        css_file = static_file(path)
        css = css_file.read_text(encoding="utf-8")

        def data_url(match: re.Match[str], folder: Path = css_file.parent) -> str:
            image = folder / match.group(2)
            media = _MEDIA_TYPES[image.suffix]
            encoded = base64.b64encode(image.read_bytes()).decode("ascii")
            return f"url(data:{media};base64,{encoded})"

        css = _CSS_URL.sub(data_url, css).replace("</", "<\\/")
        parts.append(f"<style>{css}</style>")
    return "\n".join(parts)
