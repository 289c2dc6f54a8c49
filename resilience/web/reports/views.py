"""Reports: the annual report (HTML, PDF, Word) for a chosen period, and briefing packs (PDF)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select
from wtforms.validators import InputRequired

from resilience.errors import InputError
from resilience.reports.annual.content import ReportPeriod, default_period
from resilience.reports.packs import annual_report_file_document
from resilience.reports.render.tasks import annual_report_file, session_pack_file, site_pack_file
from resilience.storage.models import Hazard, TrainingSession
from resilience.web import clock
from resilience.web.date_input import DateInputField
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.forms import Form
from resilience.web.maps.cache import shared_map_cache
from resilience.web.plans.blueprint import reader
from resilience.web.render_limits import RenderUnavailable, run_render, unavailable_page
from resilience.web.saving import show_error

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.register_error_handler(RenderUnavailable, unavailable_page)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class PeriodForm(Form):
    """The period of the annual report, read from the query string."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateInputField(
        "First day", validators=[InputRequired("Enter the first day")], what="The first day"
    )
    end = DateInputField(
        "Last day", validators=[InputRequired("Enter the last day")], what="The last day"
    )


def _period_form() -> tuple[PeriodForm, ReportPeriod | None]:
    """Return the form and the period it names (the default period when none is given)."""
    form = PeriodForm(request.args)
    if not form.start.submitted and not form.end.submitted:
        period = default_period(clock.today())
        form.start.data, form.end.data = period.start, period.end
        form.start.errors, form.end.errors = [], []
        return form, period
    if not form.validate():
        return form, None
    assert form.start.data is not None and form.end.data is not None
    try:
        return form, ReportPeriod(form.start.data, form.end.data)
    except InputError as error:
        show_error(form, error, "end")
        return form, None


def _report_name(period: ReportPeriod, ext: str) -> str:
    return file_name("emergency-planning-annual-report", period.start, "to", period.end, ext=ext)


@bp.get("/")
def index() -> tuple[str, int]:
    form, period = _period_form()
    hazards = db_session().scalars(select(Hazard).order_by(Hazard.kind, Hazard.name)).all()
    return render_template("reports/index.html", form=form, period=period, hazards=hazards), (
        200 if period else 400
    )


@bp.get("/annual")
def annual() -> tuple[str, int]:
    form, period = _period_form()
    if period is None:
        hazards = db_session().scalars(select(Hazard).order_by(Hazard.kind, Hazard.name)).all()
        return render_template("reports/index.html", form=form, period=None, hazards=hazards), 400
    document = annual_report_file_document(db_session(), period, clock.now(), reader())
    return render_template("reports/annual.html", document=document, period=period), 200


@bp.get("/annual.pdf")
def annual_pdf() -> Response:
    _form, period = _period_form()
    if period is None:
        abort(400, "Choose a period: a first and a last day, the last on or after the first.")
    content = run_render(
        annual_report_file, _database_url(), period, clock.now(), "pdf", reader(), _maps()
    )
    return download(content, "application/pdf", _report_name(period, "pdf"))


@bp.get("/annual.docx")
def annual_docx() -> Response:
    _form, period = _period_form()
    if period is None:
        abort(400, "Choose a period: a first and a last day, the last on or after the first.")
    content = run_render(
        annual_report_file, _database_url(), period, clock.now(), "docx", reader(), _maps()
    )
    return download(content, DOCX_TYPE, _report_name(period, "docx"))


@bp.get("/sites/<path:ref>/briefing-pack.pdf")
def site_pack(ref: str) -> Response:
    session = db_session()
    # Only the id here: the render process loads the hazard and its zones (perhaps many).
    hazard_id = session.scalars(select(Hazard.id).where(Hazard.ref == ref)).one_or_none()
    if hazard_id is None:
        abort(404, f"There is no site or pipeline with the identifier {ref!r}.")
    today = clock.today()
    content = run_render(site_pack_file, _database_url(), hazard_id, today, _maps())
    return download(content, "application/pdf", file_name("briefing", ref, today, ext="pdf"))


@bp.get("/training/<int:session_id>/briefing-pack.pdf")
def session_pack(session_id: int) -> Response:
    session = db_session()
    record = session.get(TrainingSession, session_id)
    if record is None:
        abort(404, f"There is no training session number {session_id}.")
    today = clock.today()
    content = run_render(session_pack_file, _database_url(), record.id, today, _maps())
    name = file_name("briefing-pack-session", str(record.id), today, ext="pdf")
    return download(content, "application/pdf", name)


def _maps() -> Path:
    """Return the shared map cache's folder, where documents' map images are kept."""
    return shared_map_cache(current_app).folder


def _database_url() -> str:
    # The render runs in a child process with its own connection (see render_limits).
    return str(current_app.config["DATABASE_URL"])
