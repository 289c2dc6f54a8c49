"""Heavy renders as functions of plain arguments, so that a child process can run them.

Each task opens its own database session from the URL: nothing of the web request (its
session, its thread) crosses into the child, and the parent can kill the child at a deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from resilience.domain.marking import Reader
from resilience.reports.annual.content import ReportPeriod
from resilience.reports.packs import annual_report_file_document, session_pack_pdf, site_pack_pdf
from resilience.reports.render.map_images import images_cached_in, overview_png, site_png
from resilience.reports.render.pdf import render_pdf
from resilience.reports.render.word import render_docx
from resilience.reports.whatif.warn_list import warn_list_pdf
from resilience.storage.database import make_engine, make_sessionmaker
from resilience.storage.models import Hazard, TrainingSession

_ENGINES: dict[str, Engine] = {}
_KEPT_ENGINES = 4


@contextmanager
def _reading(database_url: str, cache_folder: Path | None = None) -> Iterator[Session]:
    # A render process is kept between renders: keep its engine (pool, compiled statements) too.
    engine = _ENGINES.pop(database_url, None) or make_engine(database_url)
    _ENGINES[database_url] = engine
    while len(_ENGINES) > _KEPT_ENGINES:
        _ENGINES.pop(next(iter(_ENGINES))).dispose()
    # Map images are kept in (and served from) the app's shared map cache.
    with images_cached_in(cache_folder), make_sessionmaker(engine)() as session:
        yield session


def site_pack_file(
    database_url: str, hazard_id: int, today: date, cache_folder: Path | None = None
) -> bytes:
    """Return the briefing pack PDF of the hazard with id `hazard_id`."""
    with _reading(database_url, cache_folder) as session:
        hazard = session.get(Hazard, hazard_id)
        assert hazard is not None, hazard_id  # the view found it a moment ago
        return site_pack_pdf(session, hazard, today)


def session_pack_file(
    database_url: str, session_id: int, today: date, cache_folder: Path | None = None
) -> bytes:
    """Return the briefing pack PDF of the training session with id `session_id`."""
    with _reading(database_url, cache_folder) as session:
        record = session.get(TrainingSession, session_id)
        assert record is not None, session_id
        return session_pack_pdf(session, record, today)


def annual_report_file(
    database_url: str,
    period: ReportPeriod,
    generated_at: datetime,
    fmt: Literal["pdf", "docx"],
    reader: Reader,
    cache_folder: Path | None = None,
) -> bytes:
    """Return the annual report for `period`, as `reader` may see it, as PDF or Word bytes."""
    with _reading(database_url, cache_folder) as session:
        document = annual_report_file_document(session, period, generated_at, reader)
    return render_pdf(document) if fmt == "pdf" else render_docx(document)


def site_map_file(
    database_url: str, hazard_id: int, precise_pipelines: bool, cache_folder: Path | None = None
) -> bytes:
    """Return the static (matplotlib) map PNG of the hazard with id `hazard_id`.

    ``precise_pipelines`` False draws pipelines as corridors (what members see).
    """
    with _reading(database_url, cache_folder) as session:
        hazard = session.get(Hazard, hazard_id)
        assert hazard is not None, hazard_id
        return site_png(session, hazard, precise_pipelines=precise_pipelines)


def overview_map_file(
    database_url: str, precise_pipelines: bool, cache_folder: Path | None = None
) -> bytes:
    """Return the static (matplotlib) overview map PNG, pipelines as the reader may see them."""
    with _reading(database_url, cache_folder) as session:
        return overview_png(session, precise_pipelines=precise_pipelines)


def warn_list_pdf_file(database_url: str, result: dict[str, Any], title: str) -> bytes:
    """Return the one-page warn-and-inform PDF of a what-if result (its map's wards read here)."""
    with _reading(database_url) as session:
        return warn_list_pdf(session, result, title)
