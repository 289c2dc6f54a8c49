"""The start page: what the register holds, at a glance."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from resilience.domain.register.layers import LAYERS
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
    return render_template("home.html", layers=LAYERS, counts=counts)
