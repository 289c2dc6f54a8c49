"""The "plans" blueprint, and what its view modules (views, exercises, duties)
share: record lookups, the labels templates show, and putting domain errors on forms.

Views are thin: parse the form, call the domain services, commit once, redirect. Every change
happens in a POST handler, so that access checks can be put on the method alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from resilience.domain.duties.dashboard import DUTY_LABELS
from resilience.domain.marking import Reader
from resilience.domain.plans.exercises import EXERCISE_TYPES
from resilience.domain.plans.records import (
    PLAN_STATUSES,
    PREPARE_BASIS_LABELS,
    REGIME_LABELS,
    find_plan,
    hazard_names,
    readable_size,
)
from resilience.domain.plans.reviews import REVIEW_OUTCOMES
from resilience.storage.models import Plan
from resilience.web.db import db_session

bp = Blueprint("plans", __name__)

Page = str | Response | tuple[str, int]


@bp.app_template_filter("file_size")
def file_size_filter(size: int) -> str:
    """Return a number of bytes as KB or MB."""
    return readable_size(size)


def actor() -> str:
    """Return who is signed in (their e-mail address), or an empty string."""
    if not hasattr(current_app, "login_manager"):
        return ""
    return str(current_user.email) if current_user.is_authenticated else ""


def reader() -> Reader:
    """Return who the page is for: cleared for OFFICIAL-SENSITIVE detail or not."""
    can = getattr(current_user, "can", None)
    return Reader.for_role(bool(can and can("view_sensitive")))


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Return a rendered template with its HTTP status."""
    return render_template(template, **context), status


def hazard_choices() -> list[SelectChoice]:
    """Return the register's establishments, pipelines and radiation premises as choices."""
    return [
        SelectChoice(ref, f"{hazard.name} ({ref})")
        for ref, hazard in hazard_names(db_session()).items()
    ]


def plan_or_404(ref: str) -> Plan:
    """Return the plan called ``ref``; abort with 404 when there is none."""
    plan = find_plan(db_session(), ref)
    if plan is None:
        abort(404, f"There is no plan with the identifier {ref!r}.")
    return plan


def labels() -> dict[str, Any]:
    """Return the labels templates show for stored codes."""
    return {
        "regime_labels": {r.value: label for r, label in REGIME_LABELS.items()},
        "duty_labels": {d.value: label for d, label in DUTY_LABELS.items()},
        "plan_status_labels": dict(PLAN_STATUSES),
        "exercise_type_labels": dict(EXERCISE_TYPES),
        "outcome_labels": dict(REVIEW_OUTCOMES),
        "basis_labels": PREPARE_BASIS_LABELS,
    }


def uploads() -> Path:
    """Return the document store: the instance folder's uploads/."""
    return Path(current_app.instance_path) / "uploads"


def check_document_access(plan: Plan) -> None:
    """Abort with 403 unless the reader may download the plan's documents (by its marking)."""
    if plan.marking == "OFFICIAL-SENSITIVE" and not current_user.can("view_sensitive"):
        abort(403, "This plan is OFFICIAL-SENSITIVE: your role may not download its documents.")


def document_download(path: Path, content_type: str, name: str, what: str) -> Response:
    """Return a plan's stored file as a download; ``what`` names it in the 404 when the file
    is missing."""
    if not path.is_file():
        abort(404, f"The file of {what} is missing from the document store.")
    response = send_file(
        path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    # An uploaded file is never a page of this site, whatever type its uploader claimed.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
