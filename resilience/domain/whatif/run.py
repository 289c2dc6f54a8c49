"""Run a what-if against the register: footprints, who is in them, and one JSON-ready result.

The result holds everything the page, the downloads and a saved scenario show, computed once:
a saved scenario keeps it as it was, whatever is edited in the register afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from resilience.clock import utc_now
from resilience.domain.whatif.area import inside_area, receptors_near, wards_near
from resilience.domain.whatif.inputs import WhatIfInputError, WhatIfInputs
from resilience.domain.whatif.people import ZONE_LABELS, who_is_in
from resilience.domain.whatif.threat_zones import SECTOR, Footprints, footprints_of
from resilience.spatial.footprints import footprint_wgs84

BANNER: Final = (
    "Screening estimate only. The fire service's and UKHSA's advice comes first: follow it "
    "wherever it differs from this. A steady Gaussian plume of a neutrally buoyant gas over "
    "flat ground (DESIGN.md §6), not a forecast of this incident."
)
MODEL: Final = (
    "Continuous release, neutrally buoyant, steady state, flat ground, full reflection; "
    "Briggs (1973) spreads (DESIGN.md §6)"
)
_DECIMALS: Final = 6


def _geojson(shape_bng: BaseGeometry) -> dict[str, Any] | None:
    if shape_bng.is_empty:
        return None
    shape = footprint_wgs84(shape_bng)
    return dict(mapping(shapely.set_precision(shape, 10**-_DECIMALS)))


def run_whatif(
    session: Session, inputs: WhatIfInputs, *, now: datetime | None = None
) -> dict[str, Any]:
    """Return the result of a what-if on the register's data.

    Raises WhatIfInputError (field ``lat``) when the release point is outside every loaded ward.
    """
    where = inside_area(session, inputs.lon, inputs.lat)
    if where is None:
        raise WhatIfInputError(
            {
                "lat": "No wards are loaded, so the area this register covers is not known: "
                "import the wards first"
            }
        )
    if not where:
        raise WhatIfInputError(
            {
                "lat": "The release point is outside the area this register covers (every "
                "loaded ward): check the latitude and longitude"
            }
        )
    footprints = footprints_of(inputs)
    return result_of(session, inputs, footprints, now=now)


def result_of(
    session: Session, inputs: WhatIfInputs, footprints: Footprints, *, now: datetime | None = None
) -> dict[str, Any]:
    """Return the JSON-ready result for computed footprints (see `run_whatif`)."""
    frame = footprints.sector_bng
    if frame.is_empty:
        frame = shapely.Point(footprints.source_bng).buffer(1.0)
    bounds = footprint_wgs84(frame.envelope.buffer(1.0)).bounds
    wards, populations = wards_near(session, bounds)
    receptors = receptors_near(session, bounds)
    people = who_is_in(footprints, wards, receptors, populations)
    zones = []
    for zone in footprints.zones:
        counted = people["zones"].get(zone.key)
        zones.append(
            {
                "key": zone.key,
                "label": ZONE_LABELS[zone.key],
                "level": zone.level.name,
                "threshold_mg_m3": round(zone.level.mg_m3, 6),
                "threshold_ppm": zone.level.ppm,
                "level_source": zone.level.source,
                "max_distance_m": round(zone.max_distance_m, 1),
                "max_half_width_m": round(zone.max_half_width_m, 1),
                "area_m2": round(zone.area_bng.area, 1),
                "geometry": _geojson(zone.area_bng),
                "people": counted,
            }
        )
    sector = {
        "key": SECTOR,
        "label": ZONE_LABELS[SECTOR],
        "half_angle_deg": round(footprints.sector_half_angle_deg, 1),
        "area_m2": round(footprints.sector_bng.area, 1),
        "geometry": _geojson(footprints.sector_bng),
        "people": people["zones"].get(SECTOR),
    }
    reached = [z for z in zones if z["geometry"] is not None]
    return {
        "computed_at": (now or utc_now()).isoformat(timespec="seconds"),
        "banner": BANNER,
        "model": MODEL,
        "inputs": inputs.to_json(),
        "max_distance_m": inputs.max_distance_m,
        "zones": zones,
        "sector": sector,
        "warn_list": people["warn_list"],
        "totals": {
            "zones_reached": len(reached),
            "farthest_m": max((z["max_distance_m"] for z in reached), default=0.0),
            "places": len(people["warn_list"]),
            "places_in_zones": sum(1 for r in people["warn_list"] if r["zone"] != SECTOR),
            "population_in_zones": _population(reached[-1]) if reached else 0,
            "population_in_sector": (sector["people"] or {}).get("population"),
        },
    }


def _population(zone: dict[str, Any]) -> int | None:
    people = zone.get("people") or {}
    value = people.get("population")
    return None if value is None else int(value)
