"""One database session per request, closed (and rolled back if uncommitted) at teardown."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from resilience.storage.audit import set_actor


def db_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessions"]()
        # The access check names the signed-in user as the actor once it knows who that is.
        set_actor(g.db_session, "web")
    session: Session = g.db_session
    return session


def close_session(_error: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
