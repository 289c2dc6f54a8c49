"""What-if benchmark: footprint + who is in it (wards, people, sensitive places) for one release.

    python benchmarks/whatif_benchmark.py                       # the Halton demo, fresh instance
    python benchmarks/whatif_benchmark.py --instance FOLDER     # an instance already loaded,
        [--database-url URL] [--receptors 20000]                # e.g. by national_pages.py load

With --receptors N, sensitive places are added at random inside the wards' extent until the
instance holds N (so the national synthetic set has the 20,000 the issue asks for). Prints the
time of `run_whatif` (chlorine, 2 kg/s, wind from the west at 3 m/s, class D) at the first
establishment: the first run and the median of --repeats.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--receptors", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    folder = args.instance or Path(tempfile.mkdtemp(prefix="whatif-bench-"))
    os.environ["RESILIENCE_INSTANCE"] = str(folder)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    from shapely.geometry import Point
    from sqlalchemy import func, select

    from resilience.config import Settings
    from resilience.domain.whatif.inputs import parse_inputs
    from resilience.domain.whatif.run import run_whatif
    from resilience.storage.database import make_engine, make_sessionmaker, migrate
    from resilience.storage.models import Hazard, Receptor, Ward

    settings = Settings.from_environment()
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        if args.instance is None:
            from resilience.domain.demo import load_demo

            load_demo(session)
            session.commit()
        have = session.scalar(select(func.count(Receptor.id))) or 0
        if args.receptors > have:
            bounds = session.execute(
                select(
                    func.min(Ward.min_lon),
                    func.min(Ward.min_lat),
                    func.max(Ward.max_lon),
                    func.max(Ward.max_lat),
                )
            ).one()
            chance = random.Random(7)
            kinds = ("school", "care_home", "hospital", "nursery")
            for number in range(have, args.receptors):
                point = Point(
                    chance.uniform(bounds[0], bounds[2]), chance.uniform(bounds[1], bounds[3])
                )
                session.add(
                    Receptor(
                        ref=f"BENCH-REC-{number}",
                        name=f"Place {number}",
                        kind=kinds[number % 4],
                        geometry=point,
                    )
                )
            session.commit()
        site = session.scalars(
            select(Hazard).where(Hazard.kind == "establishment").order_by(Hazard.id)
        ).first()
        assert site is not None, "no establishment loaded"
        point = site.geometry.representative_point()
        wards = session.scalar(select(func.count(Ward.id)))
        places = session.scalar(select(func.count(Receptor.id)))
        inputs = parse_inputs(
            {"lat": f"{point.y:.6f}", "lon": f"{point.x:.6f}", "substance": "chlorine",
             "rate": "2", "rate_unit": "kg/s", "duration_min": "60", "height_m": "0",
             "wind_speed": "3", "wind_from": "270", "stability": "D", "terrain": "rural"}
        )  # fmt: skip
        times = []
        for _ in range(args.repeats + 1):
            started = time.perf_counter()
            result = run_whatif(session, inputs)
            times.append(time.perf_counter() - started)
    engine.dispose()
    print(
        f"{wards} wards, {places} sensitive places, backend {engine.dialect.name}: "
        f"what-if at {site.ref} first {times[0] * 1000:.0f} ms, "
        f"median of {args.repeats} {statistics.median(times[1:]) * 1000:.0f} ms "
        f"({len(result.get('zones', []))} zones)",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
