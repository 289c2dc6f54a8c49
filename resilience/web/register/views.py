"""List, view, add, change and delete the records of each register layer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from resilience.csv_export import spreadsheet_csv
from resilience.domain.duties.coverage import (
    PLAN_WORDS,
    TIER_UNCONFIRMED,
    covering_plans,
    needs_plan,
    plan_due_after,
    reppir_plan_due_after,
)
from resilience.domain.duties.partners import public_information_duty
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import DutyKind, Regime
from resilience.domain.marking import plan_view
from resilience.domain.register.edits import delete_record, find_record, save_record
from resilience.domain.register.layers import LAYERS, Layer
from resilience.domain.register.listings import (
    exposure_rows,
    exposure_table,
    register_page,
    ward_exposure_rows,
)
from resilience.spatial.exposure import EXPOSURE_COLUMNS
from resilience.spatial.exposure_table import exposure_cells
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.paging import page_number, search_text
from resilience.web.plans.blueprint import labels, reader
from resilience.web.register.forms import form_class_for
from resilience.web.saving import commit, saving

bp = Blueprint("layers", __name__)


def _layer(name: str) -> Layer:
    layer = LAYERS.get(name)
    if layer is None:
        abort(404)
    return layer


def _record(layer: Layer, ref: str) -> Any:
    record = find_record(db_session(), layer, ref)
    if record is None:
        abort(404, f"There is no {layer.singular} with the identifier {ref!r}.")
    return record


LAYER = "<any(establishments, pipelines, 'radiation-premises', wards, receptors):layer>"
HAZARD_LAYER_NAMES = ("establishments", "pipelines", "radiation-premises")


@bp.get(f"/{LAYER}/")
def index(layer: str) -> str:
    spec = _layer(layer)
    search = search_text()
    page = register_page(db_session(), spec, search, page_number())
    filters = {"q": search} if search else {}
    here = url_for("layers.index", layer=spec.name)
    return render_template(
        "layers/index.html",
        layer=spec,
        page=page,
        records=page.items,
        search=search,
        page_url=lambda n: f"{here}?{urlencode({**filters, 'page': n})}",
    )


@bp.get(f"/{LAYER}/<path:ref>")
def detail(layer: str, ref: str) -> str:
    spec = _layer(layer)
    record = _record(spec, ref)
    session = db_session()
    context: dict[str, Any] = {}
    if spec.name in HAZARD_LAYER_NAMES:
        context["exposure"] = exposure_rows(session, record)
        context["plans"] = [plan_view(plan, reader()) for plan in covering_plans(session, record)]
        context.update(labels())
        context["needs_plan"] = needs_plan(record)
    if spec.name == "establishments":
        policy = stored_policy(session)
        today = clock.today()
        context["partner_duty"] = public_information_duty(record, today, policy.due_soon_days)
        if record.information_received_on is not None:
            months = policy.months_for(Regime.COMAH_EXTERNAL, DutyKind.PREPARE)
            context["prepare_by"] = plan_due_after(record.information_received_on, months)
    if spec.name == "radiation-premises" and record.information_received_on is not None:
        context["prepare_by"] = reppir_plan_due_after(record.information_received_on)
    if spec.name == "wards":
        context["ward_exposure"] = ward_exposure_rows(session, record)
    return render_template(
        "layers/detail.html",
        layer=spec,
        record=record,
        plan_words=PLAN_WORDS,
        tier_unconfirmed=TIER_UNCONFIRMED,
        **context,
    )


@bp.get(f"/{LAYER}/<path:ref>/exposure.csv")
def exposure_csv_download(layer: str, ref: str) -> Response:
    spec = _layer(layer)
    if spec.name not in HAZARD_LAYER_NAMES:
        abort(404)
    record = _record(spec, ref)
    # The contract's columns and rounding, written spreadsheet-safe (a ward name may be a formula).
    data = spreadsheet_csv(EXPOSURE_COLUMNS, exposure_cells(exposure_table(db_session(), record)))
    return download(data, "text/csv", file_name("exposure", ref, ext="csv"))


def _edit(spec: Layer, record: Any | None) -> str | Response | tuple[str, int]:
    form = form_class_for(spec)()
    if record is not None and request.method == "GET":
        form.fill_from(record)
    if form.validate_on_submit():
        # A geometry problem is shown beside what was typed: the text, else the point.
        typed = (form.geometry_text.data or "").strip()
        geometry = "geometry_text" if typed or not hasattr(form, "latitude") else "latitude"
        with saving(form, "ref", fields={"geometry": geometry}) as attempt:
            saved = save_record(
                attempt.session, spec, form.values(), existing=record, today=clock.today()
            )
        if attempt.saved:
            verb = "added" if record is None else "saved"
            flash(f"{spec.singular.capitalize()} {saved.name!r} {verb}.", "success")
            return redirect(url_for(".detail", layer=spec.name, ref=getattr(saved, spec.id_attr)))
    status = 400 if request.method == "POST" else 200
    return render_template("layers/form.html", layer=spec, form=form, record=record), status


@bp.route(f"/{LAYER}/new", methods=["GET", "POST"])
def new(layer: str) -> str | Response | tuple[str, int]:
    return _edit(_layer(layer), None)


@bp.route(f"/{LAYER}/<path:ref>/edit", methods=["GET", "POST"])
def edit(layer: str, ref: str) -> str | Response | tuple[str, int]:
    spec = _layer(layer)
    return _edit(spec, _record(spec, ref))


@bp.route(f"/{LAYER}/<path:ref>/delete", methods=["GET", "POST"])
def delete(layer: str, ref: str) -> str | Response:
    spec = _layer(layer)
    record = _record(spec, ref)
    if request.method == "POST":
        session = db_session()
        delete_record(session, record)
        commit()
        flash(f"{spec.singular.capitalize()} {record.name!r} deleted.", "success")
        return redirect(url_for(".index", layer=spec.name))
    return render_template("layers/delete.html", layer=spec, record=record)
