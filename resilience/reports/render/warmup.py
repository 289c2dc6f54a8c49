"""Imported once by the render forkserver: draws a tiny PDF, Word file and map, then nothing.

A render child is forked from that server, so it inherits what the first drawing loads
(reportlab's fonts and glyph widths, matplotlib's font cache and backend, python-docx's
template) instead of loading it again for every document: a tenth of a second or more each.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from resilience.reports.render.document import Document, Heading, Table, Text
from resilience.reports.render.pdf import render_pdf
from resilience.reports.render.word import render_docx


def warm_up() -> None:
    """Draw one small document in each format and one empty map, and throw them away."""
    document = Document(
        title="Warm-up",
        subtitle="Warm-up",
        marking="OFFICIAL",
        cover_lines=("x",),
        blocks=(Heading("x"), Text("x"), Table(headers=("a",), rows=(("b",),))),
    )
    render_pdf(document)
    render_docx(document)
    figure = Figure(figsize=(1.0, 1.0))
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.plot([0, 1], [0, 1], label="x")
    axes.legend(fontsize=7)
    figure.savefig(io.BytesIO(), format="png")


try:
    warm_up()
except Exception:  # noqa: BLE001 (only a head start: each render would load the same itself)
    pass
