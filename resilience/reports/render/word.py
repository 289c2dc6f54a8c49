"""Lay a ``Document`` out as a Word file (.docx) with python-docx.

Headings use Word's own Heading 1 and Heading 2 styles, so Word's navigation pane and a
contents field built in Word both find them; the contents page written here lists them too.
"""

from __future__ import annotations

import io
from datetime import datetime, time

from docx import Document as new_docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from resilience.clock import local_date, utc_now
from resilience.reports.render.document import (
    Bullets,
    Document,
    Heading,
    Image,
    PageBreak,
    Table,
    Text,
    shown_text,
)

TEXT_WIDTH_CM = 17.0
GREY = RGBColor(0x50, 0x5A, 0x5F)


def _marking(paragraph: Paragraph, marking: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(marking)
    run.bold = True
    run.font.size = Pt(9)


def render_docx(document: Document) -> bytes:
    """Return the document as .docx bytes: cover, contents, then every block."""
    word = new_docx()
    properties = word.core_properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.author = document.author
    properties.keywords = ", ".join(document.keywords)
    # python-docx's template says it was made on 2013-12-23 by "python-docx": say who and when.
    made = datetime.combine(document.made_on or local_date(utc_now()), time(12, 0))
    properties.created = properties.modified = made
    properties.last_modified_by = document.author
    properties.category = document.marking
    properties.comments = "Made from the emergency planning register."
    properties.revision = 1
    properties.language = "en-GB"
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    _marking(section.header.paragraphs[0], document.marking)
    _marking(section.footer.paragraphs[0], document.marking)
    word.styles["Normal"].font.size = Pt(10.5)

    for _ in range(6):
        word.add_paragraph()
    word.add_paragraph(document.title, style="Title")
    subtitle = word.add_paragraph(document.subtitle, style="Subtitle")
    subtitle.runs[0].font.color.rgb = GREY
    for line in document.cover_lines:
        word.add_paragraph(line)

    if document.contents:
        word.add_section(WD_SECTION.NEW_PAGE)
        word.add_paragraph("Contents", style="Title")
        for heading in document.contents:
            style = "List Number" if heading.level == 1 else "List Bullet 2"
            word.add_paragraph(heading.text, style=style)

    word.add_section(WD_SECTION.NEW_PAGE)
    for block in document.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=block.level)
        elif isinstance(block, Text):
            paragraph = word.add_paragraph(shown_text(block.text))
            if block.style == "lead":
                paragraph.runs[0].font.size = Pt(12.5)
            elif block.style == "small":
                paragraph.runs[0].font.size = Pt(8.5)
                paragraph.runs[0].font.color.rgb = GREY
        elif isinstance(block, Bullets):
            for item in block.items:
                word.add_paragraph(shown_text(item), style="List Bullet")
        elif isinstance(block, Table):
            _table(word, block)
        elif isinstance(block, Image):
            word.add_picture(io.BytesIO(block.png), width=Cm(TEXT_WIDTH_CM * block.width))
            word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption = word.add_paragraph(block.caption, style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, PageBreak):
            word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _table(word: WordDocument, block: Table) -> None:
    if block.caption:
        caption = word.add_paragraph()
        caption.add_run(block.caption).bold = True
    if not block.rows:
        word.add_paragraph(block.empty)
        return
    table = word.add_table(rows=1, cols=len(block.headers))
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for index, text in enumerate(block.headers):
        cell = table.rows[0].cells[index]
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for index, text in enumerate(row):
            cells[index].text = shown_text(text)
            if index in block.numeric:
                cells[index].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if block.widths:
        total = sum(block.widths)
        for row in table.rows:
            for index, weight in enumerate(block.widths):
                row.cells[index].width = Cm(TEXT_WIDTH_CM * weight / total)
    word.add_paragraph()
