"""Guesses at a password, counted per e-mail address before any is checked.

The count is claimed by one atomic UPDATE ... RETURNING in a transaction of its own, committed
before the password is checked, so that parallel guesses cannot all see "fewer than five" and
no more than MAX_FAILURES guesses are ever checked in one lock-out window. It is kept for every
address tried, whether or not an account has it, so that the answers do not tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, case, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from resilience.clock import as_utc
from resilience.storage.models import AuditEvent, SignInFailures, utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
ENTITY = "sign_in_failures"


@dataclass(frozen=True)
class Claim:
    """One counted guess: its number in the window, and until when the address is locked."""

    attempts: int
    locked_until: datetime | None

    @property
    def may_check(self) -> bool:
        """Return whether this guess is one of the MAX_FAILURES that may be checked."""
        return self.attempts <= MAX_FAILURES


def _engine(bind: Engine | Connection) -> Engine:
    return bind.engine if isinstance(bind, Connection) else bind


def claim_attempt(bind: Engine | Connection, email: str, now: datetime | None = None) -> Claim:
    """Count one guess at `email` and return it, committed before anything is checked."""
    now = now or utcnow()
    table = SignInFailures.__table__
    with _engine(bind).begin() as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(table)
            .values(email=email, attempts=0, last_attempt_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["email"])
        )
        row = SignInFailures
        # A lock that has run out, or failures older than a lock-out, start a new window.
        fresh = or_(
            and_(row.locked_until.is_not(None), row.locked_until <= now),
            and_(row.locked_until.is_(None), row.last_attempt_at <= now - LOCKOUT),
        )
        result = connection.execute(
            update(row)
            .where(row.email == email)
            .values(
                attempts=case((fresh, 1), else_=row.attempts + 1),
                locked_until=case(
                    (fresh, None),
                    (row.attempts + 1 == MAX_FAILURES, now + LOCKOUT),
                    else_=row.locked_until,
                ),
                last_attempt_at=now,
            )
            .returning(row.attempts, row.locked_until)
        ).one()
    until = result.locked_until  # naive from SQLite, which keeps no time zone
    return Claim(attempts=result.attempts, locked_until=as_utc(until) if until else None)


def forget_failures(bind: Engine | Connection, email: str) -> None:
    """Start `email`'s count afresh after a right password (committed at once)."""
    with _engine(bind).begin() as connection:
        connection.execute(
            update(SignInFailures)
            .where(SignInFailures.email == email)
            .values(attempts=0, locked_until=None)
        )


def record_lock(
    bind: Engine | Connection, email: str, locked_until: datetime | None, now: datetime
) -> None:
    """Write the lock of `email` to the audit trail (committed at once)."""
    with _engine(bind).begin() as connection:
        connection.execute(
            insert(AuditEvent).values(
                at=now,
                actor="sign-in",
                action="lock",
                entity=ENTITY,
                ref=email,
                before=None,
                after={
                    "failed_attempts": MAX_FAILURES,
                    "locked_until": locked_until.isoformat() if locked_until else None,
                },
            )
        )


def locked_addresses(session: Session, now: datetime | None = None) -> dict[str, datetime]:
    """Return every address locked now, with the end of its lock."""
    now = now or utcnow()
    rows = session.execute(
        select(SignInFailures.email, SignInFailures.locked_until).where(
            SignInFailures.locked_until > now
        )
    )
    return {email: as_utc(until) for email, until in rows if until is not None}


def unlock(session: Session, email: str, now: datetime | None = None) -> bool:
    """Lift the lock on `email` and audit it; return whether it was locked. The caller commits."""
    now = now or utcnow()
    locked = email in locked_addresses(session, now)
    session.execute(
        update(SignInFailures)
        .where(SignInFailures.email == email)
        .values(attempts=0, locked_until=None)
    )
    if locked:
        session.add(
            AuditEvent(
                at=now,
                actor=str(session.info.get("actor", "system")),
                action="unlock",
                entity=ENTITY,
                ref=email,
                before=None,
                after={"unlocked": True},
            )
        )
    return locked
