"""Filters and globals that turn stored values into what a reader of a page expects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask
from markupsafe import Markup
from shapely.geometry.base import BaseGeometry

from resilience.date_text import when
from resilience.domain.register.layers import HAZARD_KIND_LABELS, HAZARD_LAYERS, Layer
from resilience.domain.register.service_area import degrees
from resilience.reports.annual.content import split_organisations

FORMAT_LABELS = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "csv": "CSV"}


def attr_label(name: str, layer: Layer) -> str:
    """Return the label of the field `name` of `layer`."""
    return layer.field(name).label


def display_value(name: str, record: Any, layer: Layer) -> Any:
    """Return a record's value as shown on a page: choice labels, units, and 'Not recorded'."""
    spec = layer.field(name)
    value = getattr(record, name)
    if value is None or value == "":
        if name == "tier":
            return "Not confirmed (no source states it)"
        return None
    if spec.kind == "choice":
        return dict(spec.choices).get(value, value)
    if spec.kind == "number":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if spec.kind == "integer":
        return f"{value:,}"
    return value


def geometry_summary(geometry: BaseGeometry) -> str:
    """Return a one-line description of a geometry: a point's position, or a shape's extent."""
    if geometry.geom_type == "Point":
        return f"{degrees(geometry.y, geometry.x)} (WGS84)"
    centre = geometry.centroid
    return f"{geometry.geom_type} around {degrees(centre.y, centre.x, places=4)} (WGS84)"


def hectares(area_m2: float | None) -> str:
    """Return square metres as hectares to 2 decimals."""
    return "" if area_m2 is None else f"{area_m2 / 10_000:,.2f}"


def percent(share: float | None) -> str:
    """Return a share (0..1) as a percentage to 1 decimal, or an empty cell."""
    return "" if share is None else f"{share * 100:.1f}%"


def people(count: float | None) -> str:
    """Return an estimated number of people, rounded to a whole person."""
    return "" if count is None else f"{round(count):,}"


NOT_LOADED = "Not loaded"
OUTSIDE_WARDS = "Outside the wards in the register"
ZONE_ORIGINS = {
    "derived": "worked out from its distances",
    "imported": "as supplied by HSE or the operator",
}


def people_cell(count: float | None) -> str:
    """Return a table cell of estimated people: 'Not loaded' where the ward has no population
    (the page's note says how to load one), never an unexplained blank."""
    return NOT_LOADED if count is None else f"{round(count):,}"


def in_sentence(title: str) -> str:
    """Return a title as it reads inside a sentence: 'Electoral wards' -> 'electoral wards',
    but 'COMAH establishments' keeps its acronym."""
    first = title.split(" ", 1)[0]
    return title if first.isupper() else title[:1].lower() + title[1:]


def organisation_list(text: str) -> Markup | str:
    """Return organisations entered one per line (or comma) as a list, each one escaped."""
    return name_list(split_organisations(text or ""))


def name_list(names: Sequence[str]) -> Markup | str:
    """Return names as a list, each one escaped: the name alone when there is one, else ''."""
    if len(names) <= 1:
        return names[0] if names else ""
    items = Markup("").join(Markup("<li>{}</li>").format(name) for name in names)
    return Markup('<ul class="govuk-list">{}</ul>').format(items)


def register(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        when=when,  # the one date and time filter: {{ day | when }}, {{ moment | when("time") }}
        attr_label=attr_label,
        display_value=display_value,
        hectares=hectares,
        percent=percent,
        people=people,
        organisation_list=organisation_list,
        name_list=name_list,
        in_sentence=in_sentence,
        people_cell=people_cell,
    )
    app.jinja_env.globals.update(
        display_value=display_value,
        geometry_summary=geometry_summary,
        fmt_labels=FORMAT_LABELS,
        outside_wards=OUTSIDE_WARDS,
        zone_origins=ZONE_ORIGINS,
        # A hazard's layer in URLs, by its stored kind ("radiation_premises": "radiation-premises").
        hazard_layers={kind: layer.name for kind, layer in HAZARD_LAYERS.items()},
        hazard_kind_labels=HAZARD_KIND_LABELS,
    )
