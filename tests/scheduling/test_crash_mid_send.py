"""A scheduler killed mid-send: its claim is taken over after the lease and sent once."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock, SystemClock, local_date
from resilience.scheduling.claims import CLAIM_LEASE
from tests.scheduling.builders import (
    Runner,
    add_user,
    claims,
    mailer_on,
    scheduler_command,
    scheduler_env,
)
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def test_a_killed_scheduler_s_reminder_is_sent_once_after_the_lease(
    database_url: str, sessions: sessionmaker[Session], smtp: SmtpSink, tmp_path: Path
) -> None:
    today = local_date(SystemClock().now())
    with sessions() as session:
        add_user(session, "officer@council.test", "officer")
        # Review long overdue; exercise due in years: one reminder, to one person.
        add_plan(
            session,
            "P1",
            adopted_on=date(2019, 3, 1),
            last_exercised_on=today - timedelta(days=30),
        )
        session.commit()

    # This server takes the message but never answers: the sender is stuck mid-send.
    with SmtpSink(stalling=True) as stuck:
        process = subprocess.Popen(
            scheduler_command("--once"),
            env=scheduler_env(database_url, stuck.port, tmp_path / "instance"),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert stuck.data_started.wait(60), "the scheduler never got to sending"
        finally:
            process.kill()  # SIGKILL: no clean-up of any kind
            process.wait()
    [claim] = claims(sessions)
    assert (claim.state, claim.attempts, claim.sent_at) == ("claimed", 1, None)
    lease_end = _utc(claim.next_attempt_at)  # type: ignore[arg-type]
    assert lease_end == _utc(claim.claimed_at) + CLAIM_LEASE

    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(_utc(claim.claimed_at)))
    # While the lease lasts, nobody else touches it (the holder might still be sending)...
    before = runner.run_at(lease_end - timedelta(seconds=1))
    assert (before.claimed, before.taken_over, before.sent) == (0, 0, 0)
    # ...once it has run out, the next pass takes it over and sends it, once.
    after = runner.run_at(lease_end)
    assert (after.taken_over, after.sent) == (1, 1)
    assert runner.run_at(lease_end + timedelta(hours=1)).sent == 0

    overdue = (today - date(2022, 3, 1)).days // 7
    assert smtp.keys() == Counter(
        {("P1", "review", "2022-03-01", f"overdue-{overdue}", "officer@council.test"): 1}
    )
    [claim] = claims(sessions)
    assert (claim.state, claim.attempts) == ("sent", 2)
