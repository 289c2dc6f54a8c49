"""The wards and zones in view, for an overview too large to carry them (see webmap.bbox_layers).

Each answer is cached in the shared map cache by what decides it: the layer, the measure the
wards are coloured by, whether the reader may see pipeline routes (a member is sent no
pipeline's own zones, which trace its route, and a member's wards are coloured from the zones
a member is shown), the block of tiles and zoom, and the data version. Any worker answers
from the one entry.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.storage.models import Ward
from resilience.web.maps.sources import (
    data_version,
    load_overview,
    load_wards,
    load_zones,
)
from resilience.web.render_limits import limited
from webmap.bbox_layers import Block, ward_layer, zone_layer
from webmap.cache import MapCache
from webmap.choropleth import Measure
from webmap.compose import ward_choropleth, ward_values


def wards_by_view(session: Session, inline_max: int) -> bool:
    """Return whether the register holds more than `inline_max` wards (page fetches them)."""
    return (session.scalar(select(func.count(Ward.id))) or 0) > inline_max


def _ward_table(
    cache: MapCache, session: Session, measure: Measure, precise: bool, version: str
) -> dict[str, Any]:
    """Return every ward's choropleth value and class by code (built once per data version)."""

    def build() -> bytes:
        data = load_overview(session, precise)
        choropleth = ward_choropleth(data, measure, scope="any hazard zone")
        codes = list(data.wards["code"])
        table = {
            "values": dict(zip(codes, ward_values(choropleth), strict=True)),
            "classes": dict(zip(codes, choropleth.classes, strict=True)),
        }
        return json.dumps(table).encode()

    key = ("ward-table", measure, precise, version)
    loaded: dict[str, Any] = json.loads(cache.get_or_build(key, lambda: limited(build)))
    return loaded


def _zones(session: Session, kind: str, precise: bool) -> Any:
    zones = load_zones(session, kind=kind)
    if not precise:  # as the member's overview (sources.generalise_pipelines): none of these
        zones = zones[zones["hazard_kind"] != "pipeline"].reset_index(drop=True)
    return zones


def layer_block(
    cache: MapCache,
    session: Session,
    layer: str,
    block: Block,
    measure: Measure,
    precise: bool,
) -> bytes:
    """Return the JSON of `layer` ("wards" or "zones_<kind>") meeting `block`, for its zoom."""
    version = data_version(session)

    def build() -> bytes:
        if layer == "wards":
            table = _ward_table(cache, session, measure, precise, version)
            wards = load_wards(session, block.bounds)
            encoded = ward_layer(wards, table["values"], table["classes"], block)
        else:
            encoded = zone_layer(_zones(session, layer.removeprefix("zones_"), precise), block)
        return json.dumps(encoded, separators=(",", ":"), allow_nan=False).encode()

    # Zones are the same whatever colours the wards.
    look = measure if layer == "wards" else ""
    return cache.get_or_build(("layer-block", layer, look, precise, block.key(), version), build)
