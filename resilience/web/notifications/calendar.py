"""The personal calendar feed: a secret URL per user, readable by any calendar program."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from resilience.scheduling.calendar_feed import feed_for, person_for_token, renew_calendar_token
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.saving import commit

bp = Blueprint("calendar", __name__)


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    # No sign-in: calendar programs cannot sign in, so the token in the URL is the credential.
    session = db_session()
    person = person_for_token(session, token)
    if person is None:
        abort(404)
    body = feed_for(session, person, clock.now(), base_url=request.url_root)
    # Personal data behind a secret URL: no shared cache may keep a copy (download's no-store).
    return download(body, "text/calendar", file_name("resilience", ext="ics"), inline=True)


@bp.post("/calendar/link")
@login_required
def new_link() -> BaseResponse:
    session = db_session()
    renew_calendar_token(session, current_user.id, clock.now())
    commit()
    flash("Your calendar link is ready. Any link you made before no longer works.", "success")
    return redirect(url_for("notifications.index") + "#calendar")
