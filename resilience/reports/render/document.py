"""A printed document as a list of plain blocks, written once and rendered as HTML, PDF and Word.

The annual report and the briefing packs are built as a ``Document``; the renderers in
``render.pdf`` and ``render.word`` (and the ``reports/document.html`` template) only lay the
blocks out, so every format says exactly the same thing.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

SHOWN_CHARS = 4000
TRUNCATION_NOTE = "… (truncated, see the register)"


def shown_text(text: str, limit: int = SHOWN_CHARS) -> str:
    """Return `text` cut to `limit` characters with a visible note, for printed formats.

    A register field stored before the edge's length limits existed may hold a megabyte;
    laying that out would take minutes and help no reader.
    """
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + " " + TRUNCATION_NOTE


@dataclass(frozen=True)
class Heading:
    """A section (level 1) or subsection (level 2) heading; both go in the contents."""

    text: str
    level: Literal[1, 2] = 1

    @property
    def anchor(self) -> str:
        """Return an id for the heading, made of its words."""
        words = "".join(c.lower() if c.isalnum() else "-" for c in self.text)
        return "-".join(part for part in words.split("-") if part)[:80]


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text (no markup)."""

    text: str
    style: Literal["body", "lead", "small"] = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``numeric`` columns are right-aligned."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    caption: str = ""
    widths: tuple[float, ...] | None = None  # relative column widths, when the default is poor
    empty: str = "None."


@dataclass(frozen=True)
class Image:
    """A PNG picture with a caption; ``width`` is the share of the text width it takes."""

    png: bytes
    caption: str
    width: float = 1.0

    @property
    def data_uri(self) -> str:
        """Return the picture as a data: URI (allowed by the pages' Content-Security-Policy)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page (printed formats only)."""


Block = Heading | Text | Bullets | Table | Image | PageBreak


MIN_SECTIONS_FOR_CONTENTS = 4


@dataclass(frozen=True)
class Document:
    """A whole document: what its cover says and its blocks in order."""

    title: str
    subtitle: str
    marking: str
    cover_lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    author: str = "Emergency Planning Team"
    keywords: tuple[str, ...] = field(default=())
    made_on: date | None = None  # the file's creation date in its properties (None: today)

    @property
    def contents(self) -> list[Heading]:
        """Return the headings, in order, that the contents page lists: none for a short
        document (fewer than four sections), where a contents page would hold three lines."""
        headings = [b for b in self.blocks if isinstance(b, Heading)]
        sections = sum(1 for heading in headings if heading.level == 1)
        return headings if sections >= MIN_SECTIONS_FOR_CONTENTS else []
