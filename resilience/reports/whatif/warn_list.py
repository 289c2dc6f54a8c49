"""The warn-and-inform list as a one-page PDF with the footprint's map (offline, reportlab).

The page: the screening banner, what was modelled, a static map (matplotlib, EPSG:27700 so a
kilometre is as long across as up), the zones' summary and as many rows of the list as fit;
a longer list says how many more places the CSV holds.
"""

from __future__ import annotations

import io
import math
from typing import Any, Final

import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from resilience.domain.register.layers import RECEPTOR_KINDS
from resilience.domain.whatif.area import wards_near
from resilience.domain.whatif.people import ZONE_LABELS
from resilience.reports.render.map_images import plot_bng, to_bng
from resilience.reports.render.pdf import markup

MARKING: Final = "OFFICIAL-SENSITIVE"
FILL: Final = {"red": "#d4351c", "orange": "#f47738", "yellow": "#ffdd00"}
MAX_ROWS: Final = 14
DPI: Final = 150


def _bng(geojson: dict[str, Any] | None) -> BaseGeometry | None:
    return None if geojson is None else to_bng(shape(geojson))


def map_png(session: Session, result: dict[str, Any], width_in: float = 7.0) -> bytes:
    """Return the static map of a what-if: wards, zones, sector, places, release, wind, scale."""
    inputs = result["inputs"]
    zones = [(z["key"], _bng(z["geometry"])) for z in result["zones"] if z["geometry"]]
    sector = _bng(result["sector"]["geometry"])
    source = to_bng(shapely.Point(inputs["lon"], inputs["lat"]))
    frame = sector if sector is not None else source.buffer(1000)
    x0, y0, x1, y1 = frame.bounds
    pad = max(x1 - x0, y1 - y0) * 0.08 + 200
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    height_in = min(max(width_in * (y1 - y0) / (x1 - x0), 2.5), 4.2)
    figure = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_axis_off()
    axes.set_aspect("equal", adjustable="datalim")
    wards, _ = wards_near(session, shapely.box(*_wgs84_box(x0, y0, x1, y1)).bounds)
    plot_bng(list(wards.geometry), axes, boundaries=True, color="#8a8d8f", linewidth=0.5)
    for key, zone in reversed(zones):
        if zone is not None:
            plot_bng([zone], axes, facecolor=FILL[key], edgecolor="#0b0c0c", linewidth=0.6,
                     alpha=0.75)  # fmt: skip
    if sector is not None:
        plot_bng([sector], axes, facecolor="none", edgecolor="#0b0c0c", linewidth=1.0,
                 linestyle="--")  # fmt: skip
    places = [to_bng(shapely.Point(r["lon"], r["lat"])) for r in result["warn_list"]]
    if places:
        axes.plot([p.x for p in places], [p.y for p in places], "o", ms=3.5, mfc="#00703c",
                  mec="#0b0c0c", mew=0.6)  # fmt: skip
    axes.plot([source.x], [source.y], "o", ms=6, mfc="white", mec="#0b0c0c", mew=1.5)
    arrow_len = (x1 - x0) * 0.08
    bearing = math.radians(inputs["wind_from_deg"] + 180.0)
    ax0, ay0 = x0 + (x1 - x0) * 0.06, y1 - (y1 - y0) * 0.18
    axes.add_patch(
        FancyArrow(ax0, ay0, arrow_len * math.sin(bearing), arrow_len * math.cos(bearing),
                   width=arrow_len * 0.06, head_width=arrow_len * 0.3, color="#1d70b8")
    )  # fmt: skip
    axes.text(ax0, ay0 - arrow_len * 0.9, "Wind", fontsize=7, ha="center")
    bar = 10 ** math.floor(math.log10((x1 - x0) / 4))
    axes.plot([x1 - pad * 0.5 - bar, x1 - pad * 0.5], [y0 + pad * 0.4] * 2, color="#0b0c0c", lw=2)
    label = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    axes.text(x1 - pad * 0.5 - bar / 2, y0 + pad * 0.5, label, fontsize=7, ha="center")
    axes.text(x0 + (x1 - x0) * 0.94, y1 - (y1 - y0) * 0.08, "N ↑", fontsize=8, ha="center")
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _wgs84_box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    from resilience.spatial.footprints import footprint_wgs84

    box = footprint_wgs84(shapely.box(x0, y0, x1, y1))
    bounds: tuple[float, float, float, float] = box.bounds
    return bounds


def warn_list_pdf(session: Session, result: dict[str, Any], title: str) -> bytes:
    """Return the one-page warn-and-inform PDF of a what-if result."""
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=sheet["BodyText"], fontSize=8.5, leading=10.5)
    banner = ParagraphStyle("Banner", parent=body, fontName="Helvetica-Bold", fontSize=9,
                            backColor=colors.HexColor("#fff7bf"), borderPadding=4,
                            borderColor=colors.HexColor("#0b0c0c"), borderWidth=1)  # fmt: skip
    head = ParagraphStyle("Head", parent=sheet["Heading2"], fontSize=13, spaceAfter=2)
    inputs = result["inputs"]
    out = io.BytesIO()

    def page(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 9 * mm, MARKING)
        canvas.drawCentredString(A4[0] / 2, 7 * mm, MARKING)
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=13 * mm, bottomMargin=12 * mm, title=title)  # fmt: skip
    width = A4[0] - 24 * mm
    story: list[Any] = [
        Paragraph(markup(result["banner"]), banner),
        Spacer(1, 5),
        Paragraph(markup(title), head),
        Paragraph(
            markup(
                f"{inputs['substance_name']}: {inputs['rate_g_s'] / 1000:g} kg/s for "
                f"{inputs['duration_min']:g} min at {inputs['height_m']:g} m; wind from "
                f"{inputs['wind_from_deg']:g}° at {inputs['wind_speed_m_s']:g} m/s, stability "
                f"{inputs['stability']}, {inputs['terrain']}; sector ±"
                f"{result['sector']['half_angle_deg']:g}°. Computed {result['computed_at']}."
            ),
            body,
        ),
        Spacer(1, 3),
    ]
    png = map_png(session, result)
    image = Image(io.BytesIO(png))
    scale = min(width / image.imageWidth, 95 * mm / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    story += [image, Spacer(1, 3)]
    summary = [["Zone", "Level", "Reach (m)", "Est. people", "Places"]]
    for area in [*result["zones"], result["sector"]]:
        people = area.get("people") or {}
        population = people.get("population")
        summary.append([
            area["label"],
            f"{area['level']} ({area['threshold_mg_m3']:g} mg/m³)" if "level" in area else
            f"±{area['half_angle_deg']:g}°",
            f"{area['max_distance_m']:,.0f}" if "max_distance_m" in area else "",
            "" if population is None else f"{population:,.0f}",
            str(people.get("receptor_count", 0)),
        ])  # fmt: skip
    story.append(_table(summary, [40 * mm, 60 * mm, 25 * mm, 25 * mm, 20 * mm]))
    story.append(Spacer(1, 4))
    rows = result["warn_list"]
    listed = [["Zone", "m", "Place", "Kind", "Telephone", "Out of hours", "People"]]
    for row in rows[:MAX_ROWS]:
        listed.append([
            ZONE_LABELS[row["zone"]].replace(" zone", "").replace("Wind-direction ", ""),
            f"{row['distance_m']:,.0f}",
            Paragraph(markup(str(row["name"])), body),
            RECEPTOR_KINDS.get(row["kind"], row["kind"]),
            Paragraph(markup(str(row["telephone"] or "")), body),
            Paragraph(markup(str(row["out_of_hours"] or "")), body),
            "" if row["usual_people"] is None else str(row["usual_people"]),
        ])  # fmt: skip
    story.append(
        Paragraph("<b>Warn and inform</b> (by zone, then distance from the release)", body)
    )
    if len(rows) > 0:
        story.append(
            _table(listed, [18 * mm, 14 * mm, 52 * mm, 22 * mm, 28 * mm, 38 * mm, 14 * mm])
        )
    else:
        story.append(Paragraph("No sensitive place is in any zone or the sector.", body))
    if len(rows) > MAX_ROWS:
        story.append(
            Paragraph(markup(f"{len(rows) - MAX_ROWS} more places in the CSV download."), body)
        )
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b1b4b6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table
