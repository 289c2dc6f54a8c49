"""Import benchmark: `resilience import` of a 10,000-feature GeoJSON into a fresh SQLite instance.

Generates establishments (points with zone distances, so that zones and exposure are derived
too) and sensitive places (points without zones) across Halton's wards, then times each import
as a user runs it, and a second import of the same file (every record unchanged).

    python benchmarks/import_benchmark.py [--features 10000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WARDS = REPO / "sites" / "wards" / "halton_wards.geojson"


def _features(count: int, kind: str, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    features = []
    for number in range(count):
        lon, lat = rng.uniform(-2.80, -2.62), rng.uniform(53.31, 53.39)
        if kind == "establishments":
            inner = rng.choice([100, 200, 300])
            properties = {
                "site_id": f"B{number}",
                "name": f"Benchmark site {number}",
                "operator": "Benchmark Ltd",
                "tier": rng.choice(["upper", "lower"]),
                "inner_m": inner,
                "middle_m": inner * 2,
                "outer_m": inner * 4,
            }
        else:
            properties = {
                "receptor_id": f"R{number}",
                "name": f"Place {number}",
                "kind": rng.choice(["school", "care_home", "nursery"]),
            }
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RESILIENCE_INSTANCE": folder}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        else:
            env.pop("DATABASE_URL", None)
        cli = [sys.executable, "-m", "resilience.cli"]
        subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
        wards = _timed([*cli, "import", "wards", str(WARDS)], env)
        print(f"wards (18):                 {wards:6.2f} s")
        for kind in ("receptors", "establishments"):
            path = Path(folder) / f"{kind}.geojson"
            path.write_text(json.dumps(_features(args.features, kind, seed=1)))
            first = _timed([*cli, "import", kind, str(path)], env)
            again = _timed([*cli, "import", kind, str(path)], env)
            size = path.stat().st_size / 1e6
            print(
                f"{kind} ({args.features:,}, {size:.1f} MB): first {first:6.2f} s, "
                f"again (unchanged) {again:6.2f} s"
            )


if __name__ == "__main__":
    main()
