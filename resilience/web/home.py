"""The start page: what the register holds, at a glance."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from resilience.domain.duties.dashboard import DUTY_LABELS, register_duties
from resilience.domain.duties.partners import partner_duties
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import Status
from resilience.domain.register.layers import LAYERS
from resilience.web.clock import today
from resilience.web.db import db_session

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str | Response:
    if current_user.role == "member":
        return redirect(url_for("members.home"))  # elected members land on their briefing
    session = db_session()
    counts = {
        name: session.scalar(select(func.count()).select_from(layer.model)) or 0
        for name, layer in LAYERS.items()
    }
    policy = stored_policy(session)
    rows = register_duties(session, today(), policy)
    # A hazard with no plan at all first, then what is overdue, most overdue first.
    overdue = [row for row in rows if row.is_gap] + [
        row for row in rows if row.status is Status.OVERDUE and not row.is_gap
    ]
    # The operators' duties overdue, kept apart from the council's own and never counted with them.
    partners = [
        duty
        for duty in partner_duties(session, today(), policy.due_soon_days)
        if duty.status is Status.OVERDUE
    ]
    return render_template(
        "home.html",
        layers=LAYERS,
        counts=counts,
        overdue=overdue,
        partners_overdue=partners,
        duty_labels=DUTY_LABELS,
    )
