"""The map's key, drawn as plain HTML (no branca colormap: that would link to a d3 CDN).

Every text is escaped here; swatches are small inline SVGs whose colours are attributes, so the
key needs no inline style and prints with the map.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from webmap.choropleth import Choropleth
from webmap.styles import NO_DATA, TIER_LABELS, ZONE_SINGULAR, MapStyle

_SWATCH = (
    '<svg class="rm-legend__swatch" width="22" height="16" viewBox="0 0 22 16" '
    'aria-hidden="true" focusable="false">{shape}</svg>'
)


def _rect(fill: str, stroke: str, fill_opacity: float = 1.0, dash: str = "") -> str:
    dash_attr = f' stroke-dasharray="{escape(dash)}"' if dash else ""
    return _SWATCH.format(
        shape=(
            f'<rect x="1.5" y="1.5" width="19" height="13" fill="{escape(fill)}" '
            f'fill-opacity="{fill_opacity:g}" stroke="{escape(stroke)}" stroke-width="1.5"'
            f"{dash_attr}/>"
        )
    )


def _circle(style: dict[str, Any]) -> str:
    dash = style.get("dashArray", "")
    dash_attr = f' stroke-dasharray="{escape(dash)}"' if dash else ""
    return _SWATCH.format(
        shape=(
            f'<circle cx="11" cy="8" r="5.5" fill="{escape(style["fillColor"])}" '
            f'stroke="{escape(style["color"])}" stroke-width="2"{dash_attr}/>'
        )
    )


def _line(colour: str) -> str:
    return _SWATCH.format(
        shape=f'<line x1="1" y1="8" x2="21" y2="8" stroke="{escape(colour)}" stroke-width="4"/>'
    )


def _item(swatch: str, label: str) -> str:
    return f'<li class="rm-legend__item">{swatch}<span>{escape(label)}</span></li>'


def legend_html(
    *,
    style: MapStyle,
    choropleth: Choropleth | None,
    zone_kinds: Iterable[str],
    tiers: Iterable[str],
    pipelines: bool,
    receptors: bool,
    radiation: dict[str, Any] | None = None,
    statement: str,
    open_by_default: bool = True,
) -> Markup:
    """Return the key: ward colours, zone bands, site symbols, and the geometry statement."""
    sections: list[str] = []
    if choropleth is not None:
        items = [
            _item(_rect(colour, "#505a5f"), label)
            for colour, label in zip(style.choropleth, choropleth.labels, strict=False)
        ]
        if -1 in choropleth.classes:
            items.append(_item(_rect(NO_DATA, "#505a5f"), "No data"))
        sections.append(_section(f"Wards: {choropleth.title}", items))
    zone_items = []
    for kind in ("inner", "middle", "outer", "piz", "depz", "opz"):
        if kind not in set(zone_kinds):
            continue
        zone_style = style.zones[kind]
        if zone_style.get("fill", True) is False:
            swatch = _rect("#ffffff", zone_style["color"], 0.0, zone_style.get("dashArray", ""))
        else:
            swatch = _rect(
                zone_style["fillColor"], zone_style["color"], float(zone_style["fillOpacity"])
            )
        zone_items.append(_item(swatch, ZONE_SINGULAR[kind]))
    if zone_items:
        sections.append(_section("Hazard zones", zone_items))
    site_items = [
        _item(_circle(style.sites[tier]), f"COMAH establishment: {TIER_LABELS[tier].lower()}")
        for tier in ("upper", "lower", "")
        if tier in set(tiers)
    ]
    if pipelines:
        site_items.append(_item(_line(style.pipeline["color"]), "Major accident hazard pipeline"))
    if radiation is not None:
        site_items.append(_item(_circle(radiation), "Radiation premises (REPPIR 2019)"))
    if receptors:
        site_items.append(_item(_circle(style.receptor), "Sensitive place"))
    if site_items:
        sections.append(_section("Sites and places", site_items))
    body = "".join(sections)
    state = " open" if open_by_default else ""
    return Markup(
        f'<details class="rm-legend"{state}><summary class="rm-legend__summary">Key</summary>'
        f'<div class="rm-legend__body">{body}'
        f'<p class="rm-legend__note">{escape(statement)}</p></div></details>'
    )


def _section(title: str, items: list[str]) -> str:
    return (
        f'<div class="rm-legend__section"><p class="rm-legend__title">{escape(title)}</p>'
        f'<ul class="rm-legend__list">{"".join(items)}</ul></div>'
    )
