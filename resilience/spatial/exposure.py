"""Ward exposure to hazard zones, in British National Grid (EPSG:27700) square metres.

For each zone and each ward it overlaps by 1 m² or more: the overlap area, the share of the ward,
the share of the zone and, where ward populations are known, an area-weighted population
estimate. The part of a zone outside every ward is a row of its own (ward code ``OUTSIDE``).

Speed comes from doing as little geometry as the answer needs:

* one STRtree over the wards, queried in bulk with every zone (prepared) for candidate pairs;
* a ward properly inside a zone overlaps it by the ward's own area, and a zone properly inside
  a ward by the zone's area, so neither needs an intersection (a prepared predicate is ~50x
  cheaper than an overlay);
* the other pairs go to ``shapely.intersection`` as arrays, in threads (GEOS releases the GIL);
* the area outside every ward is ``zone area - sum of overlaps`` when the wards involved form
  a valid coverage (no two overlap, as ONS boundaries don't), and the exact
  ``zone area - area(union of the overlaps)`` when they don't: wards read from two sources may
  overlap, and a sum would then count the shared part twice.

`WardIndex` keeps the wards indexed (and their coverage checked) between calls, so that the web
app recomputes only the zones of the site that changed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from resilience.spatial.crs import BNG

OUTSIDE: Final = "OUTSIDE"
MIN_OVERLAP_M2: Final = 1.0
EXPOSURE_COLUMNS: Final = (
    "zone_id",
    "ward_code",
    "ward_name",
    "overlap_m2",
    "ward_share",
    "zone_share",
    "population",
)

# Below this many intersections, starting threads costs more than it saves.
_PARALLEL_MIN_PAIRS: Final = 2_000

GeometryArray = npt.NDArray[np.object_]
FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
# Given ward indices, whether each may overlap another ward (see _Wards.overlapping_among).
OverlapCheck = Callable[[IndexArray], BoolArray]


def exposure_of(
    zones_bng: gpd.GeoDataFrame,
    wards_bng: gpd.GeoDataFrame,
    populations: Mapping[str, float] | None = None,
    *,
    workers: int | None = None,
) -> pd.DataFrame:
    """Return the exposure table of every zone to every ward it overlaps.

    Parameters
    ----------
    zones_bng
        Polygonal zones in EPSG:27700 with a unique ``zone_id`` column.
    wards_bng
        Polygonal wards in EPSG:27700 with unique ``ward_code`` and a ``ward_name`` column.
        Wards may overlap each other; the area outside every ward stays exact.
    populations
        Population by ward code; wards missing from it get no population estimate.
    workers
        Threads for the intersections; None uses every CPU, 1 stays in this thread.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone_id, ward_code, ward_name, overlap_m2, ward_share, zone_share,
        population``: one row per zone and ward overlapping by 1 m² or more, plus one row with
        ``ward_code`` ``OUTSIDE`` (``ward_name``, ``ward_share`` and ``population`` missing) for
        each zone with 1 m² or more outside every ward; sorted by ``zone_id`` then
        ``ward_code``. ``population`` is population × ward_share, missing when unknown.

    Examples
    --------
    >>> from shapely import box
    >>> wards = gpd.GeoDataFrame(
    ...     {"ward_code": ["W1", "W2"], "ward_name": ["West", "East"]},
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=BNG,
    ... )
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z"]}, geometry=[box(50, 50, 250, 150)], crs=BNG)
    >>> table = exposure_of(zones, wards, {"W1": 1000})
    >>> table[["ward_code", "overlap_m2", "ward_share", "population"]].values.tolist()
    [['OUTSIDE', 12500.0, nan, nan], ['W1', 2500.0, 0.25, 250.0], ['W2', 5000.0, 0.5, nan]]
    """
    wards = _Wards.from_frame(wards_bng, populations)
    zone_ids, zone_geoms = _zone_arrays(zones_bng)
    return _exposure(
        wards, zone_ids, zone_geoms, overlapping=wards.overlapping_among, workers=workers
    )


class WardIndex:
    """Wards indexed once, answering the exposure of any zones, a few at a time if need be.

    Building it costs about a second for Great Britain's ~9,000 wards (the spatial index and a
    check that the wards don't overlap); afterwards the rows of one changed site take a few
    milliseconds, whatever the number of other zones.

    Examples
    --------
    >>> from shapely import Point, box
    >>> wards = gpd.GeoDataFrame(
    ...     {"ward_code": ["W1"], "ward_name": ["Only"]},
    ...     geometry=[box(0, 0, 1000, 1000)], crs=BNG,
    ... )
    >>> index = WardIndex(wards)
    >>> table = index.exposure_for({"A:piz": Point(500, 500).buffer(100)})
    >>> table["ward_code"].tolist()
    ['W1']
    >>> moved = index.update(table, {"A:piz": Point(1000, 500).buffer(100)})
    >>> moved["ward_code"].tolist(), moved["zone_share"].round(2).tolist()
    (['OUTSIDE', 'W1'], [0.5, 0.5])
    """

    def __init__(
        self, wards_bng: gpd.GeoDataFrame, populations: Mapping[str, float] | None = None
    ) -> None:
        self._wards = _Wards.from_frame(wards_bng, populations)
        self._overlapping = self._wards.overlapping_among(np.arange(len(self._wards.codes)))

    def __len__(self) -> int:
        return len(self._wards.codes)

    def exposure(self, zones_bng: gpd.GeoDataFrame, *, workers: int | None = 1) -> pd.DataFrame:
        """Return the exposure table (as `exposure_of`) of zones with ``zone_id`` in EPSG:27700."""
        zone_ids, zone_geoms = _zone_arrays(zones_bng)
        return self._rows(zone_ids, zone_geoms, workers)

    def exposure_for(self, zones_bng: Mapping[str, BaseGeometry]) -> pd.DataFrame:
        """Return the exposure rows of a few zones: ``{zone_id: polygon in EPSG:27700}``."""
        zone_ids = np.array(list(zones_bng), dtype=object)
        zone_geoms = np.array(list(zones_bng.values()), dtype=object)
        return self._rows(zone_ids, zone_geoms, 1)

    def update(
        self, table: pd.DataFrame, changed: Mapping[str, BaseGeometry | None]
    ) -> pd.DataFrame:
        """Return `table` with the rows of the changed zones recomputed (None removes a zone).

        Rows of every other zone are kept as they are, so the cost is that of the changed
        zones alone.
        """
        kept = table[~table["zone_id"].isin(list(changed))]
        fresh = self.exposure_for({k: g for k, g in changed.items() if g is not None})
        if kept.empty:
            return fresh
        if fresh.empty:
            return kept.reset_index(drop=True)
        return _sorted(pd.concat([kept, fresh], ignore_index=True))

    def _rows(
        self, zone_ids: npt.NDArray[np.object_], zone_geoms: GeometryArray, workers: int | None
    ) -> pd.DataFrame:
        overlapping = self._overlapping
        return _exposure(
            self._wards,
            zone_ids,
            zone_geoms,
            overlapping=lambda indices: overlapping[indices],
            workers=workers,
        )


class _Wards:
    """The ward arrays that every exposure computation reads, with their STRtree."""

    def __init__(
        self,
        codes: npt.NDArray[np.object_],
        names: npt.NDArray[np.object_],
        geoms: GeometryArray,
        populations: FloatArray,
    ) -> None:
        self.codes = codes
        self.names = names
        self.geoms = geoms
        self.areas: FloatArray = shapely.area(geoms)
        self.populations = populations
        shapely.prepare(geoms)  # for the "zone inside ward" test
        self.tree = shapely.STRtree(geoms)

    @classmethod
    def from_frame(
        cls, wards_bng: gpd.GeoDataFrame, populations: Mapping[str, float] | None
    ) -> _Wards:
        _require_bng(wards_bng, "wards_bng")
        codes = np.array([str(c) for c in wards_bng["ward_code"]], dtype=object)
        names = np.array(
            [None if pd.isna(n) else str(n) for n in wards_bng["ward_name"]], dtype=object
        )
        geoms = np.array(wards_bng.geometry.array, dtype=object)
        known = populations or {}
        pops = np.array([float(known.get(c, math.nan)) for c in codes], dtype=np.float64)
        return cls(codes, names, geoms, pops)

    def overlapping_among(self, indices: IndexArray) -> BoolArray:
        """Return, for each of the given wards, whether it may overlap another of them.

        GEOS's coverage validator flags a polygon whose edges run inside another or fail to
        match its neighbour's exactly; at least one ward of every overlapping pair is flagged.
        A false alarm only sends a zone down the slower, still exact, union path.
        """
        if len(indices) < 2:
            return np.zeros(len(indices), dtype=bool)
        unique, inverse = np.unique(indices, return_inverse=True)
        invalid_edges = shapely.coverage_invalid_edges(self.geoms[unique])
        flagged = ~shapely.is_empty(invalid_edges)
        return np.asarray(flagged[inverse], dtype=bool)


def _exposure(
    wards: _Wards,
    zone_ids: npt.NDArray[np.object_],
    zone_geoms: GeometryArray,
    *,
    overlapping: OverlapCheck,
    workers: int | None,
) -> pd.DataFrame:
    zone_count = len(zone_ids)
    if zone_count == 0:
        return _frame({c: [] for c in EXPOSURE_COLUMNS})
    shapely.prepare(zone_geoms)  # for the "ward inside zone" test
    zone_areas: FloatArray = shapely.area(zone_geoms)

    # Candidate pairs, grouped by zone: the tree prepares each zone and tests real intersection.
    pair_zone, pair_ward = wards.tree.query(zone_geoms, predicate="intersects")
    order = np.lexsort((pair_ward, pair_zone))
    pair_zone, pair_ward = pair_zone[order], pair_ward[order]
    z_geoms, w_geoms = zone_geoms[pair_zone], wards.geoms[pair_ward]

    ward_inside = shapely.contains_properly(z_geoms, w_geoms)
    zone_inside = ~ward_inside & shapely.contains_properly(w_geoms, z_geoms)
    overlap = np.zeros(len(pair_zone), dtype=np.float64)
    overlap[ward_inside] = wards.areas[pair_ward[ward_inside]]
    overlap[zone_inside] = zone_areas[pair_zone[zone_inside]]
    cut = ~(ward_inside | zone_inside)
    with _pool(workers, int(cut.sum())) as pool:
        # The coverage check (batch) runs beside the intersections rather than before them.
        flags = pool.submit(overlapping, pair_ward) if pool else None
        overlap[cut] = _intersection_areas(z_geoms[cut], w_geoms[cut], pool)
        ward_flags = flags.result() if flags else overlapping(pair_ward)

    # Zones whose outside part needs a real union: several wards, one of which may overlap
    # another. A zone inside a ward has nothing outside, whatever the other wards do.
    pairs_per_zone = np.bincount(pair_zone, minlength=zone_count)
    suspect = np.zeros(zone_count, dtype=bool)
    suspect[pair_zone[ward_flags]] = True
    covered = np.zeros(zone_count, dtype=bool)
    covered[pair_zone[zone_inside]] = True
    needs_union = suspect & (pairs_per_zone >= 2) & ~covered

    inside_wards = np.bincount(pair_zone, weights=overlap, minlength=zone_count)
    starts = np.searchsorted(pair_zone, np.arange(zone_count + 1))
    for zone in np.flatnonzero(needs_union):
        rows = np.arange(starts[zone], starts[zone + 1])
        parts = np.where(  # a ward inside the zone is its own part
            cut[rows], shapely.intersection(z_geoms[rows], w_geoms[rows]), w_geoms[rows]
        )
        inside_wards[zone] = shapely.area(shapely.union_all(parts))
    outside = np.maximum(zone_areas - inside_wards, 0.0)
    outside[covered] = 0.0

    shown = overlap >= MIN_OVERLAP_M2
    z_rows, w_rows, o_rows = pair_zone[shown], pair_ward[shown], overlap[shown]
    ward_share = o_rows / wards.areas[w_rows]
    out_zones = np.flatnonzero(outside >= MIN_OVERLAP_M2)
    missing = np.full(len(out_zones), math.nan)
    columns: dict[str, Sequence[object] | npt.NDArray[np.generic]] = {
        "zone_id": np.concatenate([zone_ids[z_rows], zone_ids[out_zones]]),
        "ward_code": np.concatenate(
            [wards.codes[w_rows], np.full(len(out_zones), OUTSIDE, dtype=object)]
        ),
        "ward_name": np.concatenate(
            [wards.names[w_rows], np.full(len(out_zones), None, dtype=object)]
        ),
        "overlap_m2": np.concatenate([o_rows, outside[out_zones]]),
        "ward_share": np.concatenate([ward_share, missing]),
        "zone_share": np.concatenate(
            [o_rows / zone_areas[z_rows], outside[out_zones] / zone_areas[out_zones]]
        ),
        "population": np.concatenate([wards.populations[w_rows] * ward_share, missing]),
    }
    return _sorted(_frame(columns))


def _intersection_areas(
    a: GeometryArray, b: GeometryArray, pool: ThreadPoolExecutor | None
) -> FloatArray:
    """Return area(a[i] ∩ b[i]) for every i, spread over the pool's threads if there is one."""
    if pool is None:
        return np.asarray(shapely.area(shapely.intersection(a, b)), dtype=np.float64)
    # Many more chunks than threads, so that a chunk of large polygons doesn't hold up the rest.
    chunks = np.array_split(np.arange(len(a)), max(len(a) // 250, 1))
    parts = pool.map(lambda ix: shapely.area(shapely.intersection(a[ix], b[ix])), chunks)
    return np.concatenate(list(parts)).astype(np.float64)


@contextmanager
def _pool(workers: int | None, pairs: int) -> Iterator[ThreadPoolExecutor | None]:
    """Yield a thread pool for `pairs` intersections, or None when one thread will do."""
    threads = (os.cpu_count() or 1) if workers is None else max(workers, 1)
    if threads == 1 or pairs < _PARALLEL_MIN_PAIRS:
        yield None
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        yield pool


def _zone_arrays(zones_bng: gpd.GeoDataFrame) -> tuple[npt.NDArray[np.object_], GeometryArray]:
    _require_bng(zones_bng, "zones_bng")
    ids = np.array([str(z) for z in zones_bng["zone_id"]], dtype=object)
    return ids, np.array(zones_bng.geometry.array, dtype=object)


def _require_bng(frame: gpd.GeoDataFrame, name: str) -> None:
    if frame.crs is None or not frame.crs.equals(BNG):
        raise ValueError(f"{name} must be in {BNG} (metres); its CRS is {frame.crs}")


def _frame(columns: Mapping[str, Sequence[object] | npt.NDArray[np.generic]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "zone_id": pd.Series(columns["zone_id"], dtype=object),
            "ward_code": pd.Series(columns["ward_code"], dtype=object),
            "ward_name": pd.Series(columns["ward_name"], dtype=object),
            **{c: pd.Series(columns[c], dtype=np.float64) for c in EXPOSURE_COLUMNS[3:]},
        }
    )
    return frame


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["zone_id", "ward_code"], kind="stable", ignore_index=True)
