"""Time ward exposure on a national-scale synthetic data set: ours, geopandas overlay, PostGIS.

Run from the repository root::

    python benchmarks/exposure_benchmark.py                       # ~9,000 wards, 1,000 sites, 300 pipelines
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
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
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
