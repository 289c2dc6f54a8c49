"""National-scale page timings: /members/, /wards/, the duties dashboard, on the national set.

Two steps, so that one loaded instance serves several measurements (and the load test):

    python ../shared/bench/gen_national.py --out bench-data
    python benchmarks/national_pages.py load --data bench-data --instance national \
        [--database-url URL]
    python benchmarks/national_pages.py pages --instance national [--database-url URL]

`load` imports the generator's wards, establishments and pipelines through `resilience import`
(renaming the generator's columns to the import's), then adds 1,300 plans and 500 users
(480 members, 20 officers) with one password, PASSWORD below. `pages` signs in through the real
login form (Flask's test client, no network) and prints, for each page, the cold (first) and warm
(median of --repeats) time, the response size and the number of SQL statements it ran.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PASSWORD = "national benchmark passphrase"
PAGES = (
    ("member", "/members/"),
    ("officer", "/wards/"),
    ("officer", "/wards/?page=90"),
    ("officer", "/establishments/"),
    ("officer", "/duties/"),
    ("officer", "/"),
)
REGIMES = ("comah_external", "pipeline", "cca_local", "reppir")


def _environment(instance: Path, database_url: str) -> dict[str, str]:
    env = {**os.environ, "RESILIENCE_INSTANCE": str(instance)}
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def _run(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "resilience.cli", *args], env=env, check=True)
    return time.perf_counter() - started


def load(data: Path, instance: Path, database_url: str) -> None:
    import geopandas as gpd

    env = _environment(instance, database_url)
    _run(env, "init")
    with tempfile.TemporaryDirectory() as folder:
        wards = gpd.read_file(data / "wards.gpkg")
        wards["population"] = [random.Random(i).randint(2_000, 15_000) for i in range(len(wards))]
        wards.to_file(Path(folder) / "wards.gpkg")
        sites = gpd.read_file(data / "sites.gpkg")
        sites["name"] = [f"Establishment {ref}" for ref in sites["site_id"]]
        sites["tier"] = ["upper" if i % 3 else "lower" for i in range(len(sites))]
        sites.to_file(Path(folder) / "sites.gpkg")
        pipelines = gpd.read_file(data / "pipelines.gpkg").rename(
            columns={"band_inner_m": "inner_m", "band_middle_m": "middle_m"}
        )
        pipelines = pipelines.rename(columns={"band_outer_m": "outer_m"})
        pipelines["name"] = [f"Pipeline {ref}" for ref in pipelines["pipeline_id"]]
        pipelines.drop(columns=["length_m"]).to_file(Path(folder) / "pipelines.gpkg")
        for kind, name in (
            ("wards", "wards"),
            ("establishments", "sites"),
            ("pipelines", "pipelines"),
        ):
            seconds = _run(env, "import", kind, str(Path(folder) / f"{name}.gpkg"))
            print(f"import {kind}: {seconds:.1f} s")
    _plans_and_users(env, list(sites["site_id"]), list(pipelines["pipeline_id"]))


def _plans_and_users(env: dict[str, str], sites: list[str], pipelines: list[str]) -> None:
    os.environ.update(env)
    from werkzeug.security import generate_password_hash

    from resilience.config import Settings
    from resilience.storage.database import make_engine, make_sessionmaker, unit_of_work
    from resilience.storage.models import Plan, User

    engine = make_engine(Settings.from_environment().database_url)
    rng = random.Random(20260501)
    today = date.today()
    digest = generate_password_hash(PASSWORD, method="scrypt")
    with unit_of_work(make_sessionmaker(engine)) as session:
        refs = [*sites, *pipelines]
        for number in range(1_300):
            regime = REGIMES[number % len(REGIMES)]
            adopted = today - timedelta(days=rng.randint(100, 1_500))
            covered = [refs[number % len(refs)]] + rng.sample(refs, rng.randint(0, 2))
            session.add(
                Plan(
                    ref=f"PLAN-{number:04d}",
                    title=f"Off-site plan {number}",
                    regime=regime,
                    owner=f"Team {number % 12}",
                    status="adopted",
                    adopted_on=adopted,
                    last_reviewed_on=adopted + timedelta(days=rng.randint(0, 90)),
                    hazard_refs=covered,
                )
            )
        for number in range(500):
            role = "officer" if number < 20 else "member"
            session.add(
                User(email=f"{role}{number}@bench.invalid", role=role, password_hash=digest)
            )
    engine.dispose()
    print("added 1,300 plans and 500 users")


def pages(instance: Path, database_url: str, repeats: int) -> None:
    os.environ.update(_environment(instance, database_url))
    from sqlalchemy import event

    from resilience import create_app

    app = create_app({"WTF_CSRF_ENABLED": False})
    statements = [0]

    @event.listens_for(app.extensions["engine"], "before_cursor_execute")
    def _count(*_args: Any) -> None:
        statements[0] += 1

    clients: dict[str, Any] = {}
    for role, email in (
        ("member", "member100@bench.invalid"),
        ("officer", "officer1@bench.invalid"),
    ):
        client = app.test_client()
        started = time.perf_counter()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        # A member's sign-in lands on /members/: the redirect is part of signing in.
        landing = client.get(response.headers["Location"], follow_redirects=True)
        assert landing.status_code == 200, landing.status_code
        print(f"sign-in as {role} (login + landing page): {time.perf_counter() - started:.2f} s")
        clients[role] = client
    print(f"{'page':<22} {'cold s':>8} {'warm s':>8} {'KB':>8} {'SQL':>6}")
    for role, path in PAGES:
        times, size, count = [], 0, 0
        for _ in range(repeats + 1):
            statements[0] = 0
            started = time.perf_counter()
            response = clients[role].get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
            size, count = len(response.data), statements[0]
        warm = statistics.median(times[1:]) if repeats else times[0]
        print(f"{path:<22} {times[0]:>8.2f} {warm:>8.3f} {size / 1000:>8.0f} {count:>6}")
    app.extensions["engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("load", "pages"))
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.step == "load":
        load(args.data, args.instance.resolve(), args.database_url)
    else:
        pages(args.instance.resolve(), args.database_url, args.repeats)


if __name__ == "__main__":
    main()
