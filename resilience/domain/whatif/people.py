"""Who is in a what-if's zones and sector: wards (the exposure engine) and sensitive places.

Wards come from resilience.spatial.exposure (overlap, share of ward, share of zone and the
area-weighted population), reused as it is. A sensitive place is in a zone when its shape
meets the zone; the warn-and-inform list gives each place once, under the most severe zone it
is in (or the sector, when only the sector reaches it), sorted by zone and then by its
distance from the release.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from resilience.domain.register.layers import RECEPTOR_KINDS
from resilience.domain.whatif.threat_zones import SECTOR, Footprints
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.exposure import EXPOSURE_COLUMNS, OUTSIDE, exposure_of

ZONE_LABELS: Final = {
    "red": "Red zone",
    "orange": "Orange zone",
    "yellow": "Yellow zone",
    SECTOR: "Wind-direction sector",
}
ZONE_ORDER: Final = ("red", "orange", "yellow", SECTOR)
RECEPTOR_COLUMNS: Final = (
    "ref",
    "name",
    "kind",
    "address",
    "telephone",
    "email",
    "out_of_hours",
    "usual_people",
    "capacity",
)
# The warn list: where each place is, then the place as RECEPTOR_COLUMNS has it (its ref named
# receptor_id), then its position.
WARN_LIST_COLUMNS: Final = (
    "zone",
    "distance_m",
    "receptor_id",
    *RECEPTOR_COLUMNS[1:],
    "lon",
    "lat",
)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def who_is_in(
    footprints: Footprints,
    wards_bng: gpd.GeoDataFrame,
    receptors_bng: gpd.GeoDataFrame,
    populations: dict[str, float],
) -> dict[str, Any]:
    """Return, per zone and for the sector, the wards and sensitive places, and the warn list.

    `wards_bng` has ``ward_code`` and ``ward_name``; `receptors_bng` the `RECEPTOR_COLUMNS`;
    both in EPSG:27700. Empty zones are left out.
    """
    shapes = {z.key: z.area_bng for z in footprints.zones if not z.area_bng.is_empty}
    if not footprints.sector_bng.is_empty:
        shapes[SECTOR] = footprints.sector_bng
    zones = gpd.GeoDataFrame({"zone_id": list(shapes)}, geometry=list(shapes.values()), crs=BNG)
    table = (
        exposure_of(zones, wards_bng, populations, workers=1)
        if len(zones) and len(wards_bng)
        else pd.DataFrame(columns=list(EXPOSURE_COLUMNS))
    )
    source = Point(footprints.source_bng)
    geoms = np.asarray(receptors_bng.geometry.array, dtype=object)
    distances = shapely.distance(source, geoms) if len(geoms) else np.zeros(0)
    tree = shapely.STRtree(geoms) if len(geoms) else None

    per_zone: dict[str, dict[str, Any]] = {}
    first_zone: dict[int, str] = {}
    for key in ZONE_ORDER:
        if key not in shapes:
            continue
        rows = table[table["zone_id"] == key]
        wards = [
            {
                "ward_code": str(r.ward_code),
                "ward_name": "" if r.ward_code == OUTSIDE else str(r.ward_name),
                "overlap_m2": round(float(r.overlap_m2), 1),
                "ward_share": None if r.ward_code == OUTSIDE else round(float(r.ward_share), 6),
                "zone_share": round(float(r.zone_share), 6),
                "population": None if pd.isna(r.population) else round(float(r.population)),
            }
            for r in rows.itertuples()
        ]
        inside = (
            sorted(int(i) for i in tree.query(shapes[key], predicate="intersects"))
            if tree is not None
            else []
        )
        for i in inside:
            first_zone.setdefault(i, key)
        kinds = Counter(str(receptors_bng["kind"].iloc[i]) for i in inside)
        known = [w["population"] for w in wards if w["ward_code"] != OUTSIDE]
        per_zone[key] = {
            "key": key,
            "label": ZONE_LABELS[key],
            "area_m2": round(float(shapes[key].area), 1),
            "wards": wards,
            "population": sum(p for p in known if p is not None)
            if any(p is not None for p in known)
            else None,
            "population_complete": all(p is not None for p in known),
            "outside_m2": sum(w["overlap_m2"] for w in wards if w["ward_code"] == OUTSIDE),
            "receptors_by_kind": {
                RECEPTOR_KINDS.get(kind, kind): count for kind, count in sorted(kinds.items())
            },
            "receptor_count": len(inside),
            "usual_people": sum(
                int(receptors_bng["usual_people"].iloc[i])
                for i in inside
                if _plain(receptors_bng["usual_people"].iloc[i]) is not None
            ),
        }
    points = (
        receptors_bng.geometry.representative_point().to_crs(WGS84)
        if len(receptors_bng)
        else gpd.GeoSeries([], crs=WGS84)
    )
    warn_list = [
        {
            "zone": key,
            "distance_m": round(float(distances[i]), 1),
            "lon": round(float(points.iloc[i].x), 6),
            "lat": round(float(points.iloc[i].y), 6),
            **{
                ("receptor_id" if c == "ref" else c): _plain(receptors_bng[c].iloc[i])
                for c in RECEPTOR_COLUMNS
            },
        }
        for i, key in first_zone.items()
    ]
    warn_list.sort(
        key=lambda row: (ZONE_ORDER.index(row["zone"]), row["distance_m"], str(row["receptor_id"]))
    )
    return {"zones": per_zone, "warn_list": warn_list}
