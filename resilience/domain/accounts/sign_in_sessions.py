"""Signed-in sessions kept on the server, so that signing out or a new password ends them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from resilience.storage.models import SignInSession, User, utcnow

SESSION_LIFETIME = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=30)  # local policy: RESILIENCE_IDLE_MINUTES
# last_seen_at is written at most this often, so that reading a page is not always a write.
TOUCH_INTERVAL = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """Return the SHA-256 of a session token, as stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def start_session(session: Session, user: User, now: datetime | None = None) -> str:
    """Return the token of a new session for `user` (added to `session`, not committed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = SignInSession(token_hash=token_hash(token), user_id=user.id)
    row.created_at = row.last_seen_at = now
    session.add(row)
    return token


@dataclass(frozen=True)
class LiveSession:
    row: SignInSession
    user: User
    stale: bool  # last_seen_at is older than TOUCH_INTERVAL: the caller should touch it


def live_session(
    session: Session, token: str, idle: timedelta = IDLE_TIMEOUT, now: datetime | None = None
) -> LiveSession | None:
    """Return the session of `token` unless it is revoked, expired, idle or its user inactive."""
    now = now or utcnow()
    row = session.scalars(
        select(SignInSession).where(SignInSession.token_hash == token_hash(token))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if _aware(row.created_at) + SESSION_LIFETIME <= now or _aware(row.last_seen_at) + idle <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return LiveSession(row, user, stale=_aware(row.last_seen_at) + TOUCH_INTERVAL <= now)


def touch_session(session: Session, row: SignInSession, now: datetime | None = None) -> None:
    """Record that the session was used now (the caller commits)."""
    row.last_seen_at = now or utcnow()


def end_session(session: Session, token: str, now: datetime | None = None) -> None:
    """Revoke the session of `token`, if there is one (the caller commits)."""
    session.execute(
        update(SignInSession)
        .where(SignInSession.token_hash == token_hash(token), SignInSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


def end_sessions_of(
    session: Session, user_id: int, keep_token: str | None = None, now: datetime | None = None
) -> None:
    """Revoke every session of `user_id` except `keep_token`'s (the caller commits)."""
    query = update(SignInSession).where(
        SignInSession.user_id == user_id, SignInSession.revoked_at.is_(None)
    )
    if keep_token is not None:
        query = query.where(SignInSession.token_hash != token_hash(keep_token))
    session.execute(query.values(revoked_at=now or utcnow()))
