"""Reminder benchmark: evaluate duties and claim reminders for 100,000 plans; memory over a year.

Run from the repository root::

    python benchmarks/reminders_benchmark.py                       # SQLite file, 100,000 plans
    python benchmarks/reminders_benchmark.py --plans 20000 --year-plans 500
    python benchmarks/reminders_benchmark.py --postgres postgresql://user@host:5432/scratch

Part 1, on each backend: generate ``--plans`` plans (seeded; every regime; 5 % not yet adopted,
half of those with no date to count from; a tenth owned by an elected member) and four staff
users, then time (a) working out every reminder due on one day, (b) claiming them (the first
pass of a new deployment: one claim per reminder and recipient), and (c) a second pass on the
same day, which finds everything claimed and claims nothing. Sending is not timed here.

Part 2, in a fresh process so that its memory is its own: a scheduler with ``--year-plans``
plans runs a pass every ``--pass-hours`` through one simulated year (a settable clock, no
sleeping), sending every reminder over SMTP to a real server (aiosmtpd's Sink, a separate
process), with in-app notifications. Each morning the simulated team records the reviews and
exercises that have fallen due, with a chance of one in ten a day, so that a few run overdue.
It prints the passes' times and the process's memory: resident set size after the first
pass and after 30, 180 and 365 days, and what Python still holds at the end of what it
allocated in the last month (tracemalloc, on for that month only: it slows every allocation).

A PostgreSQL database given with ``--postgres`` must be a scratch one: the script refuses a
database that holds any plans or users, and empties its reminder tables when it is done.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from resilience.domain.duties.dashboard import plan_dates
from resilience.domain.duties.rules import DEFAULT_POLICY, plan_duties
from resilience.scheduling.claims import claim_reminders, claimed_keys, new_claimant
from resilience.scheduling.mailer import SmtpMailer
from resilience.scheduling.reminder_pass import run_reminder_pass
from resilience.scheduling.reminders import due_reminders
from resilience.storage.database import make_engine, make_sessionmaker, migrate
from resilience.storage.models import Notification, Plan, ReminderClaim, User

TODAY = date(2026, 6, 1)
REGIMES = ("comah_external", "pipeline", "reppir", "cca_local")
STAFF = (
    ("admin", "admin"),
    ("officer", "officer"),
    ("planner", "planner"),
    ("officer2", "officer"),
)
MEMBERS = 50
INSERT_CHUNK = 5_000


def rss_mib(field: str = "VmRSS") -> float:
    """Return this process's resident set size now (VmHWM: its peak), in MiB, from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def timed(label: str, results: dict[str, float]) -> Iterator[None]:
    """Time the block and keep the seconds under ``label``."""
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start


def _plan_rows(count: int, today: date, seed: int, span_days: int) -> list[dict[str, Any]]:
    """Return ``count`` plan rows adopted up to ``span_days`` before ``today``."""
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        regime = rng.choice(REGIMES)
        row: dict[str, Any] = {
            "ref": f"BENCH-{number:06d}",
            "title": f"Benchmark plan {number}",
            "regime": regime,
            "owner": (
                f"member{rng.randrange(MEMBERS)}@bench.test"
                if rng.random() < 0.1
                else "Emergency Planning Team"
            ),
            "marking": "OFFICIAL",
            "status": "adopted",
            "extension_agreed": False,
            "hazard_refs": [],
            "note": "",
            "notified_on": None,
            "adopted_on": None,
            "last_reviewed_on": None,
            "last_exercised_on": None,
        }
        if rng.random() < 0.05:
            row["status"] = "in preparation"
            if regime == "comah_external" and rng.random() < 0.5:
                row["notified_on"] = today - timedelta(days=rng.randrange(365))
        else:
            adopted = today - timedelta(days=rng.randrange(30, span_days))
            row["adopted_on"] = adopted
            span = (today - adopted).days
            for field in ("last_reviewed_on", "last_exercised_on"):
                if rng.random() < 0.7:
                    row[field] = adopted + timedelta(days=rng.randrange(span))
        rows.append(row)
    return rows


def populate(
    sessions: sessionmaker[Session], plans: int, today: date, seed: int, kept_up: bool = False
) -> None:
    """Add the staff, the member owners and ``plans`` plans (``kept_up``: adopted < 3 years ago)."""
    users: list[dict[str, Any]] = [
        {"email": f"{name}@bench.test", "role": role, "password_hash": "-", "display_name": ""}
        for name, role in STAFF
    ] + [
        {
            "email": f"member{n}@bench.test",
            "role": "member",
            "password_hash": "-",
            "display_name": "",
        }
        for n in range(MEMBERS)
    ]
    now = datetime.now(UTC)
    for user in users:
        user.update(active=True, created_at=now, failed_logins=0)
    rows = _plan_rows(plans, today, seed, 3 * 365 if kept_up else 5 * 365)
    with sessions.begin() as session:
        session.execute(insert(User), users)
        for start in range(0, len(rows), INSERT_CHUNK):
            session.execute(insert(Plan), rows[start : start + INSERT_CHUNK])


def check_scratch(engine: Engine) -> None:
    """Exit unless the database holds no plans and no users."""
    with engine.connect() as connection:
        plans = connection.scalar(select(func.count()).select_from(Plan))
        users = connection.scalar(select(func.count()).select_from(User))
    if plans or users:
        sys.exit(
            f"refusing to use a database with {plans} plans and {users} users: give a scratch one"
        )


def empty(engine: Engine) -> None:
    """Remove what the benchmark added."""
    with engine.begin() as connection:
        for table in (Notification, ReminderClaim, Plan, User):
            connection.execute(delete(table))
        connection.execute(text("DELETE FROM apscheduler_jobs"))


def claim_benchmark(url: str, plans: int, seed: int) -> dict[str, float]:
    """Time evaluation, a first claiming pass and a second one on the same day."""
    engine = make_engine(url)
    results: dict[str, float] = {}
    try:
        migrate(engine)
        check_scratch(engine)
        sessions = make_sessionmaker(engine)
        with timed("insert plans", results):
            populate(sessions, plans, TODAY, seed)
        now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)
        with timed("evaluate", results), sessions() as session:
            due = due_reminders(session, TODAY, DEFAULT_POLICY)
        results["reminders due"] = len(due)
        results["duties with a reminder"] = len({(r.plan_ref, r.duty) for r in due})
        with timed("evaluate and claim (first pass)", results):
            with sessions() as session:
                due = due_reminders(session, TODAY, DEFAULT_POLICY)
                taken = claimed_keys(session, min(r.send_on for r in due))
            wanted = [(r.key, r.send_on) for r in due if r.key not in taken]
            results["claimed"] = claim_reminders(sessions, wanted, new_claimant(), now)
        with timed("evaluate and claim (same day again)", results):
            with sessions() as session:
                due = due_reminders(session, TODAY, DEFAULT_POLICY)
                taken = claimed_keys(session, min(r.send_on for r in due))
            wanted = [(r.key, r.send_on) for r in due if r.key not in taken]
            results["claimed again"] = claim_reminders(sessions, wanted, new_claimant(), now)
        with sessions() as session:
            results["claim rows"] = (
                session.scalar(select(func.count()).select_from(ReminderClaim)) or 0
            )
        empty(engine)
    finally:
        engine.dispose()
    return results


def do_the_work(sessions: sessionmaker[Session], today: date, rng: random.Random) -> None:
    """Record reviews and exercises as an emergency planning team would: mostly on time.

    Each duty that has fallen due is done with a chance of one in ten a day, so most are done
    within a few weeks of the due date and a few run overdue for longer; unprepared plans are
    adopted the same way.
    """
    with sessions.begin() as session:
        for plan in session.scalars(select(Plan)):
            for duty in plan_duties(plan_dates(plan), today, DEFAULT_POLICY):
                if duty.days_left > 0 or rng.random() > 0.1:
                    continue
                field = {"prepare": "adopted_on", "review": "last_reviewed_on"}.get(
                    duty.duty.value, "last_exercised_on"
                )
                setattr(plan, field, today)


def year_of_passes(
    url: str, plans: int, seed: int, smtp_port: int, pass_hours: int, out: Any
) -> None:
    """Run a year of passes in this (fresh) process and put the figures on ``out``."""
    engine = make_engine(url)
    try:
        migrate(engine)
        check_scratch(engine)
        sessions = make_sessionmaker(engine)
        start_day = TODAY
        populate(sessions, plans, start_day, seed, kept_up=True)
        lateness = random.Random(seed)
        mailer = SmtpMailer(host="127.0.0.1", port=smtp_port, sender="resilience@bench.test")
        clock = SettableClock(datetime.combine(start_day, datetime.min.time(), tzinfo=UTC))
        durations: list[float] = []
        sent = 0
        rss: dict[int, float] = {}
        first = moment = clock.now()
        last_month = first + timedelta(days=335)
        while moment < first + timedelta(days=365):
            clock.set(moment)
            if moment.hour < pass_hours:  # each morning, before the day's first pass
                do_the_work(sessions, moment.date(), lateness)
            if moment >= last_month and not tracemalloc.is_tracing():
                # Only the last month is traced (tracing slows every allocation): what Python
                # still holds of that month's allocations at the end is what a month leaks.
                tracemalloc.start()
            began = time.perf_counter()
            report = run_reminder_pass(sessions, clock, mailer)
            durations.append(time.perf_counter() - began)
            sent += report.sent
            day = (moment - first).days + 1
            if day in (1, 30, 180) and day not in rss:
                rss[day] = rss_mib()
            moment += timedelta(hours=pass_hours)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        untraced = [
            d
            for n, d in enumerate(durations)
            if first + n * timedelta(hours=pass_hours) < last_month
        ]
        out.put(
            {
                "passes": len(durations),
                "reminders sent (e-mail and app)": sent,
                "first pass s": durations[0],
                "pass median s (untraced)": statistics.median(untraced),
                "pass mean s (untraced)": statistics.mean(untraced),
                "pass max after the first s": max(durations[1:]),
                "RSS after the first pass MiB": rss[1],
                "RSS after 30 days MiB": rss[30],
                "RSS after 180 days MiB": rss[180],
                "RSS after 365 days MiB": rss_mib(),
                "peak RSS (VmHWM) MiB": rss_mib("VmHWM"),
                "last month: still held MiB": current / 2**20,
                "last month: traced peak MiB": peak / 2**20,
            }
        )
        empty(engine)
    finally:
        engine.dispose()


def memory_benchmark(url: str, plans: int, seed: int, pass_hours: int) -> dict[str, float]:
    """Run ``year_of_passes`` in a fresh process against a Sink SMTP server process."""
    port = free_port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        worker = context.Process(
            target=year_of_passes, args=(url, plans, seed, port, pass_hours, out)
        )
        worker.start()
        figures: dict[str, float] = out.get()
        worker.join()
        out.close()
        out.join_thread()
        return figures
    finally:
        sink.terminate()
        sink.wait()


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    """Return once something accepts connections on ``port``; exit if nothing does in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the SMTP sink did not start on port {port}")


def show(title: str, figures: dict[str, float]) -> None:
    """Print one block of figures."""
    print(f"\n{title}")
    for label, value in figures.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"  {label:<40} {shown:>14}")


def main() -> None:
    """Parse the arguments and run both parts on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--year-plans", type=int, default=1_000)
    parser.add_argument("--pass-hours", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", help="URL of a scratch PostgreSQL database")
    parser.add_argument("--year-only", action="store_true", help="skip part 1")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {multiprocessing.cpu_count()} CPUs; day {TODAY}")
    with tempfile.TemporaryDirectory(prefix="reminders-bench-") as folder:
        backends = [("SQLite", f"sqlite:///{Path(folder) / 'claims.sqlite3'}")]
        if args.postgres:
            backends.append(("PostgreSQL", args.postgres))
        for name, url in backends if not args.year_only else ():
            show(f"{name}: {args.plans:,} plans", claim_benchmark(url, args.plans, args.seed))
        year_url = f"sqlite:///{Path(folder) / 'year.sqlite3'}"
        figures = memory_benchmark(year_url, args.year_plans, args.seed, args.pass_hours)
        show(
            f"SQLite: a year of passes every {args.pass_hours} h, {args.year_plans:,} plans",
            figures,
        )


if __name__ == "__main__":
    main()
