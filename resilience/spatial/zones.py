"""Hazard zones around a site, derived in British National Grid (EPSG:27700) metres.

Land-use planning zones are bands: a place lies in exactly one of ``inner``, ``middle`` and
``outer``. Each band is the buffer of the site by its own distance minus the buffer by the
largest *smaller* distance that was given::

    inner  = buffer(inner_m)
    middle = buffer(middle_m) - buffer(inner_m)      # buffer(middle_m) alone when inner_m is absent
    outer  = buffer(outer_m)  - buffer(middle_m)     # - buffer(inner_m) when middle_m is absent

so that the given bands still tile the consultation distance when one of them is missing. The
public information zone (``piz``) is a whole disc or footprint, independent of the bands, and
so are a radiation premises' detailed emergency planning zone (``depz``, REPPIR 2019 reg. 8) and
outline planning zone (``opz``, reg. 9).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Final

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from resilience.errors import InputError

BAND_KINDS: Final = ("inner", "middle", "outer")
ZONE_KINDS: Final = (*BAND_KINDS, "piz")
DISTANCE_FIELDS: Final = {kind: f"{kind}_m" for kind in ZONE_KINDS}
# Radiation premises' zones (REPPIR 2019 regs 8 and 9): not in the `zones` command's input.
REPPIR_ZONE_KINDS: Final = ("depz", "opz")
REPPIR_DISTANCE_FIELDS: Final = {kind: f"{kind}_m" for kind in REPPIR_ZONE_KINDS}

# A buffer's circle is a regular polygon of 4 * QUAD_SEGS vertices on the circle, whose area is
# pi d^2 * sin(2 pi / n) / (2 pi / n), i.e. short by about (2 pi / n)^2 / 6. With quad_segs=16
# (shapely's default, n=64) that is 0.161 %, over the 0.1 % the design allows; 21 is the
# least that passes (0.093 %). 32 (n=128, 0.040 %) leaves room for reprojection and bands.
QUAD_SEGS: Final = 32


def zones_for_site_bng(
    geometry_bng: BaseGeometry,
    *,
    inner_m: float | None = None,
    middle_m: float | None = None,
    outer_m: float | None = None,
    piz_m: float | None = None,
    depz_m: float | None = None,
    opz_m: float | None = None,
) -> dict[str, BaseGeometry]:
    """Return the zones of one site, by kind, as polygons in EPSG:27700.

    Parameters
    ----------
    geometry_bng
        The site as a point, line (pipeline route) or polygon (site boundary), in British
        National Grid metres.
    inner_m, middle_m, outer_m
        Land-use planning distances in metres; each gives a band (see the module docstring).
    piz_m
        Public information zone distance in metres; gives a whole disc or footprint.
    depz_m, opz_m
        A radiation premises' detailed emergency planning zone and outline planning zone
        distances in metres (REPPIR 2019 regs 8 and 9); each gives a whole disc or footprint.

    Returns
    -------
    dict
        One polygon per distance given, keyed ``inner``, ``middle``, ``outer``, ``piz``,
        ``depz``, ``opz`` (in that order); empty when no distance is given.

    Raises
    ------
    InputError
        When a distance is not a positive finite number, when the given land-use planning
        distances are not strictly increasing from inner to outer, or when the geometry is
        empty.

    Examples
    --------
    >>> from shapely import Point
    >>> zones = zones_for_site_bng(Point(350000, 383000), inner_m=100, middle_m=300)
    >>> sorted(zones)
    ['inner', 'middle']
    >>> round(zones["middle"].area / (math.pi * (300**2 - 100**2)), 3)
    1.0
    """
    given = {
        "inner": inner_m,
        "middle": middle_m,
        "outer": outer_m,
        "piz": piz_m,
        "depz": depz_m,
        "opz": opz_m,
    }
    fields = {**DISTANCE_FIELDS, **REPPIR_DISTANCE_FIELDS}
    distances: dict[str, float] = {}
    for kind, value in given.items():
        if value is None:
            continue
        distances[kind] = _positive_distance(value, fields[kind])
    _check_band_order(distances)
    if geometry_bng is None or geometry_bng.is_empty:
        raise InputError("the site geometry is empty")

    zones: dict[str, BaseGeometry] = {}
    smaller: BaseGeometry | None = None
    for kind in BAND_KINDS:
        if kind not in distances:
            continue
        disc = _buffer(geometry_bng, distances[kind])
        zones[kind] = disc if smaller is None else disc.difference(smaller)
        smaller = disc
    for kind in ("piz", *REPPIR_ZONE_KINDS):
        if kind in distances:
            zones[kind] = _buffer(geometry_bng, distances[kind])
    return zones


def parse_distance(value: object, field: str) -> float | None:
    """Return a distance read from a file as a float, or None when it is missing.

    Numbers and text holding a number are accepted (a GeoJSON column that mixes numbers and
    text is read as text); anything else raises InputError naming the field.
    """
    if _given(value) is None:
        return None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise InputError(f"{value!r} is not a number of metres", field=field) from None
        return _positive_distance(number, field, shown=repr(value.strip()))
    return _positive_distance(value, field)


def _given(value: object) -> object | None:
    """Return None for the ways a table says "no value" (None, NaN, pandas NA, blank text)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _positive_distance(value: object, field: str, shown: str | None = None) -> float:
    # bool is a number to Python, never to whoever wrote `"inner_m": true`.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{value!r} is not a number of metres", field=field)
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise InputError(
            f"{shown or f'{number:g}'} is not a positive distance in metres", field=field
        )
    return number


def _check_band_order(distances: Mapping[str, float]) -> None:
    given = [(kind, distances[kind]) for kind in BAND_KINDS if kind in distances]
    for (small_kind, small), (large_kind, large) in zip(given, given[1:], strict=False):
        if not small < large:
            raise InputError(
                f"{DISTANCE_FIELDS[small_kind]} ({small:g}) must be less than "
                f"{DISTANCE_FIELDS[large_kind]} ({large:g})"
            )


def _buffer(geometry: BaseGeometry, distance: float) -> BaseGeometry:
    # Round caps and joins: a pipeline's corridor ends in half-discs, as HSE draws it.
    return shapely.buffer(
        geometry, distance, quad_segs=QUAD_SEGS, cap_style="round", join_style="round"
    )
