"""Training sessions: list, plan, invite, record attendance; who is due; the training policy."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from resilience.clock import local_time
from resilience.domain.accounts.users import ROLES
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.reminder_dates import occasions_in_words
from resilience.domain.training.refresher import (
    AUDIENCES,
    COHORTS,
    OUTCOMES,
    TOPICS,
    load_training_policy,
    municipal_year,
    save_training_policy,
    summary_by_role,
    who_is_due,
)
from resilience.domain.training.sessions import (
    eligible_users,
    invite,
    record_attendance,
    save_session,
    withdraw_invitation,
)
from resilience.storage.models import Hazard, TrainingSession
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.saving import commit, saving
from resilience.web.training.forms import (
    InviteForm,
    PolicyForm,
    SessionForm,
    attendance_form,
    person_label,
)

bp = Blueprint("training", __name__, url_prefix="/training")

Page = str | Response | tuple[str, int]


@bp.app_template_global()
def training_labels() -> dict[str, dict[str, str]]:
    """Return the labels of audiences, topics, outcomes and cohorts for templates."""
    return {"audiences": AUDIENCES, "topics": TOPICS, "outcomes": OUTCOMES, "cohorts": COHORTS}


def _record(session_id: int) -> TrainingSession:
    record = db_session().get(TrainingSession, session_id)
    if record is None:
        abort(404, f"There is no training session number {session_id}.")
    return record


def _hazards() -> list[tuple[str, str]]:
    rows = db_session().execute(select(Hazard.ref, Hazard.name).order_by(Hazard.name))
    return [(ref, name) for ref, name in rows]


@bp.get("/")
def index() -> str:
    now = clock.now()
    sessions = (
        db_session()
        .scalars(
            select(TrainingSession).order_by(TrainingSession.starts_at.desc(), TrainingSession.id)
        )
        .all()
    )
    upcoming = [s for s in sessions if local_time(s.ends_at) >= now][::-1]
    past = [s for s in sessions if local_time(s.ends_at) < now]
    return render_template("training/index.html", upcoming=upcoming, past=past)


def _edit(record: TrainingSession | None) -> Page:
    form = SessionForm()
    hazards = _hazards()
    form.set_hazards(hazards)
    if record is not None and request.method == "GET":
        form.fill_from(record)
    if form.validate_on_submit():
        with saving(form, "title") as attempt:
            refs = [ref for ref, _ in hazards]
            saved = save_session(attempt.session, form.values(), refs, record)
        if attempt.saved:
            flash(f"Training session {saved.title!r} saved.", "success")
            return redirect(url_for(".detail", session_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("training/form.html", form=form, record=record), status


@bp.route("/new", methods=["GET", "POST"])
def new() -> Page:
    return _edit(None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
def edit(session_id: int) -> Page:
    return _edit(_record(session_id))


@bp.get("/<int:session_id>")
def detail(session_id: int) -> str:
    record = _record(session_id)
    outcomes = {a.user_id: a.outcome for a in record.attendance}
    invited_ids = {i.user_id for i in record.invitations}
    hazards = dict(_hazards())
    return render_template(
        "training/detail.html",
        record=record,
        outcomes=outcomes,
        invitations=sorted(record.invitations, key=lambda i: person_label(i.user).lower()),
        walk_ins=[a for a in record.attendance if a.user_id not in invited_ids],
        my_invitation=current_user.id in invited_ids,
        my_outcome=outcomes.get(current_user.id),
        hazard_names=hazards,
        has_begun=clock.now() >= local_time(record.starts_at),
        person_label=person_label,
    )


@bp.route("/<int:session_id>/invite", methods=["GET", "POST"])
def invite_people(session_id: int) -> Page:
    record = _record(session_id)
    session = db_session()
    invited = {i.user_id for i in record.invitations}
    candidates = [u for u in eligible_users(session, "both") if u.id not in invited]
    form = InviteForm()
    form.set_people(candidates)
    if request.method == "GET":
        suggested = {u.id for u in eligible_users(session, record.audience)}
        form.people.data = [u.id for u in candidates if u.id in suggested]
    if form.validate_on_submit():
        with saving(form, "people") as attempt:
            made = invite(attempt.session, record, form.people.data or [], current_user.email)
        if attempt.saved:
            flash(f"{len(made)} people invited.", "success")
            return redirect(url_for(".detail", session_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "training/invite.html", form=form, record=record, invited=len(invited)
    ), status


@bp.post("/<int:session_id>/invitations/<int:user_id>/withdraw")
def withdraw(session_id: int, user_id: int) -> Response:
    record = _record(session_id)
    session = db_session()
    withdraw_invitation(session, record, user_id)
    commit()
    flash("Invitation withdrawn.", "success")
    return redirect(url_for(".detail", session_id=record.id))


@bp.route("/<int:session_id>/attendance", methods=["GET", "POST"])
def attendance(session_id: int) -> Page:
    record = _record(session_id)
    session = db_session()
    recorded = {a.user_id: a.outcome for a in record.attendance}
    people = sorted(
        {i.user for i in record.invitations} | {a.user for a in record.attendance},
        key=lambda u: person_label(u).lower(),
    )
    listed = {u.id for u in people}
    others = [u for u in eligible_users(session, "both") if u.id not in listed]
    form = attendance_form(people, recorded, others)
    if form.validate_on_submit():
        with saving(form, "extra") as attempt:
            outcomes = form.outcomes()
            record_attendance(attempt.session, record, outcomes, current_user.email, clock.now())
        if attempt.saved:
            flash("Attendance saved.", "success")
            return redirect(url_for(".detail", session_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "training/attendance.html",
        form=form,
        record=record,
        has_begun=clock.now() >= local_time(record.starts_at),
    ), status


@bp.get("/due")
def due() -> str:
    session = db_session()
    today = clock.today()
    policy = load_training_policy(session)
    dues = who_is_due(session, today, policy)
    role = request.args.get("role", "")
    shown = [d for d in dues if d.role == role] if role else dues
    return render_template(
        "training/due.html",
        dues=shown,
        summary=summary_by_role(dues),
        policy=policy,
        year=municipal_year(today, policy),
        role=role,
        roles=ROLES,
        today=today,
        # The occasions of plan duties' reminders, which the reminder pass uses for training too.
        reminder_occasions=occasions_in_words(stored_policy(session)),
    )


@bp.route("/policy", methods=["GET", "POST"])
def policy() -> Page:
    session = db_session()
    form = PolicyForm()
    if request.method == "GET":
        form.fill_from(load_training_policy(session))
    if form.validate_on_submit():
        with saving(form, "start_day", fields={"year_start": "start_day"}) as attempt:
            save_training_policy(attempt.session, form.policy(), current_user.email)
        if attempt.saved:
            flash("Training policy saved.", "success")
            return redirect(url_for(".due"))
    status = 400 if request.method == "POST" else 200
    return render_template("training/policy.html", form=form), status
