"""A compact encoding of map features for the browser, decoded by ``static/map.js``.

GeoJSON spells every coordinate out in full (``[-2.731234567890123,53.33412345678901]``). Here
each layer is one object with its coordinates as integers in units of 10^-decimals degrees,
each the difference from the one before (so most are two or three digits), the ring, part and
geometry boundaries as the offsets of ``shapely.to_ragged_array`` (whose type names it keeps),
and the properties as one array per column::

    {"type": "MultiPolygon", "scale": 100000, "xy": [-273123, 5333412, 12, -3, ...],
     "offsets": [[0, 65, ...], [0, 1, ...], [0, 1, ...]],
     "props": {"name": ["Appleton", ...], ...}}

Text goes into the page as JSON data, never as markup: the browser puts it into popups and
tooltips as text, so a name such as ``<img src=x onerror=alert(1)>`` shows as written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import GeometryType

_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
_TYPE_NAMES = {
    GeometryType.POINT: "Point",
    GeometryType.LINESTRING: "LineString",
    GeometryType.MULTILINESTRING: "MultiLineString",
    GeometryType.POLYGON: "Polygon",
    GeometryType.MULTIPOLYGON: "MultiPolygon",
}


def encode_layer(
    geometry: gpd.GeoSeries, decimals: int, properties: Mapping[str, Sequence[Any]]
) -> dict[str, Any]:
    """Return one layer's features in the compact encoding.

    `geometry` is in EPSG:4326, already rounded to `decimals`, and holds points only, or lines
    only, or polygons only (raises ValueError for a mix); `properties` has one sequence per
    column, in the same order.
    """
    values = np.asarray(geometry.values)
    for name, column in properties.items():
        if len(column) != len(values):
            raise ValueError(f"property {name!r} has {len(column)} values for {len(values)} shapes")
    offsets: tuple[np.ndarray, ...] = ()
    if len(values) == 0:
        kind, coords = GeometryType.POINT, np.zeros((0, 2))
    else:
        kind, coords, offsets = shapely.to_ragged_array(values)
    scale = 10**decimals
    integers = np.rint(coords * scale).astype(np.int64)
    deltas = np.diff(integers, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return {
        "type": _TYPE_NAMES[kind],
        "scale": scale,
        "xy": deltas.ravel().tolist(),
        "offsets": [offset.tolist() for offset in offsets],
        "props": {name: [_plain(v) for v in column] for name, column in properties.items()},
    }


def _plain(value: Any) -> Any:
    """Return a property value as JSON: numpy scalars as Python ones, NaN and NA as null."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA:
        return None
    return value


def to_script_json(value: Any) -> str:
    """Return `value` as compact JSON that is safe inside a <script> element and an HTML page.

    Besides the characters HTML cares about, a brace that would open a Jinja tag ({{, {% or {#)
    is escaped too: folium parses rendered output as a template again (see elements.py).
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        _JINJA_OPEN.sub(r"\\u007b", text)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
