"""What colours the wards: their share inside any hazard zone, the people there, or population.

The shares come from the full stored geometry in British National Grid metres (never from the
simplified display geometry), as the union of every zone that touches the ward, so that a place
inside two overlapping zones is counted once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from resilience.spatial.crs import BNG

Measure = Literal["exposure", "population"]
MEASURES: tuple[Measure, ...] = ("exposure", "population")
SHARE_BREAKS = (0.1, 0.25, 0.5)


@dataclass(frozen=True)
class Choropleth:
    """One value and one colour class per ward; class -1 means no data."""

    title: str
    values: list[float | None]
    classes: list[int]
    labels: tuple[str, ...]  # one per class, class 0 first
    value_label: str  # how the popup names the value
    kind: Literal["share", "count"]


def share_in_zones(wards_bng: gpd.GeoSeries, zones_bng: gpd.GeoSeries) -> np.ndarray:
    """Return, per ward, the share (0..1) of its area inside at least one of the zones."""
    _require_bng(wards_bng, "wards")
    _require_bng(zones_bng, "zones")
    wards = np.asarray(wards_bng.values)
    shares = np.zeros(len(wards))
    if len(wards) == 0 or len(zones_bng) == 0:
        return shares
    # Dissolve the zones once: the parts of the union are disjoint, so a ward's covered area
    # is the sum of its overlaps with them, and no place is counted twice.
    parts = shapely.get_parts(shapely.union_all(np.asarray(zones_bng.values)))
    ward_index, part_index = shapely.STRtree(parts).query(wards, predicate="intersects")
    if ward_index.size == 0:
        return shares
    overlaps = shapely.area(shapely.intersection(wards[ward_index], parts[part_index]))
    covered = np.bincount(ward_index, weights=overlaps, minlength=len(wards))
    areas = shapely.area(wards)
    np.divide(covered, areas, out=shares, where=areas > 0)
    return np.minimum(shares, 1.0)


def exposure_choropleth(shares: Sequence[float], populations: Sequence[float | None]) -> Choropleth:
    """Return people inside any zone where populations are known, else the share of each ward."""
    known = [p is not None and not _isnan(p) for p in populations]
    if any(known):
        people: list[float | None] = [
            float(s) * float(p) if k and p is not None else None
            for s, p, k in zip(shares, populations, known, strict=True)
        ]
        breaks = nice_breaks([v for v in people if v])
        return Choropleth(
            title="Estimated people inside any hazard zone",
            values=people,
            classes=classify(people, breaks),
            labels=count_labels(breaks, none_label="Nobody (no zone)"),
            value_label="People inside any zone (estimate)",
            kind="count",
        )
    values: list[float | None] = [float(s) for s in shares]
    return Choropleth(
        title="Share of each ward inside any hazard zone",
        values=values,
        classes=classify(values, SHARE_BREAKS),
        labels=share_labels(SHARE_BREAKS),
        value_label="Share inside any zone",
        kind="share",
    )


def population_choropleth(populations: Sequence[float | None]) -> Choropleth:
    """Return the wards coloured by their population (no data where none is loaded)."""
    values = [None if p is None or _isnan(p) else float(p) for p in populations]
    breaks = nice_breaks([v for v in values if v])
    return Choropleth(
        title=(
            "Ward population"
            if any(values)
            else "Ward population: none loaded (import ward populations to colour by them)"
        ),
        values=values,
        classes=classify(values, breaks),
        labels=count_labels(breaks, none_label="0"),
        value_label="Population",
        kind="count",
    )


def nice_breaks(values: Sequence[float], classes: int = 4) -> tuple[float, ...]:
    """Return up to `classes - 1` rounded bounds splitting positive `values` into quantiles."""
    positive = np.asarray([v for v in values if v > 0], dtype=float)
    if positive.size == 0:
        return ()
    quantiles = np.quantile(positive, np.linspace(0, 1, classes + 1)[1:-1])
    breaks: list[float] = []
    for q in quantiles:
        rounded = _round_sig(float(q))
        if rounded > 0 and (not breaks or rounded > breaks[-1]):
            breaks.append(rounded)
    return tuple(breaks)


def classify(values: Sequence[float | None], breaks: Sequence[float]) -> list[int]:
    """Return class 0 for zero, 1.. for each interval up to each break, -1 for no data."""
    out = []
    for value in values:
        if value is None or _isnan(value):
            out.append(-1)
        elif value <= 0:
            out.append(0)
        else:
            out.append(1 + int(np.searchsorted(np.asarray(breaks, dtype=float), value)))
    return out


def share_labels(breaks: Sequence[float]) -> tuple[str, ...]:
    """Return legend labels for shares split at `breaks`."""
    edges = [0.0, *breaks]
    labels = ["None of the ward"]
    for low, high in zip(edges, breaks, strict=False):
        labels.append(f"{_pct(low)} to {_pct(high)}" if low else f"Up to {_pct(high)}")
    labels.append(f"Over {_pct(edges[-1])}")
    return tuple(labels)


def count_labels(breaks: Sequence[float], none_label: str) -> tuple[str, ...]:
    """Return legend labels for counts split at `breaks`."""
    if not breaks:
        return (none_label,)
    labels = [none_label, f"Up to {breaks[0]:,.0f}"]
    for low, high in zip(breaks, breaks[1:], strict=False):
        labels.append(f"{low:,.0f} to {high:,.0f}")
    labels.append(f"Over {breaks[-1]:,.0f}")
    return tuple(labels)


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _round_sig(value: float, digits: int = 2) -> float:
    if value <= 0:
        return 0.0
    magnitude = 10 ** (math.floor(math.log10(value)) - digits + 1)
    return max(1.0, round(value / magnitude) * magnitude)


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _require_bng(series: gpd.GeoSeries, name: str) -> None:
    if series.crs != BNG:
        raise ValueError(f"{name} must be in {BNG} (metres), got {series.crs}")
