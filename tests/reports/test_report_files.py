"""The annual report and the briefing packs as files: they open, and hold the expected sections."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
import pypdf
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.domain.demo import load_demo
from resilience.reports.annual.content import annual_report, authority_name
from resilience.reports.annual.document import annual_report_document
from resilience.reports.packs import session_pack, site_pack
from resilience.reports.render.pdf import render_pdf
from resilience.reports.render.word import render_docx
from resilience.storage.models import Hazard
from tests.reports.report_fixtures import PERIOD, build_register
from tests.support.builders import make_session

GENERATED = datetime(2026, 6, 2, 9, tzinfo=UTC)
# The annual report's sections, in the order a reader (and the council's template) expects.
SECTION_TITLES = (
    "Summary",
    "Statutory duties",
    "Plans reviewed or renewed",
    "Exercises held",
    "Lessons identified and closed",
    "Training and attendance",
    "Overdue duties and their reasons",
    "Partners' duties",
    "Where the figures come from",
)


def pdf_text(content: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, " ".join(text.split())


def outline_titles(reader: pypdf.PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))  # type: ignore[attr-defined]

    walk(reader.outline)
    return titles


def test_the_annual_report_pdf_opens_with_every_section(session: Session) -> None:
    build_register(session)
    report = annual_report(session, PERIOD, GENERATED)
    document = annual_report_document(report, "Halton")
    reader, text = pdf_text(render_pdf(document))
    assert reader.metadata is not None and reader.metadata.title == document.title
    assert len(reader.pages) >= 4
    level_one = [t for t in outline_titles(reader) if t in SECTION_TITLES]
    assert level_one == list(SECTION_TITLES)
    assert "Contents" in text
    for title in SECTION_TITLES:
        assert title in text, title
    assert text.count("OFFICIAL") >= 2 * len(reader.pages)  # top and bottom of every page
    assert "Exercise postponed: operator shutdown." in text
    assert "Exercise Chlorine Cloud" in text
    assert "1 June 2025 to 31 May 2026" in text


def test_the_annual_report_docx_opens_with_every_section_and_figure(session: Session) -> None:
    build_register(session)
    report = annual_report(session, PERIOD, GENERATED)
    document = annual_report_document(report, "Halton")
    word = docx.Document(io.BytesIO(render_docx(document)))
    headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    assert headings == list(SECTION_TITLES)
    assert word.core_properties.title == document.title
    paragraphs = {p.text for p in word.paragraphs}
    for figure in report.all_figures:
        assert f"{figure.label}: {figure.value:,}" in paragraphs, figure.key
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    for line in report.overdue:
        assert line.reason in cells
    section = word.sections[-1]
    assert section.header.paragraphs[0].text == "OFFICIAL"


def test_a_site_briefing_pack_has_cover_maps_card_and_duties(session: Session) -> None:
    load_demo(session)
    session.commit()
    hazard = session.scalars(
        select(Hazard).where(Hazard.ref == "HAL-COMAH-08").options(selectinload(Hazard.zones))
    ).one()
    reader, text = pdf_text(render_pdf(site_pack(session, hazard, date(2026, 11, 28))))
    assert reader.pages[0].extract_text().count("Briefing") >= 1  # the cover
    assert outline_titles(reader) == ["Overview", hazard.name]
    assert "Contents" not in text  # two sections: no contents page
    for words in (
        "Sites and pipelines in the register (Halton)",
        "Zones, and who lies in them",
        "Its plans and their duties",
        "Lanxess Widnes external emergency plan",
        "statutory, COMAH 2015 reg. 14",
    ):
        assert words in text, words
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2  # the overview map and the site map
    assert "OFFICIAL-SENSITIVE" not in text


def test_a_session_briefing_pack_covers_the_sites_of_its_topics(session: Session) -> None:
    load_demo(session)
    record = make_session(session, "Pipelines for members", topics=["pipelines"])
    session.commit()
    reader, text = pdf_text(render_pdf(session_pack(session, record, date(2026, 11, 28))))
    pipelines = session.scalars(select(Hazard.name).where(Hazard.kind == "pipeline")).all()
    assert outline_titles(reader) == [
        "About this session",
        "Overview",
        *sorted(pipelines),
    ]
    assert "Pipelines for members" in text
    assert len([image for page in reader.pages for image in page.images]) == 1 + len(pipelines)


def test_the_authority_is_the_council_most_wards_belong_to(session: Session) -> None:
    assert authority_name(session) == "the council"
    load_demo(session)
    session.commit()
    assert authority_name(session) == "Halton"
