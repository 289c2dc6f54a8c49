"""Claims on both backends: one owner per reminder, leases, back-off, and losing a claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from resilience.scheduling.claims import (
    CLAIM_LEASE,
    ReminderKey,
    claim_reminder,
    claim_reminders,
    held_claims,
    mark_failed,
    mark_sent,
    retry_delay,
    start_attempt,
    take_over_due_claims,
)
from resilience.storage.models import ReminderClaim

NOW = datetime(2027, 1, 31, 8, 0, tzinfo=UTC)
KEY = ReminderKey("P1", "review", date(2027, 3, 2), "d-30", "officer@council.test")
SEND_ON = date(2027, 1, 31)


def _claim(sessions: sessionmaker[Session]) -> ReminderClaim:
    with sessions() as session:
        return session.scalars(select(ReminderClaim)).one()


def test_only_the_first_insert_claims_a_reminder(sessions: sessionmaker[Session]) -> None:
    assert claim_reminder(sessions, KEY, SEND_ON, "first", NOW)
    assert not claim_reminder(sessions, KEY, SEND_ON, "second", NOW)
    assert _claim(sessions).claimed_by == "first"


def test_a_batch_skips_what_another_scheduler_claimed(sessions: sessionmaker[Session]) -> None:
    others = [KEY._replace(recipient=f"user{n}@council.test") for n in range(5)]
    assert claim_reminder(sessions, others[3], SEND_ON, "other", NOW)
    got = claim_reminders(sessions, [(key, SEND_ON) for key in others], "me", NOW)
    assert got == 4
    with sessions() as session:
        mine = {claim.key.recipient for claim in held_claims(session, "me")}
    assert mine == {key.recipient for key in others} - {others[3].recipient}


def test_a_live_claim_is_not_taken_over_and_a_stale_one_is(
    sessions: sessionmaker[Session],
) -> None:
    claim_reminder(sessions, KEY, SEND_ON, "crashed", NOW)
    assert take_over_due_claims(sessions, "rescuer", NOW + CLAIM_LEASE - timedelta(seconds=1)) == 0
    assert take_over_due_claims(sessions, "rescuer", NOW + CLAIM_LEASE) == 1
    assert _claim(sessions).claimed_by == "rescuer"
    # The old holder wakes up: its attempt and its mark both find the claim gone.
    claim_id = _claim(sessions).id
    assert not start_attempt(sessions, claim_id, "crashed", NOW + CLAIM_LEASE)
    with sessions.begin() as session:
        assert not mark_sent(session, claim_id, "crashed", NOW + CLAIM_LEASE)
    assert _claim(sessions).state == "claimed"


def test_a_failed_send_waits_out_its_back_off(sessions: sessionmaker[Session]) -> None:
    claim_reminder(sessions, KEY, SEND_ON, "me", NOW)
    claim_id = _claim(sessions).id
    assert start_attempt(sessions, claim_id, "me", NOW)
    retry_at = mark_failed(sessions, claim_id, "me", NOW, 1, "ConnectionRefusedError: refused")
    assert retry_at == NOW + timedelta(minutes=15)
    claim = _claim(sessions)
    assert (claim.state, claim.attempts, claim.last_error) == (
        "claimed",
        1,
        "ConnectionRefusedError: refused",
    )
    assert take_over_due_claims(sessions, "next", retry_at - timedelta(seconds=1)) == 0
    assert take_over_due_claims(sessions, "next", retry_at) == 1


def test_back_off_doubles_up_to_six_hours() -> None:
    assert [retry_delay(n) for n in range(1, 8)] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=4),
        timedelta(hours=6),
        timedelta(hours=6),
    ]
