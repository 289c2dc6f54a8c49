"""The printed maps (member pages, briefing pack, reports): what a reader sees in the image."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.reports.render.map_images import ZONE_COLOURS, overview_png, site_png
from resilience.storage.models import Hazard


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)


def _share(pixels: np.ndarray, colour: str) -> float:
    """Return the share of the image drawn in exactly ``colour`` (within rounding)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(pixels - rgb).max(axis=1) <= 3).mean())


def test_overview_image_draws_every_band_in_the_colours_of_its_key(session: Session) -> None:
    load_demo(session)
    session.commit()
    pixels = _pixels(overview_png(session, precise_pipelines=False))
    # Each band is seen in its own colour: the inner and middle bands fill the hole the outer
    # band (a ring) leaves, and nothing blends them into shades the key does not show.
    for kind in ("inner", "middle", "outer"):
        assert _share(pixels, ZONE_COLOURS[kind]) > 0.002, kind


def test_site_image_has_a_scale_bar_and_keeps_labels_inside(session: Session) -> None:
    load_demo(session)
    session.commit()
    hazard = session.scalars(select(Hazard).where(Hazard.ref == "HAL-COMAH-01")).one()
    image = np.asarray(Image.open(io.BytesIO(site_png(session, hazard))).convert("RGB"))
    height, width, _ = image.shape
    corner = image[int(height * 0.9) :, int(width * 0.75) :]
    # The scale bar: a solid black bar in the lower right corner.
    black_rows = (np.abs(corner.astype(int)).max(axis=2) < 40).sum(axis=1)
    assert black_rows.max() > width * 0.08
    # No text runs off the right edge: the last column is only background and boundary lines.
    edge = image[:, -1].astype(int)
    green = (np.abs(edge - np.array([0, 112, 60])).max(axis=1) < 30).sum()
    assert green == 0
