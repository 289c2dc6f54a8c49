"""Vector file benchmark: `read_vector_file` on a GeoJSON of 10,000 wards, half points, half discs.

Reading is what every import of a layer starts with; this times it alone (validation included),
as the median of a few runs.

    python benchmarks/vector_file_benchmark.py [--features 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from resilience.spatial.crs import WGS84
from resilience.spatial.vector_files import read_vector_file, write_vector_file


def _wards(count: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    x = rng.uniform(-2.8, -2.6, count)
    y = rng.uniform(53.3, 53.4, count)
    geometries = np.where(
        np.arange(count) % 2 == 0,
        shapely.points(x, y),
        shapely.buffer(shapely.points(x, y), 0.001, quad_segs=8),
    )
    return gpd.GeoDataFrame(
        {"ward_code": [f"W{i:05d}" for i in range(count)], "population": np.arange(count)},
        geometry=geometries,
        crs=WGS84,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wards.geojson"
        path.write_bytes(write_vector_file(_wards(args.features), "geojson", layer="wards"))
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            wards = read_vector_file(path, id_field="ward_code", required_fields=["population"])
            timings.append(time.perf_counter() - started)
            assert len(wards) == args.features
        size = path.stat().st_size / 1e6
        print(
            f"read {args.features:,} features ({size:.1f} MB GeoJSON): median "
            f"{statistics.median(timings):.2f} s, worst {max(timings):.2f} s of {args.runs}"
        )


if __name__ == "__main__":
    main()
