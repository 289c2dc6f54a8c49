"""The signed-in user's notifications: the list, and marking them read."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from resilience.date_text import when
from resilience.scheduling.calendar_feed import calendar_token
from resilience.scheduling.notifications import (
    mark_all_read,
    mark_read,
    notifications_for,
    unread_count,
)
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.saving import commit

bp = Blueprint("notifications", __name__)


def _page_exists(link: str) -> bool:
    """Return whether a stored link is a page of this app (a plan may have been deleted since)."""
    if not link.startswith("/"):
        return False
    try:
        current_app.url_map.bind("").match(link, method="GET")
    except HTTPException:
        return False
    return True


def _shown_at(moment: datetime) -> str:
    """Return a stored time as UK local time, e.g. 3 March 2026, 09:00."""
    return when(moment, "date_time")


@bp.get("/notifications")
@login_required
def index() -> str:
    session = db_session()
    token = calendar_token(session, current_user.id)
    return render_template(
        "notifications/index.html",
        notifications=notifications_for(session, current_user.id),
        unread=unread_count(session, current_user.id),
        page_exists=_page_exists,
        shown_at=_shown_at,
        feed_url=url_for("calendar.feed", token=token, _external=True) if token else None,
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    session = db_session()
    if not mark_read(session, current_user.id, notification_id, clock.now()):
        abort(404)  # someone else's, or none: the same answer, so ids reveal nothing
    commit()
    return redirect(url_for(".index") + f"#notification-{notification_id}")


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    session = db_session()
    mark_all_read(session, current_user.id, clock.now())
    commit()
    return redirect(url_for(".index"))
