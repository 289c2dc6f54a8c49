"""Consultations on a plan version: whom the council consulted in preparing it, when, and what
they answered (COMAH 2015 reg. 13(7))."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from resilience.date_text import long_date
from resilience.domain.plans.consultation import (
    BASIS,
    CONSULTEES,
    consultation_deadline,
    delete_consultation,
    missing_consultees,
    store_consultation,
    version_consultations,
)
from resilience.domain.plans.records import plan_versions
from resilience.storage.models import Plan, PlanConsultation, PlanVersion
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.plans.blueprint import Page, actor, bp, plan_or_404, render_page
from resilience.web.plans.forms import ConsultationForm
from resilience.web.saving import commit, saving


def _version_or_404(plan: Plan, version_id: int) -> PlanVersion:
    version = db_session().get(PlanVersion, version_id)
    if version is None or version.plan_id != plan.id:
        abort(404, f"Plan {plan.ref} has no version number {version_id}.")
    return version


@bp.route("/plans/<ref>/consultations/<int:version_id>", methods=["GET", "POST"])
def consultation_new(ref: str, version_id: int) -> Page:
    plan = plan_or_404(ref)
    version = _version_or_404(plan, version_id)
    form = ConsultationForm()
    if form.validate_on_submit():
        with saving(form, "consultee") as attempt:
            consultation = store_consultation(
                attempt.session,
                plan,
                version,
                consultee=form.consultee.data,
                organisation=form.organisation.data,
                consulted_on=form.consulted_on.data,
                responded_on=form.responded_on.data,
                response=form.response.data or "",
                recorded_by=actor(),
                today=clock.today(),
            )
        if attempt.saved:
            flash(
                f"Consultation of {consultation.organisation} on "
                f"{long_date(consultation.consulted_on)} recorded for version {version.label}.",
                "success",
            )
            return redirect(url_for(".plan_detail", ref=plan.ref) + "#consultations")
    session = db_session()
    recorded = version_consultations(session, version)
    return render_page(
        "plans/consultation_form.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        version=version,
        form=form,
        consultations=recorded,
        missing=missing_consultees(c.consultee for c in recorded),
        deadline=consultation_deadline(plan, plan_versions(session, plan), version),
        consultees=CONSULTEES,
        basis=BASIS,
        security_marking=plan.marking,
    )


@bp.route(
    "/plans/<ref>/consultations/<int:version_id>/<int:consultation_id>/delete",
    methods=["GET", "POST"],
)
def consultation_delete(ref: str, version_id: int, consultation_id: int) -> Page:
    plan = plan_or_404(ref)
    version = _version_or_404(plan, version_id)
    session = db_session()
    consultation = session.get(PlanConsultation, consultation_id)
    if consultation is None or consultation.plan_version_id != version.id:
        abort(404, f"Version {version.label} of {plan.ref} has no consultation {consultation_id}.")
    if request.method == "GET":
        return render_template(
            "plans/consultation_delete.html",
            plan=plan,
            version=version,
            consultation=consultation,
            consultees=CONSULTEES,
            security_marking=plan.marking,
        )
    what = f"{consultation.organisation} on {long_date(consultation.consulted_on)}"
    delete_consultation(session, consultation)
    commit()
    flash(f"Consultation of {what} deleted from version {version.label}.", "success")
    return redirect(url_for(".plan_detail", ref=plan.ref) + "#consultations")
