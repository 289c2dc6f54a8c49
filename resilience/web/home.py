"""The start page: what the register holds, at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from resilience.domain.layers import LAYERS
from resilience.web.db import db_session

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    session = db_session()
    counts = {
        name: session.scalar(select(func.count()).select_from(layer.model)) or 0
        for name, layer in LAYERS.items()
    }
    return render_template("home.html", layers=LAYERS, counts=counts)
