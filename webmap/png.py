"""A map as a PNG image for reports: the standalone HTML drawn by headless Chromium.

The image is the same map as the page (same data, key and scale bar), because it is that page.
Chromium runs with no network access to speak of: the document carries everything inline, and
the screenshot is taken from a local file.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",  # runs as root in containers; the page is our own file
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--virtual-time-budget=5000",
)


class PngUnavailable(RuntimeError):
    """No browser to draw the image with, or it failed."""


def find_chromium(configured: str | None = None) -> str | None:
    """Return the path of a Chromium to draw with: `configured` if given, else one on PATH."""
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_png(
    html: str,
    *,
    chromium: str | None = None,
    width: int = 1600,
    height: int = 1100,
    timeout: float = 60.0,
) -> bytes:
    """Return a `width` x `height` PNG of the standalone `html`; raises PngUnavailable."""
    browser = find_chromium(chromium)
    if browser is None:
        raise PngUnavailable(
            "PNG images are drawn by Chromium, which is not installed on the server "
            "(Debian: apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory(prefix="resilience-map-") as folder:
        page = Path(folder) / "map.html"
        image = Path(folder) / "map.png"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *CHROMIUM_ARGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={image}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PngUnavailable(f"Chromium could not draw the map: {error}") from None
        if not image.exists() or image.stat().st_size == 0:
            raise PngUnavailable("Chromium ran but wrote no image")
        return image.read_bytes()
