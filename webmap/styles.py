"""How each layer looks, in the normal palette and in the high-contrast one for projectors.

Colours are chosen so that no two things differ by hue alone: zone bands go from dark red to
yellow (dark to light), public information zones are a dashed blue outline, upper-tier sites
are filled and lower-tier ones hollow, and the ward choropleth is a purple ramp that no hazard
colour shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Drawing order: the inner band on top; the radiation premises' planning zones are outlines.
ZONE_KINDS = ("outer", "middle", "inner", "piz", "opz", "depz")
ZONE_LABELS = {
    "inner": "Inner zones",
    "middle": "Middle zones",
    "outer": "Outer zones (consultation distance)",
    "piz": "Public information zones",
    "depz": "Detailed emergency planning zones (REPPIR)",
    "opz": "Outline planning zones (REPPIR)",
}
ZONE_SINGULAR = {
    "inner": "Inner zone",
    "middle": "Middle zone",
    "outer": "Outer zone",
    "piz": "Public information zone",
    "depz": "Detailed emergency planning zone",
    "opz": "Outline planning zone",
}
TIER_LABELS = {"upper": "Upper tier", "lower": "Lower tier", "": "Tier not confirmed"}
# ColorBrewer "Purples", 5 classes (Cynthia Brewer, Apache-2.0 licensed colour values).
CHOROPLETH = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA = "#ffffff"


@dataclass(frozen=True)
class MapStyle:
    """Leaflet path and marker options for every layer; `high_contrast` is the projector style."""

    high_contrast: bool = False
    font_scale: float = 1.0
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    pipeline: dict[str, Any] = field(default_factory=dict)
    radiation: dict[str, Any] = field(default_factory=dict)
    receptor: dict[str, Any] = field(default_factory=dict)
    wards: dict[str, Any] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    ward_lines: dict[str, Any] = field(default_factory=dict)
    choropleth: tuple[str, ...] = CHOROPLETH
    background: str = "#dfe3e6"


def map_style(high_contrast: bool = False) -> MapStyle:
    """Return the normal style, or the high-contrast one (thicker lines, larger marks)."""
    k = 2.0 if high_contrast else 1.0
    edge = "#0b0c0c"
    zones: dict[str, dict[str, Any]] = {
        # Opaque: a see-through band over the ward shading (or over another band) would blend
        # into olive and brown shades the key does not show. Ward boundaries are drawn again
        # over the bands (`ward_lines`), so which wards a zone crosses stays visible.
        "inner": {"color": "#942514", "fillColor": "#d4351c", "fillOpacity": 1.0, "weight": k},
        "middle": {"color": "#8f3a0b", "fillColor": "#f47738", "fillOpacity": 1.0, "weight": k},
        "outer": {"color": "#7a6300", "fillColor": "#ffdd00", "fillOpacity": 1.0, "weight": k},
        "piz": {
            "color": "#003078" if high_contrast else "#1d70b8",
            "fill": False,
            "weight": 2 * k,
            "dashArray": "8 6" if high_contrast else "6 4",
        },
        # A solid and a dotted outline: told apart by line, not only by colour.
        "depz": {
            "color": "#0b0c0c" if high_contrast else "#912b88",
            "fill": False,
            "weight": 3 * k,
        },
        "opz": {
            "color": "#0b0c0c" if high_contrast else "#912b88",
            "fill": False,
            "weight": 2 * k,
            "dashArray": "2 4",
        },
    }
    if high_contrast:
        for kind in ("inner", "middle", "outer"):
            zones[kind]["color"] = edge
    sites = {
        "upper": {
            "radius": 8 * k,
            "color": edge,
            "weight": 2 * k,
            "fillColor": "#d4351c",
            "fillOpacity": 1,
        },
        "lower": {
            "radius": 7 * k,
            "color": edge,
            "weight": 3 * k,
            "fillColor": "#ffffff",
            "fillOpacity": 1,
        },
        "": {
            "radius": 6 * k,
            "color": edge,
            "weight": 2 * k,
            "fillColor": "#b1b4b6",
            "fillOpacity": 1,
            "dashArray": "3 2",
        },
    }
    return MapStyle(
        high_contrast=high_contrast,
        font_scale=1.5 if high_contrast else 1.0,
        zones=zones,
        sites=sites,
        pipeline={"color": "#6f2c91" if not high_contrast else "#3d0b5c", "weight": 4 * k},
        # A square-ish heavy ring: hollow, unlike an upper-tier site, thicker than a lower-tier one.
        radiation={
            "radius": 8 * k,
            "color": "#912b88" if not high_contrast else edge,
            "weight": 4 * k,
            "fillColor": "#ffdd00",
            "fillOpacity": 1,
        },
        receptor={
            "radius": 5 * k,
            "color": "#ffffff" if not high_contrast else edge,
            "weight": 1.5 * k,
            "fillColor": "#00703c",
            "fillOpacity": 1,
        },
        wards={"color": "#505a5f" if not high_contrast else edge, "weight": k, "fillOpacity": 0.6},
        base={
            "color": "#6f777b" if not high_contrast else edge,
            "weight": 0.8 * k,
            "fillColor": "#f8f8f8",
            "fillOpacity": 1,
            "fillRule": "nonzero",
            "interactive": False,
        },
        ward_lines={
            "color": "#505a5f" if not high_contrast else edge,
            "weight": 0.8 * k,
            "opacity": 0.8,
            "fill": False,
            "interactive": False,
        },
        background="#dfe3e6" if not high_contrast else "#b1b4b6",
    )
