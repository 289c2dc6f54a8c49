"""Time the annual report and a site briefing pack: the Halton demo and a national-scale set.

Run from the repository root::

    python benchmarks/report_benchmark.py          # demo; 9,000 wards, 1,000 sites, 300 pipelines
    python benchmarks/report_benchmark.py --wards 2000 --sites 200 --pipelines 50
    python benchmarks/report_benchmark.py --database-url postgresql://user@host/db  # empty db

Each data set is loaded into a fresh SQLite database in a temporary folder (or the database
given, which must be empty): the demo with ``load_demo``; the national set with the
deterministic generator of ``exposure_benchmark.py`` (wards, establishments and pipelines,
their zones and ``exposure_of`` computed in British National Grid and stored directly), plus
one plan per hazard, exercises with lessons, 500 users and a year of training sessions, all
drawn from ``--seed``. It then times, best of ``--repeat`` runs: the annual report's data; its
HTML, PDF and Word renderings; a site briefing pack (PDF) with the overview map drawn afresh
and with it cached; and every briefing card (what the members' home page computes). This is a
script, not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from flask import Flask
from shapely.geometry.base import BaseGeometry
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from resilience import create_app
from resilience.domain.demo import load_demo
from resilience.domain.training.sessions import local_moment
from resilience.reports.annual.content import ReportPeriod, annual_report, authority_name
from resilience.reports.annual.document import annual_report_document
from resilience.reports.briefing.cards import briefing_cards
from resilience.reports.packs import site_pack
from resilience.reports.render.map_images import images_cached_in
from resilience.reports.render.pdf import render_pdf
from resilience.reports.render.word import render_docx
from resilience.spatial.crs import BNG, WGS84
from resilience.spatial.exposure import exposure_of
from resilience.storage.database import make_engine, make_sessionmaker, migrate
from resilience.storage.models import (
    Attendance,
    Establishment,
    Exercise,
    Hazard,
    Invitation,
    Lesson,
    Pipeline,
    Plan,
    PlanReview,
    TrainingSession,
    User,
    Ward,
    Zone,
    ZoneExposure,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exposure_benchmark import make_sites, make_wards, zones_of  # noqa: E402

T = TypeVar("T")
PERIOD = ReportPeriod(date(2025, 6, 1), date(2026, 5, 31))
AS_OF = date(2026, 6, 15)


def timed(repeat: int, run: Callable[[], T]) -> tuple[T, list[float]]:
    """Return the last result of ``run`` and the seconds each of ``repeat`` runs took."""
    seconds = []
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - start)
    assert result is not None
    return result, seconds


def line(label: str, seconds: list[float]) -> None:
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"  {label:<46} best {min(seconds):7.3f} s  (runs: {runs})", flush=True)


# --- the national-scale set -------------------------------------------------------------------


def _to_wgs84(geometries: list[BaseGeometry]) -> list[BaseGeometry]:
    series = gpd.GeoSeries(geometries, crs=BNG).to_crs(WGS84)
    return list(series.to_numpy())


def load_national(session: Session, wards: int, sites: int, pipelines: int, seed: int) -> str:
    """Store the synthetic register, zones and exposure computed here in British National Grid.

    The rows are written directly rather than through the file import: this measures the
    reports, and the import has its own benchmark.
    """
    start = time.perf_counter()
    frame = make_wards(wards, seed)
    rng = np.random.default_rng(seed)
    population = rng.integers(2_000, 15_000, len(frame))
    generated = make_sites(sites, pipelines, seed)
    zones = zones_of(generated)
    table = exposure_of(
        zones, frame, dict(zip(frame["ward_code"], population.astype(float), strict=True))
    )
    print(f"  generated and overlaid in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    session.info["actor"] = "benchmark"
    ward_wgs84 = _to_wgs84(list(frame.geometry))
    session.add_all(
        Ward(
            code=code,
            name=name,
            lad_code="E00000000",
            lad_name="Synthetic Britain",
            population=int(pop),
            geometry=geom,
        )
        for code, name, pop, geom in zip(
            frame["ward_code"], frame["ward_name"], population, ward_wgs84, strict=True
        )
    )
    zone_shapes: dict[str, dict[str, BaseGeometry]] = {}
    for zone_id, geometry in zip(zones["zone_id"], zones.geometry, strict=True):
        site_id, kind = zone_id.split(":")
        zone_shapes.setdefault(site_id, {})[kind] = geometry
    site_wgs84 = _to_wgs84([site.geometry for site in generated])
    hazards: dict[str, Hazard] = {}
    for site, geometry in zip(generated, site_wgs84, strict=True):
        common = {
            "ref": site.site_id,
            "name": f"Synthetic {site.site_id}",
            "operator": "Synthetic Ltd",
            "geometry": geometry,
            **site.distances,
        }
        hazard: Hazard
        if site.site_id.startswith("S"):
            hazard = Establishment(
                **common,
                substances="chlorine, LPG",
                tier="upper" if int(site.site_id[1:]) % 3 else "lower",
            )
        else:
            hazard = Pipeline(**common, substance="Natural gas", diameter_mm=600, pressure_bar=70)
        shapes = zone_shapes.get(site.site_id, {})
        for (kind, shape), shape_wgs84 in zip(
            shapes.items(), _to_wgs84(list(shapes.values())), strict=True
        ):
            hazard.zones.append(Zone(kind=kind, geometry=shape_wgs84, area_m2=shape.area))
        hazards[site.site_id] = hazard
    session.add_all(hazards.values())
    session.flush()
    zone_ids = {f"{h.ref}:{z.kind}": z.id for h in hazards.values() for z in h.zones}
    session.execute(
        insert(ZoneExposure),
        [
            {
                "zone_id": zone_ids[row.zone_id],
                "ward_code": row.ward_code,
                "overlap_m2": row.overlap_m2,
                "ward_share": None if pd.isna(row.ward_share) else row.ward_share,
                "zone_share": row.zone_share,
            }
            for row in table.itertuples()
        ],
    )
    add_records(session, seed)
    print(f"  stored in {time.perf_counter() - start:.1f} s", flush=True)
    return (
        f"{len(frame):,} wards, {sites:,} establishments, {pipelines:,} pipelines, "
        f"{len(zone_ids):,} zones, {len(table):,} exposure rows"
    )


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def add_records(
    session: Session, seed: int, people: int = 500, sessions: int = 60, with_plans: bool = True
) -> None:
    """Add a plan per hazard (unless told not to), exercises with lessons, reviews, users and
    training sessions."""
    rng = random.Random(seed)
    hazards = session.scalars(select(Hazard).order_by(Hazard.ref)).all() if with_plans else []
    plans = []
    for hazard in hazards:
        adopted = _day(rng, date(2015, 1, 1), date(2024, 12, 31))
        plan = Plan(
            ref=f"PLAN-{hazard.ref}",
            title=f"{hazard.name} emergency plan",
            regime="pipeline" if hazard.kind == "pipeline" else "comah_external",
            status="adopted",
            adopted_on=adopted,
            last_reviewed_on=_day(rng, adopted, date(2026, 5, 31)),
            last_exercised_on=_day(rng, adopted, date(2026, 5, 31)) if rng.random() < 0.8 else None,
            hazard_refs=[hazard.ref],
        )
        plans.append(plan)
    session.add_all(plans)
    session.flush()
    if not with_plans:
        plans = list(session.scalars(select(Plan).order_by(Plan.ref)))
    for plan in plans:
        if plan.last_reviewed_on and plan.last_reviewed_on >= date(2024, 1, 1):
            session.add(
                PlanReview(
                    plan_id=plan.id,
                    reviewed_on=plan.last_reviewed_on,
                    reviewer="EPO",
                    outcome="minor_changes",
                )
            )
    for number in range(len(plans) // 4):
        held_on = _day(rng, date(2024, 1, 1), date(2026, 5, 31))
        tested = rng.sample(plans, k=min(3, len(plans)))
        exercise = Exercise(
            title=f"Exercise {number}",
            exercise_type=rng.choice(["table_top", "live"]),
            status="held",
            held_on=held_on,
            organisations="Fire and Rescue, Police, Operator",
            hazard_refs=[r for p in tested for r in p.hazard_refs],
            plans=tested,
        )
        for lesson in range(rng.randrange(4)):
            due = held_on + timedelta(days=rng.randrange(30, 300))
            closed = due - timedelta(days=10) if rng.random() < 0.6 else None
            exercise.lessons.append(
                Lesson(description=f"Lesson {lesson}", owner="EPO", due_on=due, closed_on=closed)
            )
        session.add(exercise)
    users = [
        User(
            email=f"person{n}@synthetic.invalid",
            role="member" if n % 3 else "officer",
            password_hash="x",
            created_at=datetime(2023, 5, 1, tzinfo=UTC),
        )
        for n in range(people)
    ]
    session.add_all(users)
    session.flush()
    for number in range(sessions):
        day = _day(rng, date(2025, 6, 1), date(2026, 5, 31))
        record = TrainingSession(
            title=f"Session {number}",
            starts_at=local_moment(day, datetime.min.time().replace(hour=18)),
            ends_at=local_moment(day, datetime.min.time().replace(hour=20)),
            place="Chamber",
            audience=rng.choice(["members", "responders", "both"]),
            topics=["comah"],
        )
        for user in rng.sample(users, k=30):
            record.invitations.append(Invitation(user_id=user.id))
            record.attendance.append(
                Attendance(
                    user_id=user.id, outcome="attended" if rng.random() < 0.7 else "apologies"
                )
            )
        session.add(record)
    session.flush()


# --- timing ------------------------------------------------------------------------------------


def measure(session: Session, repeat: int) -> None:
    authority = authority_name(session)
    now = datetime(2026, 6, 15, 9, tzinfo=UTC)
    report, seconds = timed(repeat, lambda: annual_report(session, PERIOD, now))
    line("annual report: data", seconds)
    document = annual_report_document(report, authority)
    app = _app()
    with app.test_request_context():
        from flask import render_template

        _, html_s = timed(
            repeat, lambda: render_template("reports/annual.html", document=document, period=PERIOD)
        )
    line("annual report: HTML", html_s)
    pdf, pdf_s = timed(repeat, lambda: render_pdf(document))
    line("annual report: PDF", pdf_s)
    word, word_s = timed(repeat, lambda: render_docx(document))
    line("annual report: Word (.docx)", word_s)
    total = [a + b + c for a, b, c in zip(seconds, pdf_s, word_s, strict=True)]
    line("annual report: data + PDF + Word", total)
    print(
        f"  ({len(pdf):,} bytes of PDF, {len(word):,} of Word; "
        f"{len(report.all_figures)} figures, {len(report.overdue)} overdue duties)"
    )

    hazard = session.scalars(
        select(Hazard)
        .where(Hazard.kind == "establishment")
        .order_by(Hazard.ref)
        .options(selectinload(Hazard.zones))
        .limit(1)
    ).one()

    # Outside images_cached_in every map is drawn; inside it they come from the shared cache.
    pack, cold = timed(repeat, lambda: render_pdf(site_pack(session, hazard, AS_OF)))
    line("site briefing pack (PDF), maps drawn", cold)
    with tempfile.TemporaryDirectory() as folder, images_cached_in(Path(folder)):
        render_pdf(site_pack(session, hazard, AS_OF))  # fills the cache
        _, warm = timed(repeat, lambda: render_pdf(site_pack(session, hazard, AS_OF)))
    line("site briefing pack (PDF), maps from the cache", warm)
    print(f"  ({len(pack):,} bytes, site {hazard.ref})")
    cards, card_s = timed(1, lambda: briefing_cards(session, AS_OF))
    line(f"all {len(cards):,} briefing cards (members' home)", card_s)


_APP: Flask | None = None


def _app() -> Flask:
    global _APP
    if _APP is None:
        _APP = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    return _APP


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wards", type=int, default=9_000)
    parser.add_argument("--sites", type=int, default=1_000)
    parser.add_argument("--pipelines", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("RESILIENCE_INSTANCE", folder)
        sets = [] if args.skip_demo else ["demo"]
        for name in [*sets, "national"]:
            url = args.database_url or f"sqlite:///{Path(folder) / (name + '.sqlite3')}"
            engine = make_engine(url)
            migrate(engine)
            with make_sessionmaker(engine)() as session:
                print(f"\n== {name}", flush=True)
                start = time.perf_counter()
                if name == "demo":
                    load_demo(session)
                    add_records(session, args.seed, people=40, sessions=8, with_plans=False)
                    summary = "Halton demo data set"
                else:
                    summary = load_national(
                        session, args.wards, args.sites, args.pipelines, args.seed
                    )
                session.commit()
                print(f"  {summary}; loaded in {time.perf_counter() - start:.1f} s", flush=True)
                measure(session, args.repeat)
            engine.dispose()
            if args.database_url:
                break  # one empty database holds one set


if __name__ == "__main__":
    main()
