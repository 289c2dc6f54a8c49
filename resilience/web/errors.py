"""Error pages: bad input gets a 4xx page that says what was wrong, never a stack trace.

An error page must never fail itself: the request's session is rolled back before anything is
rendered, and if the full page cannot be drawn (the database is unusable) a plain one is sent.
"""

from __future__ import annotations

import logging
from html import escape

from flask import Flask, g, render_template
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from resilience.storage.database import is_busy_error

log = logging.getLogger(__name__)

TITLES = {
    400: "There is a problem with what was sent",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "The file is too large",
    503: "The register is busy",
}
BUSY_MESSAGE = "The register is busy saving another change: try again in a moment."
RETRY_AFTER_SECONDS = 5
_PROBLEM = "Sorry, there is a problem with the service"

Page = tuple[str, int] | tuple[str, int, dict[str, str]]


def _roll_back() -> None:
    """Roll back this request's session so the page can read again; drop it if even that fails."""
    session = g.get("db_session")
    if session is None:
        return
    try:
        session.rollback()
    except SQLAlchemyError:
        log.warning("session could not be rolled back; closing it", exc_info=True)
        g.pop("db_session", None)
        try:
            session.close()
        except SQLAlchemyError:
            log.warning("session could not be closed", exc_info=True)


def error_page(code: int, detail: str | None, title: str | None = None) -> str:
    """Return the error page for `code`: the service layout, or plain HTML if that fails."""
    _roll_back()
    title = title or TITLES.get(code, _PROBLEM)
    try:
        return render_template("error.html", title=title, detail=detail, code=code)
    except Exception:  # the page that reports a failure must not fail: no layout, no database
        log.exception("error page for %s could not be rendered", code)
        body = f"<p>{escape(detail)}</p>" if detail else ""
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
            f" – Resilience</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
        )


def own_description(error: HTTPException) -> str | None:
    """Return what the app said about this error, or None for the framework's stock text
    ("It is either read-protected or not readable by the server"), which the page replaces."""
    stock = type(error).description
    description = error.description
    return None if not description or description == stock else description


def register(app: Flask) -> None:
    """Render HTTP and database errors with the service layout."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Page:
        code = error.code or 500
        detail = own_description(error)
        if code == 503:
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return error_page(code, detail or BUSY_MESSAGE), code, headers
        return error_page(code, detail), code

    @app.errorhandler(SQLAlchemyError)
    def _database_error(error: SQLAlchemyError) -> Page:
        if is_busy_error(error):
            log.warning("database busy: %s", error.__class__.__name__)
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return error_page(503, BUSY_MESSAGE), 503, headers
        log.error("database error", exc_info=error)
        return error_page(500, None), 500
