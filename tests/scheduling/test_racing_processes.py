"""Several scheduler processes against one database: every reminder goes out once.

Real OS processes: `resilience scheduler --once` started twice at once, and four processes
stepping through simulated days in lock-step so that they race on every single pass.
"""

from __future__ import annotations

import multiprocessing
import re
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SystemClock, local_date
from tests.scheduling.builders import (
    OWNER,
    STAFF,
    add_council,
    claims,
    days,
    reminders_for,
    scheduler_command,
    scheduler_env,
)
from tests.scheduling.race_worker import race
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan

PROCESS_TIMEOUT = 180


def test_two_scheduler_commands_at_once_send_each_reminder_once(
    database_url: str,
    sessions: sessionmaker[Session],
    smtp: SmtpSink,
    tmp_path: Path,
) -> None:
    today = local_date(SystemClock().now())
    expected: Counter[tuple[str, ...]] = Counter()
    with sessions() as session:
        add_council(session)
        for i in range(100):
            adopted = date(2019, 3, 1) + timedelta(days=i)
            exercised = adopted + timedelta(days=100)
            owner = OWNER if i % 4 == 0 else "Emergency Planning Team"
            add_plan(
                session, f"P{i:03d}", adopted_on=adopted, last_exercised_on=exercised, owner=owner
            )
            for duty, anchor in (("review", adopted), ("exercise", exercised)):
                due = anchor.replace(year=anchor.year + 3)  # long overdue: weekly reminders
                lead = f"overdue-{(today - due).days // 7}"
                for email in (*STAFF, OWNER) if owner == OWNER else STAFF:
                    expected[(f"P{i:03d}", duty, due.isoformat(), lead, email)] += 1
        session.commit()

    env = scheduler_env(database_url, smtp.port, tmp_path / "instance")
    racers = [
        subprocess.Popen(
            scheduler_command("--once"),
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=PROCESS_TIMEOUT) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], outputs
    sent = [int(re.search(r"(\d+) sent", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(sent) == len(expected) == 450
    assert smtp.keys() == expected
    assert {c.state for c in claims(sessions)} == {"sent"}


def test_four_processes_racing_every_pass_send_each_reminder_once(
    database_url: str, sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    first, last = date(2027, 1, 1), date(2027, 3, 16)
    expected: Counter[tuple[str, ...]] = Counter()
    with sessions() as session:
        add_council(session)
        for i in range(30):
            due = date(2027, 1, 20) + timedelta(days=2 * i)
            adopted = due.replace(year=due.year - 3)
            add_plan(session, f"P{i:02d}", adopted_on=adopted, last_exercised_on=date(2026, 1, 1))
            for _sent_on, lead in reminders_for(due, first, last):
                for email in STAFF:
                    expected[(f"P{i:02d}", "review", due.isoformat(), lead, email)] += 1
        session.commit()

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    barrier = context.Barrier(4)
    results = context.Queue()
    racers = [
        context.Process(
            target=race, args=(database_url, smtp.port, barrier, list(days(first, last)), results)
        )
        for _ in range(4)
    ]
    for racer in racers:
        racer.start()
    totals = [results.get(timeout=PROCESS_TIMEOUT) for _ in racers]
    for racer in racers:
        racer.join(PROCESS_TIMEOUT)
    results.close()
    results.join_thread()
    assert [racer.exitcode for racer in racers] == [0, 0, 0, 0]

    assert smtp.keys() == expected
    assert sum(t.get("sent", 0) for t in totals) == sum(expected.values())
    assert sum(t.get("claimed", 0) for t in totals) == sum(expected.values())
    assert sum(t.get("failed", 0) + t.get("lost", 0) for t in totals) == 0
    # They did race: the claims were spread over more than one process.
    assert sum(1 for t in totals if t.get("claimed", 0) > 0) >= 2
