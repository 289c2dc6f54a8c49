"""Claims on reminders: the database rows that make a reminder go out once, and never get lost.

A claim is taken by INSERT: the unique constraint on (plan, duty, due date, lead, recipient) lets
exactly one scheduler own a reminder, on SQLite and PostgreSQL alike, whoever races. The holder
sends and then marks the claim sent. Every other change is a conditional UPDATE that names the
holder, so a scheduler that lost its claim (it was too slow, and another took it over) finds that
out from the row count instead of overwriting the new holder's work.

``next_attempt_at`` is the one clock on a claim: while it is being sent, the end of the holder's
lease (a crash leaves it there, and anyone may take the claim over once it has passed); after a
failed send, the end of the back-off. A sent or cancelled claim has none.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple, cast

from sqlalchemy import ColumnElement, CursorResult, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from resilience.storage.models import ReminderClaim

# Longer than any single send can take (the SMTP timeout is 30 s a command), so a live holder is
# never taken over; short enough that a crashed holder's reminders go out the same morning.
CLAIM_LEASE = timedelta(minutes=10)
RETRY_FIRST_AFTER = timedelta(minutes=15)
RETRY_AT_MOST_EVERY = timedelta(hours=6)
CLAIM_BATCH = 500
MAX_ERROR_CHARS = 1000

claims = cast(Table, ReminderClaim.__table__)


class ReminderKey(NamedTuple):
    """What makes a reminder one reminder: the claim table's unique key."""

    plan_ref: str
    duty: str
    due_on: date
    lead: str
    recipient: str


class HeldClaim(NamedTuple):
    """A claim this scheduler holds and is about to send."""

    id: int
    key: ReminderKey
    attempts: int


def new_claimant() -> str:
    """Return a name for one reminder pass, unique across hosts, processes and passes."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the ``attempts``-th failed send (doubling, capped)."""
    doublings = min(max(attempts - 1, 0), 16)
    return min(RETRY_FIRST_AFTER * 2**doublings, RETRY_AT_MOST_EVERY)


def claimed_keys(session: Session, since: date) -> set[ReminderKey]:
    """Return the keys of every claim meant for ``since`` or later, whatever its state."""
    rows = session.execute(
        select(
            claims.c.plan_ref, claims.c.duty, claims.c.due_on, claims.c.lead, claims.c.recipient
        ).where(claims.c.send_on >= since)
    )
    return {ReminderKey(*row) for row in rows}


def _claim_row(
    key: ReminderKey, send_on: date, claimant: str, now: datetime, lease: timedelta
) -> dict[str, object]:
    """Return the values of a new claim held by ``claimant`` for one lease."""
    return {
        **key._asdict(),
        "send_on": send_on,
        "state": "claimed",
        "claimed_at": now,
        "claimed_by": claimant,
        "attempts": 0,
        "next_attempt_at": now + lease,
        "last_error": "",
    }


def claim_reminder(
    sessions: sessionmaker[Session],
    key: ReminderKey,
    send_on: date,
    claimant: str,
    now: datetime,
    lease: timedelta = CLAIM_LEASE,
) -> bool:
    """Return True if ``claimant`` now holds the reminder, False if someone claimed it first."""
    try:
        with sessions.begin() as session:
            session.execute(insert(claims).values(_claim_row(key, send_on, claimant, now, lease)))
    except IntegrityError:
        return False
    return True


def claim_reminders(
    sessions: sessionmaker[Session],
    wanted: Iterable[tuple[ReminderKey, date]],
    claimant: str,
    now: datetime,
    lease: timedelta = CLAIM_LEASE,
) -> int:
    """Claim each (key, send_on) not claimed yet, in batches; return how many ``claimant`` got."""
    pending = list(wanted)
    got = 0
    for start in range(0, len(pending), CLAIM_BATCH):
        got += _claim_batch(sessions, pending[start : start + CLAIM_BATCH], claimant, now, lease)
    return got


def _claim_batch(
    sessions: sessionmaker[Session],
    batch: Sequence[tuple[ReminderKey, date]],
    claimant: str,
    now: datetime,
    lease: timedelta,
) -> int:
    """Insert a batch in one transaction; when another scheduler got some first, drop those."""
    for _ in range(3):
        if not batch:
            return 0
        try:
            with sessions.begin() as session:
                session.execute(
                    insert(claims),
                    [_claim_row(key, send_on, claimant, now, lease) for key, send_on in batch],
                )
            return len(batch)
        except IntegrityError:
            # A unique violation is only raised once the other insert has committed, so a fresh
            # read shows it: the retry goes without the rows the other scheduler now holds.
            with sessions() as session:
                taken = claimed_keys(session, min(send_on for _, send_on in batch))
            batch = [(key, send_on) for key, send_on in batch if key not in taken]
    # Still colliding (two schedulers claiming the same rows in step): one row at a time.
    return sum(
        claim_reminder(sessions, key, send_on, claimant, now, lease) for key, send_on in batch
    )


def take_over_due_claims(
    sessions: sessionmaker[Session],
    claimant: str,
    now: datetime,
    lease: timedelta = CLAIM_LEASE,
) -> int:
    """Take every unsent claim whose lease or back-off has run out; return how many."""
    with sessions() as session:
        due = session.scalars(
            select(claims.c.id)
            .where(claims.c.state == "claimed", claims.c.next_attempt_at <= now)
            .order_by(claims.c.id)
        ).all()
    taken = 0
    for claim_id in due:
        # One row a transaction, so that two schedulers taking over at once never deadlock; the
        # WHERE is checked again on the row itself, so a claim the other one took in between no
        # longer matches and each claim gets one new holder.
        with sessions.begin() as session:
            result = session.execute(
                update(claims)
                .where(
                    claims.c.id == claim_id,
                    claims.c.state == "claimed",
                    claims.c.next_attempt_at <= now,
                )
                .values(claimed_by=claimant, claimed_at=now, next_attempt_at=now + lease)
            )
        taken += _rowcount(result)
    return taken


def held_claims(session: Session, claimant: str) -> list[HeldClaim]:
    """Return the unsent claims ``claimant`` holds, oldest reminder first."""
    rows = session.execute(
        select(
            claims.c.id,
            claims.c.plan_ref,
            claims.c.duty,
            claims.c.due_on,
            claims.c.lead,
            claims.c.recipient,
            claims.c.attempts,
        )
        .where(claims.c.claimed_by == claimant, claims.c.state == "claimed")
        .order_by(claims.c.send_on, claims.c.id)
    )
    return [HeldClaim(row[0], ReminderKey(*row[1:6]), row[6]) for row in rows]


def _held(claim_id: int, claimant: str) -> tuple[ColumnElement[bool], ...]:
    """Return the WHERE clauses that match a claim only while ``claimant`` holds it."""
    return (claims.c.id == claim_id, claims.c.claimed_by == claimant, claims.c.state == "claimed")


def start_attempt(
    sessions: sessionmaker[Session],
    claim_id: int,
    claimant: str,
    now: datetime,
    lease: timedelta = CLAIM_LEASE,
) -> bool:
    """Renew the lease and count an attempt, just before sending; False if the claim was lost."""
    with sessions.begin() as session:
        result = session.execute(
            update(claims)
            .where(*_held(claim_id, claimant))
            .values(attempts=claims.c.attempts + 1, claimed_at=now, next_attempt_at=now + lease)
        )
    return _rowcount(result) == 1


def mark_sent(session: Session, claim_id: int, claimant: str, now: datetime) -> bool:
    """Mark a held claim sent, in the caller's transaction; False if the claim was lost."""
    result = session.execute(
        update(claims)
        .where(*_held(claim_id, claimant))
        .values(state="sent", sent_at=now, next_attempt_at=None)
    )
    return _rowcount(result) == 1


def mark_failed(
    sessions: sessionmaker[Session],
    claim_id: int,
    claimant: str,
    now: datetime,
    attempts: int,
    error: str,
) -> datetime:
    """Keep a claim unsent after a failed send and return when anyone may try it again."""
    retry_at = now + retry_delay(attempts)
    with sessions.begin() as session:
        session.execute(
            update(claims)
            .where(*_held(claim_id, claimant))
            .values(next_attempt_at=retry_at, last_error=error[:MAX_ERROR_CHARS])
        )
    return retry_at


def mark_cancelled(
    sessions: sessionmaker[Session], claim_id: int, claimant: str, reason: str
) -> None:
    """Close a held claim without sending: the reminder no longer says anything true."""
    with sessions.begin() as session:
        session.execute(
            update(claims)
            .where(*_held(claim_id, claimant))
            .values(state="cancelled", next_attempt_at=None, last_error=reason[:MAX_ERROR_CHARS])
        )


def claim_counts(session: Session) -> dict[str, int]:
    """Return how many claims are in each state."""
    rows = session.execute(select(claims.c.state, func.count()).group_by(claims.c.state))
    return {state: count for state, count in rows}


def _rowcount(result: object) -> int:
    """Return the rows an UPDATE matched."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def failing_claims(session: Session) -> list[ReminderClaim]:
    """Return the reminders still unsent after a failed attempt, oldest due date first."""
    return list(
        session.scalars(
            select(ReminderClaim)
            .where(ReminderClaim.state == "claimed", ReminderClaim.last_error != "")
            .order_by(ReminderClaim.send_on, ReminderClaim.id)
        )
    )
