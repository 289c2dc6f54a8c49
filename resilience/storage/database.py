"""Engines, sessions and migrations for SQLite (the default) and PostgreSQL with PostGIS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

import resilience.storage.audit  # noqa: F401  (registers the audit trail on every session)

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a writer waits for another one's lock before giving up (the web app then answers 503).
LOCK_TIMEOUT_ENV = "RESILIENCE_DB_LOCK_TIMEOUT_MS"
DEFAULT_LOCK_TIMEOUT_MS = 15_000
# Connections each process keeps open (its request threads' share): `resilience serve` sets it
# to --threads, so that N workers hold at most N x (threads + overflow) connections in all.
POOL_SIZE_ENV = "RESILIENCE_DB_POOL_SIZE"
POOL_OVERFLOW_ENV = "RESILIENCE_DB_POOL_OVERFLOW"
DEFAULT_POOL_SIZE = 5
DEFAULT_POOL_OVERFLOW = 2
# A transaction left open by a crashed or stuck client would hold its locks for ever.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000


def lock_timeout_ms() -> int:
    """Return the lock wait in milliseconds: RESILIENCE_DB_LOCK_TIMEOUT_MS, else 15 s."""
    value = os.environ.get(LOCK_TIMEOUT_ENV, "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else DEFAULT_LOCK_TIMEOUT_MS


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


def pool_settings() -> dict[str, int]:
    """Return the connection pool's size and overflow: RESILIENCE_DB_POOL_SIZE / _OVERFLOW."""
    return {
        "pool_size": max(1, _setting(POOL_SIZE_ENV, DEFAULT_POOL_SIZE)),
        "max_overflow": _setting(POOL_OVERFLOW_ENV, DEFAULT_POOL_OVERFLOW),
    }


def make_engine(url: str) -> Engine:
    """Return an engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    On PostgreSQL a statement waiting for a lock gives up after the same time (lock_timeout);
    there is no statement_timeout, since a large import or export legitimately runs long.
    """
    timeout = lock_timeout_ms()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith("sqlite"):
        options = (
            f"-c lock_timeout={timeout} "
            f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}"
        )
        return create_engine(
            url, pool_pre_ping=True, connect_args={"options": options}, **pool_settings()
        )

    pool = pool_settings() if ":memory:" not in url and url != "sqlite://" else {}
    engine = create_engine(url, connect_args={"timeout": timeout / 1000}, **pool)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers go on while one writer writes; the busy timeout makes a second writer
        # wait for the first instead of failing with "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={timeout}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


# PostgreSQL SQLSTATEs of a statement that gave up waiting: lock_timeout, statement_timeout,
# a serialization failure and a deadlock. Trying again a moment later is the cure for each.
_BUSY_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01"})
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_busy_error(error: BaseException) -> bool:
    """Return whether `error` means another writer held a lock too long (try again soon)."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    message = str(original).lower()
    return any(text in message for text in _SQLITE_BUSY_MESSAGES)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used by the web app, the command line and the scheduler."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session whose work is committed at the end, or rolled back whole on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration bound to `engine` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database schema up to the newest migration (creates it when empty)."""
    command.upgrade(alembic_config(engine), "heads")
