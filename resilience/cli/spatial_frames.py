"""The GeoDataFrame steps of `resilience zones` and `resilience exposure`.

Kept apart from the commands so that the geo libraries are imported only when one of them runs.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely
from shapely.geometry import mapping

from resilience.errors import InputError
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.zones import DISTANCE_FIELDS, parse_distance, zones_for_site_bng

_POLYGONAL = ("Polygon", "MultiPolygon")
# Where EPSG:27700 is meant to be used. Farther out its metres stop being metres, and a site
# there is almost always latitude and longitude given the wrong way round.
_BNG_AREA = pyproj.CRS(BNG).area_of_use


# --- zones -----------------------------------------------------------------------------------


def sites_in_bng(sites: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return the sites (WGS84, as read) in EPSG:27700; raises InputError outside its area."""
    return features_in_bng(sites, file)


def site_zones_bng(sites_bng: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return ``zone_id, site_id, kind, area_m2, geometry`` (EPSG:27700) for every site.

    Zones come in the order of the sites, then inner, middle, outer, piz; a site with none of
    the distance fields has no zones. Raises InputError naming the feature and field.
    """
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(sites_bng.to_dict("records")):
        site_id = record["site_id"]
        where = f"feature {position + 1} (site_id {str(site_id)!r})"
        try:
            distances = {
                f"{kind}_m": parse_distance(record.get(field), field)
                for kind, field in DISTANCE_FIELDS.items()
            }
            zones_by_kind = zones_for_site_bng(record["geometry"], **distances)
        except InputError as error:
            raise error.located(file=file, location=where) from None
        for kind, zone in zones_by_kind.items():
            rows.append(
                {
                    "zone_id": f"{site_id}:{kind}",
                    "site_id": site_id,
                    "kind": kind,
                    "area_m2": zone.area,
                    "geometry": zone,
                }
            )
    columns = ["zone_id", "site_id", "kind", "area_m2", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=BNG)


def zones_geojson(zones_bng: gpd.GeoDataFrame) -> str:
    """Return the zones as an RFC 7946 FeatureCollection (WGS84, exterior rings anticlockwise).

    ``area_m2`` is the area in EPSG:27700 to 1 decimal; coordinates keep full precision so
    that the polygons measure the same when projected back.
    """
    wgs84 = shapely.orient_polygons(
        np.asarray(zones_bng.to_crs(WGS84).geometry.array), exterior_cw=False
    )
    features = [
        {
            "type": "Feature",
            "properties": {
                "zone_id": row.zone_id,
                "site_id": _plain(row.site_id),
                "kind": row.kind,
                "area_m2": round(float(row.area_m2), 1),
            },
            "geometry": mapping(geometry),
        }
        for row, geometry in zip(zones_bng.itertuples(index=False), wgs84, strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}) + "\n"


# --- exposure --------------------------------------------------------------------------------


def polygons_in_bng(features: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return polygon features (WGS84, as read) in EPSG:27700; raises InputError otherwise."""
    kinds = features.geometry.geom_type.to_numpy()
    bad = np.flatnonzero(~np.isin(kinds, _POLYGONAL))
    if bad.size:
        index = int(bad[0])
        raise InputError(
            f"a {kinds[index]} was given; expected a Polygon or MultiPolygon",
            file=file,
            location=f"feature {index + 1}",
        )
    return features_in_bng(features, file)


# --- shared ----------------------------------------------------------------------------------


def features_in_bng(features: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    """Return features as `read_vector_file` gives them (WGS84) in EPSG:27700.

    A file that was in EPSG:27700 gets its own coordinates back. Projecting the WGS84 copy
    back is about 1 mm off (PROJ inverts the OSGB36 Helmert step only approximately), which
    moves a large ward's overlaps by a few square metres against the same computation done on
    the file as it is. Raises InputError for a feature outside British National Grid's area.
    """
    _check_in_bng_area(features, file)
    projected = features.to_crs(BNG)
    source = features.attrs.get("source_crs")
    if source is not None and len(features) and pyproj.CRS(source).equals(BNG):
        recovered = _source_bng_geometries(np.asarray(features.geometry.array))
        if recovered is not None:
            projected = projected.set_geometry(recovered, crs=BNG)
    return projected


def _source_bng_geometries(wgs84: npt.NDArray[np.object_]) -> npt.NDArray[np.object_] | None:
    """Return the EPSG:27700 geometries whose WGS84 projection is `wgs84`, or None if unsure.

    With ``back`` the approximate inverse, ``back(forward(x)) = x + e(x)`` for an error ``e``
    of about 1 mm that varies over kilometres, so ``2 back(l) - back(forward(back(l)))`` solves
    ``forward(x) = l`` to well under a micrometre. A sample checks that it does.
    """
    forward = pyproj.Transformer.from_crs(BNG, WGS84, always_xy=True)
    back = pyproj.Transformer.from_crs(WGS84, BNG, always_xy=True)
    lon_lat = shapely.get_coordinates(wgs84)
    x0, y0 = back.transform(lon_lat[:, 0], lon_lat[:, 1])
    x1, y1 = back.transform(*forward.transform(x0, y0))
    exact = np.column_stack([2 * np.asarray(x0) - x1, 2 * np.asarray(y0) - y1])
    sample = slice(None, None, max(len(exact) // 10_000, 1))
    check = np.column_stack(forward.transform(exact[sample, 0], exact[sample, 1]))
    if not np.allclose(check, lon_lat[sample], rtol=0.0, atol=1e-10):  # 1e-10 degree: 10 µm
        return None
    return np.asarray(shapely.transform(wgs84, lambda _: exact), dtype=object)


def _check_in_bng_area(features: gpd.GeoDataFrame, file: str) -> None:
    if _BNG_AREA is None:  # pragma: no cover - EPSG:27700 always has one
        return
    west, south, east, north = _BNG_AREA.bounds
    bounds = shapely.bounds(np.asarray(features.geometry.array))
    outside = (
        (bounds[:, 0] < west)
        | (bounds[:, 2] > east)
        | (bounds[:, 1] < south)
        | (bounds[:, 3] > north)
    )
    bad = np.flatnonzero(outside)
    if bad.size:
        index = int(bad[0])
        x, y = bounds[index, 0], bounds[index, 1]
        raise InputError(
            f"lies outside the area of British National Grid (longitude {west}…{east}, "
            f"latitude {south}…{north}), e.g. at longitude {x:.6f}, latitude {y:.6f}; "
            "are longitude and latitude the right way round?",
            file=file,
            location=f"feature {index + 1}",
        )


def _plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.generic) else value
