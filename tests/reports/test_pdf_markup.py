"""Text from the register is text in a PDF: never markup, never a megabyte laid out."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pypdf
from flask.testing import FlaskClient
from PIL import Image as PilImage
from sqlalchemy.orm import Session

from resilience.domain.register.edits import after_change
from resilience.reports.render.document import (
    TRUNCATION_NOTE,
    Bullets,
    Document,
    Heading,
    Table,
    Text,
)
from resilience.reports.render.pdf import render_pdf
from tests.support.builders import make_establishment, make_ward

PNG_SIZE = (37, 23)  # a size no map in a pack has


def _logo(folder: Path) -> Path:
    path = folder / "l.png"
    PilImage.new("RGB", PNG_SIZE, "red").save(path)
    return path


def _hostile(logo: Path) -> str:
    return f'A <img src="{logo}" width="40" height="40"/> <a href="http://x.invalid/">y</a> <b>z'


def _images(reader: pypdf.PdfReader) -> list[tuple[int, int]]:
    sizes = []
    for page in reader.pages:
        for image in page.images:
            sizes.append(image.image.size if image.image is not None else (0, 0))
    return sizes


def _outside_links(reader: pypdf.PdfReader) -> list[object]:
    links = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                links.append(action["/URI"])
    return links


def _text(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def _pack(client: FlaskClient, session: Session, name: str, **values: object) -> bytes:
    site = make_establishment("EST-X", name=name, inner_m=200, **values)
    session.add_all([site, make_ward("W1", name="Ward one")])
    session.flush()
    after_change(session, [site])
    session.commit()
    response = client.get("/reports/sites/EST-X/briefing-pack.pdf")
    assert response.status_code == 200, response.text[:500]
    return response.data


def test_a_site_name_with_tags_is_printed_as_text_in_a_members_pack(
    client_as: Callable[[str], FlaskClient], session: Session, tmp_path: Path
) -> None:
    logo = _logo(tmp_path)
    name = _hostile(logo)
    reader = pypdf.PdfReader(io.BytesIO(_pack(client_as("member"), session, name)))

    text = _text(reader)
    assert str(logo) in text
    assert '<a href="http://x.invalid/">y</a> <b>z' in text
    assert PNG_SIZE not in _images(reader)
    assert len(_images(reader)) == 2  # the overview map and the site map, nothing else
    assert _outside_links(reader) == []


def test_every_kind_of_block_shows_markup_literally() -> None:
    tags = '<b>bold <i>x</a> <font size="80">big <img src="nowhere.png"/> & &amp;'
    document = Document(
        title=tags,
        subtitle=tags,
        marking="OFFICIAL",
        cover_lines=(tags,),
        blocks=(
            Heading(tags),
            Heading(tags, level=2),
            Text(tags),
            Bullets((tags,)),
            Table(headers=(tags, "b"), rows=((tags + " " + "wide " * 30, tags),), caption=tags),
        ),
    )
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(document)))
    text = _text(reader)
    # Cover, contents, both headings, text, bullet, caption, header and two cells.
    assert text.count("&amp;") >= 10
    assert _images(reader) == []


def test_a_megabyte_of_old_text_is_cut_with_a_note(client: FlaskClient, session: Session) -> None:
    # Stored directly, as data from before the edge's length limits may be.
    long_text = "chlorine " * 120_000
    reader = pypdf.PdfReader(io.BytesIO(_pack(client, session, "Store", substances=long_text)))
    text = _text(reader)
    assert TRUNCATION_NOTE in text
    assert text.count("chlorine") < 1_000


def test_a_table_cell_too_long_for_a_page_is_cut_and_the_pdf_builds() -> None:
    # A table row cannot break across pages: uncut, this cell is a LayoutError (a 500).
    long_cell = "ward " * 3000
    table = Table(headers=("a", "b", "c", "d", "e"), rows=((long_cell, "1", "2", "3", "4"),))
    document = Document("T", "S", "OFFICIAL", (), (Heading("Zones"), table))
    text = _text(pypdf.PdfReader(io.BytesIO(render_pdf(document))))
    assert TRUNCATION_NOTE in text
    assert 150 < text.count("ward") < 300
