"""Time ward exposure on a national-scale synthetic data set: ours, geopandas overlay, PostGIS.

Run from the repository root::

    python benchmarks/exposure_benchmark.py     # 9,000 wards, 1,000 sites, 300 pipelines
    python benchmarks/exposure_benchmark.py --wards 2000 --sites 200 --pipelines 50
    python benchmarks/exposure_benchmark.py --postgres postgresql://user@host:5432/db

The data are generated deterministically from ``--seed`` in EPSG:27700:

* wards: perturbed Voronoi cells tiling Great Britain's extent (0-660 km E, 0-1,230 km N),
  denser around a few dozen "towns" so that ward sizes range from urban to rural; every shared
  boundary is one perturbed edge used by both wards, so wards meet exactly as real ones do;
  about 3 % of cells are removed as "water", so some zones have parts outside every ward;
* establishments: points or small rotated rectangles, with inner, middle and outer bands and a
  public information zone, distances drawn from 200-3,000 m;
* pipelines: random-walk lines of several kilometres with three bands.

It then times, on the same data: (a) ``exposure_of``; (b) ``geopandas.overlay`` (intersection,
then a dissolve per zone for the part outside every ward) with the same arithmetic; (c) PostGIS
``ST_Intersection``/``ST_Area`` with GiST indexes, when a database is given and reachable; and
(d) the incremental update of one changed site through ``WardIndex``. It checks that (a) and (b)
agree and prints the peak memory of each step. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from resilience.spatial.crs import BNG
from resilience.spatial.exposure import EXPOSURE_COLUMNS, OUTSIDE, WardIndex, exposure_of
from resilience.spatial.zones import zones_for_site_bng

T = TypeVar("T")

GB_EXTENT = (0.0, 0.0, 660_000.0, 1_230_000.0)
WATER_SHARE = 0.03


# --- data ---------------------------------------------------------------------------------


def town_centres(rng: np.random.Generator, count: int = 40) -> np.ndarray:
    """Return (count, 3) rows of x, y, spread: where wards (and sites) cluster."""
    x0, y0, x1, y1 = GB_EXTENT
    xs = rng.uniform(x0 + 30_000, x1 - 30_000, count)
    ys = rng.uniform(y0 + 30_000, y1 - 30_000, count)
    spread = rng.uniform(4_000, 25_000, count)
    return np.column_stack([xs, ys, spread])


def clustered_points(
    rng: np.random.Generator, count: int, towns: np.ndarray, urban_share: float
) -> np.ndarray:
    """Return (count, 2) points: `urban_share` of them near towns, the rest uniform."""
    x0, y0, x1, y1 = GB_EXTENT
    urban = int(count * urban_share)
    which = rng.integers(0, len(towns), urban)
    near = towns[which, :2] + rng.normal(size=(urban, 2)) * towns[which, 2:3]
    rural = np.column_stack(
        [rng.uniform(x0, x1, count - urban), rng.uniform(y0, y1, count - urban)]
    )
    points = np.vstack([near, rural])
    margin = 500.0
    points[:, 0] = np.clip(points[:, 0], x0 + margin, x1 - margin)
    points[:, 1] = np.clip(points[:, 1], y0 + margin, y1 - margin)
    return points


def perturbed_edge(rng: np.random.Generator, line: BaseGeometry) -> np.ndarray:
    """Return the coordinates of a wiggly version of a straight edge, fixed at both ends.

    The offset across the edge is a random sine series that is zero at both ends, with
    amplitudes falling fast enough that the edge leaves its end points at a modest angle.
    """
    coords = np.asarray(line.coords)
    a, b = coords[0], coords[-1]
    length = float(np.hypot(*(b - a)))
    vertices = int(rng.integers(15, 50))
    t = np.linspace(0.0, 1.0, vertices + 1)
    k = np.arange(1, 9)
    amplitudes = rng.normal(size=k.size) * 0.04 * length / k**1.5
    offset = (amplitudes[:, None] * np.sin(np.pi * k[:, None] * t[None, :])).sum(axis=0)
    along = a[None, :] + (b - a)[None, :] * t[:, None]
    normal = np.array([-(b - a)[1], (b - a)[0]]) / length
    out = along + offset[:, None] * normal[None, :]
    out[0], out[-1] = a, b  # exactly the shared nodes
    return out


def make_wards(count: int, seed: int) -> gpd.GeoDataFrame:
    """Return about `count` ward polygons tiling GB's extent, in EPSG:27700."""
    rng = np.random.default_rng(seed)
    towns = town_centres(rng)
    cells = round(count / (1 - WATER_SHARE))
    seeds = clustered_points(rng, cells, towns, urban_share=0.6)
    extent = shapely.box(*GB_EXTENT)
    voronoi = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=extent)
    polygons = shapely.intersection(shapely.get_parts(voronoi), extent)
    # One noded set of edges, so that each shared boundary is perturbed once for both wards.
    edges = shapely.get_parts(shapely.line_merge(shapely.union_all(shapely.boundary(polygons))))
    frame = shapely.boundary(extent)
    wiggly = []
    for edge in edges:
        if shapely.covered_by(edge, frame):
            wiggly.append(edge)  # the coast of the box stays straight
        else:
            wiggly.append(shapely.linestrings(perturbed_edge(rng, edge)))
    wiggly_arr = np.array(wiggly, dtype=object)
    # A wiggle must not cross a neighbouring edge: straighten the few that do, until none do.
    for _ in range(10):
        tree = shapely.STRtree(wiggly_arr)
        left, right = tree.query(wiggly_arr, predicate="crosses")
        crossing = np.unique(np.concatenate([left, right]))
        if crossing.size == 0:
            break
        for i in crossing:
            wiggly_arr[i] = shapely.linestrings(np.asarray(edges[i].coords))
    cells_out = shapely.get_parts(shapely.polygonize(wiggly_arr.tolist()))
    water = rng.choice(cells_out.size, size=max(cells_out.size - count, 0), replace=False)
    cells_out = np.delete(cells_out, water)
    order = np.lexsort((shapely.get_y(shapely.centroid(cells_out)),))
    cells_out = cells_out[order]
    codes = [f"W{i:07d}" for i in range(cells_out.size)]
    return gpd.GeoDataFrame(
        {"ward_code": codes, "ward_name": [f"Ward {i}" for i in range(cells_out.size)]},
        geometry=cells_out,
        crs=BNG,
    )


@dataclass(frozen=True)
class Site:
    """A synthetic establishment or pipeline with its zone distances."""

    site_id: str
    geometry: BaseGeometry
    distances: dict[str, float]


def make_sites(sites: int, pipelines: int, seed: int) -> list[Site]:
    """Return `sites` establishments (4 zones each) and `pipelines` pipelines (3 bands each)."""
    rng = np.random.default_rng(seed + 1)
    towns = town_centres(np.random.default_rng(seed))  # the wards' towns
    out: list[Site] = []
    for i, (x, y) in enumerate(clustered_points(rng, sites, towns, urban_share=0.7)):
        geometry: BaseGeometry
        if rng.random() < 0.3:
            w, h = rng.uniform(100, 500, 2)
            box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            geometry = shapely.affinity.rotate(box, float(rng.uniform(0, 90)))
        else:
            geometry = shapely.Point(x, y)
        inner, middle, outer = np.sort(rng.uniform(200, 3000, 3))
        out.append(
            Site(
                f"S{i:05d}",
                geometry,
                {
                    "inner_m": float(inner),
                    "middle_m": float(middle),
                    "outer_m": float(outer),
                    "piz_m": float(rng.uniform(200, 3000)),
                },
            )
        )
    starts = clustered_points(rng, pipelines, towns, urban_share=0.5)
    for i, start in enumerate(starts):
        steps = int(rng.integers(3, 10))
        heading = rng.uniform(0, 2 * np.pi)
        headings = heading + np.cumsum(rng.normal(0, 0.4, steps))
        lengths = rng.uniform(1_000, 4_000, steps)
        xy = start + np.cumsum(
            np.column_stack([np.cos(headings), np.sin(headings)]) * lengths[:, None], axis=0
        )
        x0, y0, x1, y1 = GB_EXTENT
        xy[:, 0] = np.clip(xy[:, 0], x0 + 1_000, x1 - 1_000)
        xy[:, 1] = np.clip(xy[:, 1], y0 + 1_000, y1 - 1_000)
        line = shapely.LineString(np.vstack([start, xy]))
        inner, middle, outer = np.sort(rng.uniform(200, 3000, 3))
        out.append(
            Site(
                f"P{i:04d}",
                line,
                {"inner_m": float(inner), "middle_m": float(middle), "outer_m": float(outer)},
            )
        )
    return out


def zones_of(sites: list[Site]) -> gpd.GeoDataFrame:
    """Return the zones of all sites as ``zone_id, geometry`` in EPSG:27700."""
    ids: list[str] = []
    geoms: list[BaseGeometry] = []
    for site in sites:
        zones = zones_for_site_bng(site.geometry, **site.distances)
        for kind, zone in zones.items():
            ids.append(f"{site.site_id}:{kind}")
            geoms.append(zone)
    return gpd.GeoDataFrame({"zone_id": ids}, geometry=geoms, crs=BNG)


def fresh(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with new geometry objects, so no run reuses another's prepared geometry."""
    copy = frame.copy()
    copy.geometry = gpd.GeoSeries(
        shapely.from_wkb(shapely.to_wkb(np.asarray(frame.geometry.array))),
        index=frame.index,
        crs=frame.crs,
    )
    return copy


# --- measuring ------------------------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    """Return a memory figure of this process from /proc/self/status (Linux), in KiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so a step's peak is its own.
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


@dataclass
class Step:
    """What one timed step took: wall-clock seconds of each repeat and memory."""

    seconds: list[float]
    peak_mib: float  # the process's peak resident memory during the step
    added_mib: float | None  # that peak over the resident memory before the step

    @property
    def best(self) -> float:
        return min(self.seconds)


def timed(
    repeat: int, run: Callable[..., T], prepare: Callable[[], tuple[Any, ...]] = tuple
) -> tuple[T, Step]:
    """Return the last result of ``run(*prepare())`` and the seconds `run` took each time.

    `prepare` is not timed. Memory is the peak over all repeats, `prepare` included.
    """
    resettable = _reset_peak_rss()
    before = _status_kib("VmRSS")
    seconds: list[float] = []
    for _ in range(max(repeat, 1)):
        arguments = prepare()
        start = time.perf_counter()
        result = run(*arguments)
        seconds.append(time.perf_counter() - start)
    peak = _status_kib("VmHWM") if resettable else None
    if peak is None:  # not Linux: the peak of the whole run so far (KiB on Linux, bytes on macOS)
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
        added = None
    else:
        peak_mib = peak / 1024
        added = (peak - before) / 1024 if before is not None else None
    return result, Step(seconds, peak_mib, added)


@contextmanager
def section(title: str) -> Iterator[None]:
    print(f"\n== {title}", flush=True)
    yield


def report(label: str, step: Step) -> None:
    runs = ", ".join(f"{s:.2f}" for s in step.seconds)
    memory = f"; peak RSS {step.peak_mib:,.0f} MiB"
    if step.added_mib is not None:
        memory += f" (+{step.added_mib:,.0f} MiB)"
    print(f"{label:<44} best {step.best:8.3f} s  (runs: {runs}){memory}", flush=True)


# --- (b) geopandas overlay ------------------------------------------------------------------


def overlay_table(zones: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the exposure table the usual geopandas way: overlay, then a dissolve per zone."""
    pieces = gpd.overlay(zones, wards, how="intersection", keep_geom_type=True)
    pieces["overlap_m2"] = pieces.area
    zone_area = pd.Series(zones.area.to_numpy(), index=zones["zone_id"])
    ward_area = pd.Series(wards.area.to_numpy(), index=wards["ward_code"])
    # Outside every ward = zone - union of its pieces: exact even if wards overlap.
    inside = pieces[["zone_id", "geometry"]].dissolve(by="zone_id").area
    outside = zone_area - inside.reindex(zone_area.index).fillna(0.0)
    outside = outside[outside >= 1.0]
    shown = pieces[pieces["overlap_m2"] >= 1.0]
    rows = pd.DataFrame(
        {
            "zone_id": shown["zone_id"].to_numpy(),
            "ward_code": shown["ward_code"].to_numpy(),
            "ward_name": shown["ward_name"].to_numpy(),
            "overlap_m2": shown["overlap_m2"].to_numpy(),
            "ward_share": shown["overlap_m2"].to_numpy()
            / ward_area.reindex(shown["ward_code"]).to_numpy(),
            "zone_share": shown["overlap_m2"].to_numpy()
            / zone_area.reindex(shown["zone_id"]).to_numpy(),
            "population": np.nan,
        }
    )
    outside_rows = pd.DataFrame(
        {
            "zone_id": outside.index.to_numpy(),
            "ward_code": OUTSIDE,
            "ward_name": None,
            "overlap_m2": outside.to_numpy(),
            "ward_share": np.nan,
            "zone_share": (outside / zone_area.reindex(outside.index)).to_numpy(),
            "population": np.nan,
        }
    )
    table = pd.concat([rows, outside_rows], ignore_index=True)
    return table.sort_values(["zone_id", "ward_code"], ignore_index=True)[list(EXPOSURE_COLUMNS)]


def compare(label: str, ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Print how far two exposure tables differ: rows on one side only, largest area gap."""
    keys = ["zone_id", "ward_code"]
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    only = merged[merged["_merge"] != "both"]
    gap = (both["overlap_m2_a"] - both["overlap_m2_b"]).abs()
    share_gap = (both["zone_share_a"] - both["zone_share_b"]).abs()
    print(
        f"{label}: {len(both):,} rows in both, {len(only)} on one side only; "
        f"max |overlap_m2 difference| = {gap.max():.3g} m², "
        f"max |zone_share difference| = {share_gap.max():.3g}",
        flush=True,
    )
    if len(only):
        side = only[["zone_id", "ward_code", "overlap_m2_a", "overlap_m2_b"]].head(5)
        print("  e.g. (an overlap within float noise of the 1 m² threshold):")
        print("  " + side.to_string(index=False).replace("\n", "\n  "))


# --- (c) PostGIS --------------------------------------------------------------------------------

POSTGIS_QUERY = """
WITH pieces AS MATERIALIZED (
    SELECT z.zone_id, w.ward_code, w.ward_name,
           ST_Area(w.geom) AS ward_area, ST_Area(z.geom) AS zone_area,
           ST_CollectionExtract(ST_Intersection(z.geom, w.geom), 3) AS piece
    FROM bench_zones z JOIN bench_wards w ON ST_Intersects(z.geom, w.geom)
), measured AS (
    SELECT *, ST_Area(piece) AS overlap_m2 FROM pieces
), inside AS (
    SELECT zone_id, ST_Area(ST_Union(piece)) AS inside_m2 FROM measured GROUP BY zone_id
), outside AS (
    SELECT z.zone_id, ST_Area(z.geom) AS zone_area,
           ST_Area(z.geom) - COALESCE(i.inside_m2, 0) AS outside_m2
    FROM bench_zones z LEFT JOIN inside i USING (zone_id)
)
SELECT zone_id, ward_code, ward_name, overlap_m2,
       overlap_m2 / ward_area AS ward_share, overlap_m2 / zone_area AS zone_share
FROM measured WHERE overlap_m2 >= 1
UNION ALL
SELECT zone_id, 'OUTSIDE', NULL, outside_m2, NULL, outside_m2 / zone_area
FROM outside WHERE outside_m2 >= 1
"""


def postgis_connection(url: str | None) -> psycopg.Connection[tuple[Any, ...]] | None:
    """Return an open connection to a PostGIS database, or None after saying why not."""
    if not url:
        print("PostGIS: not reachable, skipped (no --postgres URL or DATABASE_URL)")
        return None
    try:
        connection = psycopg.connect(url, connect_timeout=5, autocommit=True)
        connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"PostGIS: not reachable, skipped ({reason})")
        return None
    return connection


def postgis_load(
    connection: psycopg.Connection[tuple[Any, ...]],
    zones: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
) -> None:
    """Load both layers into fresh tables with GiST indexes, then ANALYZE them."""
    for table, columns, frame in (
        ("bench_wards", ("ward_code", "ward_name"), wards),
        ("bench_zones", ("zone_id",), zones),
    ):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        attributes = ", ".join(f"{c} text NOT NULL" for c in columns)
        connection.execute(
            f"CREATE TABLE {table} ({attributes}, geom geometry(MultiPolygon, 27700) NOT NULL)"
        )
        multi = [
            g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g])
            for g in frame.geometry
        ]
        ewkb = shapely.to_wkb(shapely.set_srid(np.array(multi), 27700), hex=True, include_srid=True)
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}, geom) FROM STDIN") as copy:
                for values in zip(*(frame[c].astype(str) for c in columns), ewkb, strict=True):
                    copy.write_row(values)
        connection.execute(f"CREATE INDEX ON {table} USING gist (geom)")
        connection.execute(f"ANALYZE {table}")


def postgis_table(connection: psycopg.Connection[tuple[Any, ...]]) -> pd.DataFrame:
    """Return the exposure table as PostGIS computes it (POSTGIS_QUERY)."""
    rows = connection.execute(POSTGIS_QUERY).fetchall()
    table = pd.DataFrame(rows, columns=list(EXPOSURE_COLUMNS[:-1]))
    table["population"] = np.nan
    return table.sort_values(["zone_id", "ward_code"], ignore_index=True)


# --- (d) incremental --------------------------------------------------------------------------


def incremental_changes(
    index: WardIndex,
    table: pd.DataFrame,
    sites: list[Site],
    changes: int,
    seed: int,
) -> tuple[list[float], list[float], list[float]]:
    """Move `changes` random sites and re-derive their zones; return per-change seconds for
    the zones, the changed rows, and the rows merged into the national table."""
    rng = np.random.default_rng(seed + 2)
    zone_s, rows_s, merged_s = [], [], []
    for _ in range(changes):
        site = sites[int(rng.integers(len(sites)))]
        dx, dy = rng.uniform(-500, 500, 2)
        moved = shapely.affinity.translate(site.geometry, dx, dy)
        scale = float(rng.uniform(0.8, 1.2))
        distances = {k: v * scale for k, v in site.distances.items()}
        start = time.perf_counter()
        zones = zones_for_site_bng(moved, **distances)
        changed = {f"{site.site_id}:{kind}": geometry for kind, geometry in zones.items()}
        after_zones = time.perf_counter()
        index.exposure_for(changed)
        after_rows = time.perf_counter()
        index.update(table, changed)
        done = time.perf_counter()
        zone_s.append(after_zones - start)
        rows_s.append(after_rows - after_zones)
        merged_s.append(done - after_rows)
    return zone_s, rows_s, merged_s


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wards", type=int, default=9_000, help="number of wards")
    parser.add_argument("--sites", type=int, default=1_000, help="number of establishments")
    parser.add_argument("--pipelines", type=int, default=300, help="number of pipelines")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step")
    parser.add_argument("--changes", type=int, default=50, help="incremental changes to time")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL"),
        help="PostGIS database URL (default: $DATABASE_URL)",
    )
    args = parser.parse_args(argv)

    print(
        f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; "
        f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}); "
        f"geopandas {gpd.__version__}; pandas {pd.__version__}"
    )
    with section("data"):
        wards, step = timed(1, lambda: make_wards(args.wards, args.seed))
        vertices = shapely.get_num_coordinates(np.asarray(wards.geometry.array))
        print(
            f"{len(wards):,} wards, vertices per ward: median {np.median(vertices):.0f}, "
            f"5-95 % {np.percentile(vertices, 5):.0f}-{np.percentile(vertices, 95):.0f}, "
            f"total {vertices.sum():,}; generated in {step.best:.1f} s"
        )
        sites = make_sites(args.sites, args.pipelines, args.seed)
        zones = zones_of(sites)
        zone_vertices = shapely.get_num_coordinates(np.asarray(zones.geometry.array))
        print(
            f"{args.sites:,} establishments + {args.pipelines:,} pipelines = {len(zones):,} "
            f"zones, vertices per zone: median {np.median(zone_vertices):.0f}, "
            f"max {zone_vertices.max():,}"
        )

    with section("(a) exposure_of"):

        def inputs() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
            return fresh(zones), fresh(wards)  # new geometries: nothing prepared by a past run

        ours, step_a = timed(args.repeat, exposure_of, inputs)
        report(f"exposure_of ({os.cpu_count()} threads)", step_a)
        _, step_a1 = timed(args.repeat, lambda z, w: exposure_of(z, w, workers=1), inputs)
        report("exposure_of (1 thread)", step_a1)
        outside = ours[ours["ward_code"] == OUTSIDE]
        print(f"{len(ours):,} rows, {len(outside):,} of them OUTSIDE")

    with section("(b) geopandas overlay + dissolve"):
        theirs, step_b = timed(args.repeat, overlay_table, inputs)
        report("geopandas.overlay + dissolve", step_b)
        compare("(a) vs (b)", ours, theirs)

    with section("(c) PostGIS"):
        connection = postgis_connection(args.postgres)
        step_c: Step | None = None
        if connection is not None:
            _, load = timed(1, lambda: postgis_load(connection, zones, wards))
            report("load + GiST indexes (not in the ratio)", load)
            postgis, step_c = timed(args.repeat, lambda: postgis_table(connection))
            report("ST_Intersection/ST_Area/ST_Union query", step_c)
            compare("(a) vs (c)", ours, postgis)
            compare("(b) vs (c)", theirs, postgis)

    with section("(d) incremental: one site changes"):
        index, build = timed(1, WardIndex, lambda: (fresh(wards),))
        report("WardIndex build (once)", build)
        zone_s, rows_s, merged_s = incremental_changes(index, ours, sites, args.changes, args.seed)
        for label, values in (
            ("derive the site's zones", zone_s),
            ("exposure rows of its zones", rows_s),
            ("merge into the national table", merged_s),
        ):
            print(
                f"{label:<44} median {statistics.median(values) * 1000:7.2f} ms, "
                f"max {max(values) * 1000:7.2f} ms over {len(values)} changes"
            )
        total = [a + b for a, b in zip(zone_s, rows_s, strict=True)]
        print(
            f"{'zones + rows (what the web app waits for)':<44} median "
            f"{statistics.median(total) * 1000:7.2f} ms"
        )

    with section("summary"):
        print(f"(a) exposure_of           {step_a.best:8.3f} s   (1 thread: {step_a1.best:.3f} s)")
        print(f"(b) geopandas overlay     {step_b.best:8.3f} s")
        print(
            f"a/b = {step_a.best / step_b.best:.2f}  (1 thread: {step_a1.best / step_b.best:.2f})"
        )
        if step_c is not None:
            print(f"(c) PostGIS               {step_c.best:8.3f} s")
            print(
                f"a/c = {step_a.best / step_c.best:.2f}  "
                f"(1 thread: {step_a1.best / step_c.best:.2f})"
            )
        else:
            print("(c) PostGIS: not reachable, skipped")
        print(
            f"(d) incremental, median   {statistics.median(total) * 1000:8.2f} ms per changed site"
        )
        for label, step in (("(a)", step_a), ("(b)", step_b), ("(d) build", build)):
            added = (
                f", +{step.added_mib:,.0f} MiB over before" if step.added_mib is not None else ""
            )
            print(f"peak RSS during {label}: {step.peak_mib:,.0f} MiB{added}")
        steps = [step_a, step_a1, step_b, build, *([step_c] if step_c else [])]
        print(f"peak RSS over the timed steps: {max(s.peak_mib for s in steps):,.0f} MiB")


if __name__ == "__main__":
    main()
