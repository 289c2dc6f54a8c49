"""The plans pages: the register of plans, their document versions and their reviews."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from resilience.date_text import long_date
from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.dashboard import plan_duty_rows
from resilience.domain.duties.policy import stored_policy
from resilience.domain.marking import (
    document_views,
    exercise_view,
    marked_views,
    page_marking,
    plan_view,
    review_views,
)
from resilience.domain.plans.consultation import (
    CONSULTEES,
    consultation_gaps,
    consultations_by_version,
    missing_consultees,
)
from resilience.domain.plans.exercises import exercises_of_plan
from resilience.domain.plans.letters import (
    AGREED_PERIOD,
    PREPARE_BASIS,
    REPPIR_EXTENSION,
    plan_letters,
)
from resilience.domain.plans.records import (
    MAX_VERSION_BYTES,
    PLAN_STATUSES,
    all_plans,
    discard_version_file,
    hazard_names,
    next_version_label,
    plan_versions,
    readable_size,
    save_plan,
    store_version,
    version_path,
)
from resilience.domain.plans.reviews import delete_review, plan_reviews, record_review
from resilience.storage.models import Plan, PlanReview, PlanVersion
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.plans.blueprint import (
    Page,
    actor,
    bp,
    check_document_access,
    document_download,
    hazard_choices,
    labels,
    plan_or_404,
    reader,
    render_page,
    uploads,
)
from resilience.web.plans.forms import PlanForm, ReviewForm, VersionForm
from resilience.web.saving import commit, saving


def _plan_form(plan: Plan | None) -> PlanForm:
    form = PlanForm(obj=plan if request.method == "GET" else None)
    form.hazard_refs.choices = hazard_choices()
    if plan is not None:
        if request.method == "GET":
            form.hazard_refs.data = list(plan.hazard_refs or [])
            form.prepare_basis.data = plan.prepare_basis or ""  # "Yes" chosen for no decision
        del form.ref  # the identifier never changes: reminders and links use it
        statuses = dict(PLAN_STATUSES)
        if plan.status not in statuses:  # a status imported from a file is kept as it is
            form.status.choices = [*form.status.choices, SelectChoice(plan.status, plan.status)]
    elif request.method == "GET":
        # "Add the plan" from a hazard that has none: its regime and the hazard filled in.
        if request.args.get("regime") in {choice.value for choice in form.regime.choices}:
            form.regime.data = request.args["regime"]
        known = {choice.value for choice in form.hazard_refs.choices}
        form.hazard_refs.data = [ref for ref in request.args.getlist("hazard") if ref in known]
    return form


@bp.get("/plans/")
def plan_index() -> str:
    session = db_session()
    today = clock.today()
    policy = stored_policy(session)
    plans = all_plans(session)
    next_duty = {plan.ref: next(iter(plan_duty_rows(plan, today, policy)), None) for plan in plans}
    views = [plan_view(plan, reader()) for plan in plans]
    return render_template("plans/index.html", plans=views, next_duty=next_duty, **labels())


def _edit_plan(plan: Plan | None) -> Page:
    form = _plan_form(plan)
    if form.validate_on_submit():
        ref = plan.ref if plan is not None else form.ref.data.strip()
        with saving(form, "title") as attempt:
            saved = save_plan(attempt.session, form.values(ref), clock.today(), existing=plan)
        if attempt.saved:
            flash(f"Plan {saved.ref} {'added' if plan is None else 'saved'}.", "success")
            return redirect(url_for(".plan_detail", ref=saved.ref))
    status = 400 if request.method == "POST" else 200
    marking = plan.marking if plan is not None else ""
    return render_page(
        "plans/form.html", status, form=form, plan=plan, security_marking=marking, **labels()
    )


@bp.route("/plans/new", methods=["GET", "POST"])
def plan_new() -> Page:
    return _edit_plan(None)


@bp.route("/plans/<ref>/edit", methods=["GET", "POST"])
def plan_edit(ref: str) -> Page:
    return _edit_plan(plan_or_404(ref))


@bp.get("/plans/<ref>")
def plan_detail(ref: str) -> str:
    plan = plan_or_404(ref)
    session = db_session()
    today = clock.today()
    who = reader()
    view = plan_view(plan, who)
    letters = document_views(plan_letters(session, plan), plan, who)  # every kind, latest first
    return render_template(
        "plans/detail.html",
        plan=view,
        duties=plan_duty_rows(plan, today, stored_policy(session)),
        versions=document_views(plan_versions(session, plan), plan, who),
        letters=[x for x in letters if x.purpose == AGREED_PERIOD],
        basis_letters=[x for x in letters if x.purpose == PREPARE_BASIS],
        extension_letters=[x for x in letters if x.purpose == REPPIR_EXTENSION],
        consultations={
            version_id: document_views(found, plan, who)
            for version_id, found in consultations_by_version(session, plan).items()
        },
        consultees=CONSULTEES,
        missing_consultees=missing_consultees,
        consultation_gap=next(iter(marked_views(consultation_gaps(session, [plan]), who)), None),
        reviews=review_views(plan_reviews(session, plan), plan, who),
        exercises=[exercise_view(e, who) for e in exercises_of_plan(session, plan)],
        hazards=hazard_names(session),
        coverage_warning=next(
            (w for w in coverage(session).plan_warnings if w.plan_ref == plan.ref), None
        ),
        security_marking=page_marking(view),
        today=today,
        **labels(),
    )


@bp.route("/plans/<ref>/versions", methods=["GET", "POST"])
def version_index(ref: str) -> Page:
    plan = plan_or_404(ref)
    session = db_session()
    form = VersionForm()
    max_bytes = current_app.config.get("PLAN_VERSION_MAX_BYTES", MAX_VERSION_BYTES)
    form.file.description = (
        f"Any type of file up to {readable_size(max_bytes)}. "
        "Earlier versions are kept and can still be downloaded."
    )
    if request.method == "GET":
        form.label.data = next_version_label(session, plan)
    if form.validate_on_submit():
        upload = form.file.data
        with saving(form, "file") as attempt:
            version = store_version(
                attempt.session,
                plan,
                upload.stream,
                original_name=upload.filename or "",
                content_type=upload.mimetype or "",
                label=form.label.data,
                change_summary=form.change_summary.data,
                uploaded_by=actor(),
                uploads=uploads(),
                max_bytes=max_bytes,
            )
            attempt.undo_if_not_stored(lambda: discard_version_file(uploads(), version))
        if attempt.saved:
            flash(f"Version {version.label} of {plan.ref} uploaded.", "success")
            return redirect(url_for(".plan_detail", ref=plan.ref) + "#versions")
    return render_page(
        "plans/versions.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        form=form,
        versions=plan_versions(session, plan),
        security_marking=plan.marking,
    )


@bp.get("/plans/<ref>/versions/<int:version_id>")
def version_download(ref: str, version_id: int) -> Response:
    plan = plan_or_404(ref)
    check_document_access(plan)
    version = db_session().get(PlanVersion, version_id)
    if version is None or version.plan_id != plan.id:
        abort(404, f"Plan {plan.ref} has no version number {version_id}.")
    path = version_path(uploads(), version)
    what = f"version {version.label}"
    return document_download(path, version.content_type, version.original_name, what)


@bp.route("/plans/<ref>/reviews/new", methods=["GET", "POST"])
def review_new(ref: str) -> Page:
    plan = plan_or_404(ref)
    form = ReviewForm()
    if form.validate_on_submit():
        with saving(form, "reviewed_on") as attempt:
            review = record_review(
                attempt.session,
                plan,
                reviewed_on=form.reviewed_on.data,
                reviewer=form.reviewer.data,
                outcome=form.outcome.data,
                changes_made=form.changes_made.data or "",
                today=clock.today(),
            )
        if attempt.saved:
            flash(f"Review of {long_date(review.reviewed_on)} recorded.", "success")
            return redirect(url_for(".plan_detail", ref=plan.ref))
    return render_page(
        "plans/review_form.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        form=form,
        security_marking=plan.marking,
    )


@bp.route("/plans/<ref>/reviews/<int:review_id>/delete", methods=["GET", "POST"])
def review_delete(ref: str, review_id: int) -> Page:
    plan = plan_or_404(ref)
    session = db_session()
    review = session.get(PlanReview, review_id)
    if review is None or review.plan_id != plan.id:
        abort(404, f"Plan {plan.ref} has no review number {review_id}.")
    if request.method == "GET":
        return render_template(
            "plans/review_delete.html", plan=plan, review=review, security_marking=plan.marking
        )
    reviewed_on = review.reviewed_on
    delete_review(session, review)
    commit()
    flash(f"Review of {long_date(reviewed_on)} deleted.", "success")
    return redirect(url_for(".plan_detail", ref=plan.ref) + "#reviews")
