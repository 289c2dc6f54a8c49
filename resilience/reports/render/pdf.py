"""Lay a ``Document`` out as a PDF with reportlab: cover, contents, sections, marking on every page.

Pure Python and offline: the standard PDF fonts (Helvetica), no browser, nothing fetched.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.tableofcontents import TableOfContents

from resilience.reports.render.document import (
    Block,
    Bullets,
    Document,
    Heading,
    Image,
    PageBreak,
    Table,
    Text,
    shown_text,
)

MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN
GREY = colors.HexColor("#505a5f")
LIGHT = colors.HexColor("#f3f2f1")
LINE = colors.HexColor("#b1b4b6")
TABLE_CHUNK_ROWS = 30
CELL_SIZE = 8.5
CELL_PADDING = 4
# A table row cannot break across pages: a cell's text must fit on one even in a narrow column.
CELL_CHARS = 1000


def _styles() -> StyleSheet1:
    sheet = getSampleStyleSheet()
    base = sheet["BodyText"]
    base.fontName, base.fontSize, base.leading = "Helvetica", 10, 13.5
    sheet.add(ParagraphStyle("Lead", parent=base, fontSize=12, leading=16, spaceAfter=8))
    sheet.add(
        ParagraphStyle(
            "TableCaption",
            parent=base,
            fontName="Helvetica-Bold",
            spaceBefore=4,
            spaceAfter=3,
            keepWithNext=True,
        )
    )
    sheet.add(ParagraphStyle("Small", parent=base, fontSize=8, leading=10, textColor=GREY))
    # A long reference ("PLAN-MAHP-ETHYLENE") breaks at its hyphens, never mid-word.
    sheet.add(
        ParagraphStyle(
            "Cell",
            parent=base,
            fontSize=8.5,  # CELL_SIZE
            leading=10.5,
            splitLongWords=0,
            embeddedHyphenation=1,
            hyphenationLang="",
        )
    )
    sheet.add(ParagraphStyle("CellRight", parent=sheet["Cell"], alignment=TA_RIGHT))
    sheet.add(ParagraphStyle("CellHead", parent=sheet["Cell"], fontName="Helvetica-Bold"))
    sheet.add(ParagraphStyle("CellHeadRight", parent=sheet["CellHead"], alignment=TA_RIGHT))
    sheet.add(ParagraphStyle("Caption", parent=base, fontSize=8.5, textColor=GREY, spaceBefore=2))
    sheet.add(
        ParagraphStyle(
            "CoverTitle", parent=base, fontName="Helvetica-Bold", fontSize=28, leading=34
        )
    )
    sheet.add(ParagraphStyle("CoverSub", parent=base, fontSize=15, leading=20, textColor=GREY))
    sheet.add(
        ParagraphStyle(
            "ContentsTitle", parent=sheet["Heading1"], fontName="Helvetica-Bold", fontSize=18
        )
    )
    for name, size in (("Heading1", 16), ("Heading2", 12.5)):
        style = sheet[name]
        style.fontName, style.fontSize, style.leading = "Helvetica-Bold", size, size * 1.25
        style.spaceBefore, style.spaceAfter = size * 0.8, size * 0.4
        style.keepWithNext = True
    return sheet


STYLES = _styles()


class _ReportTemplate(BaseDocTemplate):
    """Pages with the marking at top and bottom, page numbers, and contents entries."""

    def __init__(self, buffer: io.BytesIO, document: Document) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm,
            bottomMargin=MARGIN + 6 * mm,
            title=document.title,
            subject=document.subtitle,
            author=document.author,
            creator="resilience",
            keywords=list(document.keywords),
        )
        self.source = document
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate("cover", [frame], onPage=self._cover_page),
                PageTemplate("body", [frame], onPage=self._body_page),
            ]
        )
        self._heading_number = 0

    def _marking(self, canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 9)
        centre = A4[0] / 2
        canvas.drawCentredString(centre, A4[1] - MARGIN + 2 * mm, self.source.marking)
        canvas.drawCentredString(centre, MARGIN - 6 * mm, self.source.marking)

    def _cover_page(self, canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        self._marking(canvas)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        self._marking(canvas)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN - 1 * mm, self.source.title)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 1 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook name)
        """Record each heading for the contents page and the PDF's outline (bookmarks)."""
        if not isinstance(flowable, Paragraph):
            return
        style = flowable.style.name
        if style not in ("Heading1", "Heading2"):
            return
        level = 0 if style == "Heading1" else 1
        text = flowable.getPlainText()  # entities decoded: plain text, not markup
        self._heading_number += 1
        key = f"h{self._heading_number}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        # The contents page lays each entry out as Paragraph markup: escape it again, or a
        # site named "<img src=...>" would draw a file from this server's disk there.
        self.notify("TOCEntry", (level, markup(text), self.page, key))

    def handle_documentBegin(self) -> None:  # noqa: N802 (reportlab's hook name)
        self._heading_number = 0  # multiBuild lays the document out more than once
        super().handle_documentBegin()


def markup(text: str) -> str:
    """Return plain `text` as reportlab Paragraph markup that shows it literally.

    Every text from the register goes into a Paragraph through this: reportlab reads ``<img>``,
    ``<a>`` and ``<b>`` in a Paragraph as markup (images from disk, outside links, and a
    ValueError for unbalanced tags). Long text is cut with a visible note.
    """
    return escape(shown_text(text)).replace("\n", "<br/>")


def _para(text: str, style: str) -> Paragraph:
    return Paragraph(markup(text), STYLES[style])


def _table(block: Table) -> list[Flowable]:
    out: list[Flowable] = []
    if block.caption:
        out.append(_para(block.caption, "TableCaption"))
    if not block.rows:
        out.append(_para(block.empty, "BodyText"))
        return out
    head = [
        _para(h, "CellHeadRight" if i in block.numeric else "CellHead")
        for i, h in enumerate(block.headers)
    ]
    weights = block.widths or (1.0,) * len(block.headers)
    widths = [TEXT_WIDTH * w / sum(weights) for w in weights]
    # A Paragraph wraps, but costs far more to lay out than a plain string: use one only for a
    # cell too wide for its column (a long report has tens of thousands of cells).
    room = [w - 2 * CELL_PADDING for w in widths]
    rows = [[shown_text(cell, CELL_CHARS) for cell in row] for row in block.rows]
    body: list[list[Flowable | str]] = [
        [
            cell
            if "\n" not in cell and stringWidth(cell, "Helvetica", CELL_SIZE) <= room[i]
            else _para(cell, "CellRight" if i in block.numeric else "Cell")
            for i, cell in enumerate(row)
        ]
        for row in rows
    ]
    style = TableStyle(
        [
            ("FONT", (0, 1), (-1, -1), "Helvetica", CELL_SIZE, CELL_SIZE + 2),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            *(("ALIGN", (i, 1), (i, -1), "RIGHT") for i in sorted(block.numeric)),
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    # Splitting one long table across pages re-measures every row left at each page break, so a
    # long table costs the square of its length: lay it out as tables of a page's rows or so.
    for start in range(0, len(body), TABLE_CHUNK_ROWS):
        table = PdfTable(
            [head, *body[start : start + TABLE_CHUNK_ROWS]],
            colWidths=widths,
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(style)
        out.append(table)
    return out


def _image(block: Image) -> Flowable:
    reader = ImageReader(io.BytesIO(block.png))
    pixels_w, pixels_h = reader.getSize()
    width = TEXT_WIDTH * block.width
    height = width * pixels_h / pixels_w
    limit = A4[1] - 2 * MARGIN - 40 * mm
    if height > limit:
        width, height = width * limit / height, limit
    picture = PdfImage(io.BytesIO(block.png), width=width, height=height)
    picture.hAlign = "CENTER"
    return KeepTogether([picture, _para(block.caption, "Caption")])


def _flowables(block: Block) -> list[Flowable]:
    if isinstance(block, Heading):
        return [_para(block.text, "Heading1" if block.level == 1 else "Heading2")]
    if isinstance(block, Text):
        style = {"body": "BodyText", "lead": "Lead", "small": "Small"}[block.style]
        return [_para(block.text, style)]
    if isinstance(block, Bullets):
        items = [ListItem(_para(item, "BodyText"), leftIndent=12) for item in block.items]
        return [ListFlowable(items, bulletType="bullet", start="•", leftIndent=12)]
    if isinstance(block, Table):
        return [*_table(block), Spacer(1, 6)]
    if isinstance(block, Image):
        return [_image(block), Spacer(1, 6)]
    if isinstance(block, PageBreak):
        return [PdfPageBreak()]
    raise TypeError(f"not a document block: {block!r}")


def render_pdf(document: Document) -> bytes:
    """Return the document as PDF bytes: cover, contents, then every block."""
    buffer = io.BytesIO()
    template = _ReportTemplate(buffer, document)
    story: list[Flowable] = [
        Spacer(1, 50 * mm),
        _para(document.title, "CoverTitle"),
        Spacer(1, 6 * mm),
        _para(document.subtitle, "CoverSub"),
        Spacer(1, 20 * mm),
        *(_para(line, "Lead") for line in document.cover_lines),
        NextPageTemplate("body"),
        PdfPageBreak(),
    ]
    if document.contents:
        contents = TableOfContents(dotsMinLevel=0)
        contents.levelStyles = [
            ParagraphStyle("TOC1", parent=STYLES["BodyText"], fontSize=10.5, leading=15),
            ParagraphStyle(
                "TOC2", parent=STYLES["BodyText"], fontSize=9.5, leading=12.5, leftIndent=14
            ),
        ]
        story += [Paragraph("Contents", STYLES["ContentsTitle"]), contents, PdfPageBreak()]
    for block in document.blocks:
        story.extend(_flowables(block))
    template.multiBuild(story)
    return buffer.getvalue()
