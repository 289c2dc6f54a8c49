"""Briefing packs and reports a council would put before its scrutiny board (issue #12 item 14):
one duty table, no contents page for a short pack, references unbroken, honest file properties."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import docx
import pypdf
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.reports.render.document import Document, Table, Text
from resilience.reports.render.pdf import render_pdf

LONG_REF = "PLAN-MAHP-ETHYLENE-ROCKSAVAGE"


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_site_pack_has_one_duty_table_and_no_contents_page(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    response = client_as("member").get("/reports/sites/HAL-COMAH-01/briefing-pack.pdf")
    assert response.status_code == 200
    pages = _pages(response.data)
    text = "\n".join(pages)
    assert text.count("Its plans and their duties") == 1
    assert "Duty status" not in text
    assert "Contents" not in text  # four sections or fewer: no page of three lines
    assert len(pages) <= 4
    # Every page after the cover carries more than a line or two of its own.
    for number, page in enumerate(pages[1:], start=2):
        body = [line for line in page.splitlines() if line.strip() and "OFFICIAL" not in line]
        assert len(body) > 5, f"page {number} holds only {body}"


def test_a_long_reference_breaks_only_at_its_hyphens() -> None:
    document = Document(
        title="T",
        subtitle="S",
        marking="OFFICIAL",
        cover_lines=(),
        blocks=(
            Text("x"),
            Table(
                headers=("Plan", "Duty", "Due by", "Days", "Basis", "Reason"),
                rows=(
                    (
                        f"Ethylene pipeline emergency plan ({LONG_REF})",
                        "Exercise",
                        "1",
                        "2",
                        "b",
                        "r",
                    ),
                ),
                widths=(1.2, 1, 1, 1, 1, 4),
            ),
        ),
    )
    text = "\n".join(_pages(render_pdf(document)))
    joined = re.sub(r"-\s+", "-", text)  # a line break after a hyphen is a fair place to break
    assert LONG_REF in joined, text


def test_word_file_says_who_made_it_and_when(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    response = client_as("officer").get("/reports/annual.docx")
    assert response.status_code == 200
    properties = docx.Document(io.BytesIO(response.data)).core_properties
    assert properties.author == "Emergency Planning Team"
    assert properties.last_modified_by == "Emergency Planning Team"
    assert properties.created is not None and properties.created.date() == date.today()
    assert "python-docx" not in (properties.comments or "") + (properties.last_modified_by or "")
    assert properties.title == "Emergency planning annual report"
