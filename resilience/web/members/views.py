"""Elected members' home: the overview map, a briefing card per site, their own training.

Read-only: nothing on these pages changes the register, and nothing here links to a plan's
document or to any page that needs more than the "view" permission. Their map images show
pipelines as generalised corridors (resilience.spatial.corridors), never the route.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.domain.paging import PageOf, paged
from resilience.domain.training.refresher import (
    attended_sessions,
    load_training_policy,
    local_date,
    training_due,
)
from resilience.domain.training.sessions import (
    attendance_history,
    invited_sessions,
    upcoming_sessions,
)
from resilience.reports.briefing.cards import briefing_card, briefing_cards
from resilience.reports.render.map_images import overview_png, site_png
from resilience.storage.models import Hazard, User
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.paging import page_number, search_text

bp = Blueprint("members", __name__, url_prefix="/members")
IMAGE_MAX_AGE = 300


def _hazard(ref: str) -> Hazard:
    hazard = (
        db_session()
        .scalars(select(Hazard).where(Hazard.ref == ref).options(selectinload(Hazard.zones)))
        .one_or_none()
    )
    if hazard is None:
        abort(404, f"There is no site or pipeline with the identifier {ref!r}.")
    return hazard


CARDS_PER_PAGE = 20  # a county has dozens of sites, the country over a thousand


def _card_order(session: Session, search: str) -> list[str]:
    """Return the references of the cards in the order shown (establishments, then pipelines,
    each by name), those whose name or reference contains ``search`` when given."""
    rows = session.execute(select(Hazard.ref, Hazard.kind, Hazard.name))
    wanted = search.lower()
    ordered = sorted(rows, key=lambda r: (r.kind != "establishment", r.name.lower(), r.ref))
    return [
        r.ref for r in ordered if not wanted or wanted in r.name.lower() or wanted in r.ref.lower()
    ]


@bp.get("/")
def home() -> str:
    session = db_session()
    now = clock.now()
    today = local_date(now)
    invited = {s.id for s in invited_sessions(session, current_user.id)}
    upcoming = [
        s for s in upcoming_sessions(session, now) if s.id in invited or s.audience != "responders"
    ]
    me = session.get(User, current_user.id)
    assert me is not None  # signed in, so the account exists
    mine = training_due(
        me, attended_sessions(session).get(me.id, []), today, load_training_policy(session)
    )
    search = search_text()
    refs = paged(_card_order(session, search), page_number(), CARDS_PER_PAGE)
    page = PageOf(
        briefing_cards(session, today, refs=refs.items), refs.number, refs.total, refs.size
    )
    filters = {"q": search} if search else {}
    here = url_for("members.home")
    return render_template(
        "members/home.html",
        cards=page.items,
        page=page,
        search=search,
        page_url=lambda n: f"{here}?{urlencode({**filters, 'page': n})}#sites",
        upcoming=upcoming,
        invited=invited,
        history=attendance_history(session, current_user.id, now),
        mine=mine,
        today=today,
    )


@bp.get("/sites/<path:ref>")
def card(ref: str) -> str:
    session = db_session()
    hazard = _hazard(ref)
    return render_template("members/card.html", card=briefing_card(session, hazard, clock.today()))


@bp.get("/overview.png")
def overview_map() -> Response:
    response = Response(overview_png(db_session(), precise_pipelines=False), mimetype="image/png")
    response.cache_control.private = True
    response.cache_control.max_age = IMAGE_MAX_AGE
    return response


@bp.get("/maps/<path:ref>.png")
def site_map(ref: str) -> Response:
    session = db_session()
    response = Response(
        site_png(session, _hazard(ref), precise_pipelines=False), mimetype="image/png"
    )
    response.cache_control.private = True
    response.cache_control.max_age = IMAGE_MAX_AGE
    return response
