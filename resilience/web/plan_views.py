"""Plans, their versions and reviews, exercises and lessons, the duties dashboard and calendar,
and the local-policy settings.

Views are thin: parse the form, call resilience.domain.plans, commit once, redirect. Every change
happens in a POST handler, so that access checks can be put on the method alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from resilience.domain import plans as service
from resilience.domain.duties import RULES, Regime, Status
from resilience.errors import InputError
from resilience.storage.models import Plan
from resilience.storage.plan_models import Exercise, Lesson, PlanReview, PlanVersion
from resilience.web.db import db_session

bp = Blueprint("plans", __name__)

Page = str | Response | tuple[str, int]

PLAN_REF = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
    message="Use letters, digits and . _ : - only, starting with a letter or digit",
)
BAD_DATE = "Enter a real date in the form YYYY-MM-DD, for example 2027-03-31"
BAD_NUMBER = "Enter a whole number"


@bp.app_template_filter("long_date")
def long_date_filter(day: date | None) -> str:
    """Return a date as GOV.UK writes it, or an empty string."""
    return "" if day is None else service.long_date(day)


@bp.app_template_filter("file_size")
def file_size_filter(size: int) -> str:
    """Return a number of bytes as KB or MB."""
    return service.readable_size(size)


def _date_field(label: str, required: str | None = None, **kwargs: Any) -> DateField:
    validators = [InputRequired(required)] if required else [Optional()]
    return DateField(label, validators=validators, invalid_value_message=BAD_DATE, **kwargs)


def _choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _today() -> date:
    return date.today()


def _actor() -> str:
    """Return who is signed in (their e-mail address), or an empty string."""
    if not hasattr(current_app, "login_manager"):
        return ""
    return str(current_user.email) if current_user.is_authenticated else ""


def _attach(form: FlaskForm, error: InputError, default: str) -> None:
    """Put a domain error beside the field it names (else beside ``default``)."""
    field: Field = getattr(form, error.field or "", None) or getattr(form, default)
    field.errors = [*field.errors, error.problem]


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def _hazard_choices() -> list[SelectChoice]:
    return [
        SelectChoice(ref, f"{hazard.name} ({ref})")
        for ref, hazard in service.hazard_names(db_session()).items()
    ]


def _plan(ref: str) -> Plan:
    plan = service.find_plan(db_session(), ref)
    if plan is None:
        abort(404, f"There is no plan with the identifier {ref!r}.")
    return plan


def _exercise(exercise_id: int) -> Exercise:
    exercise = db_session().get(Exercise, exercise_id)
    if exercise is None:
        abort(404, f"There is no exercise number {exercise_id}.")
    return exercise


def _marking_of(plans: list[Plan]) -> str:
    """Return the banner marking for pages about these plans: OFFICIAL-SENSITIVE if any is."""
    return "OFFICIAL-SENSITIVE" if any(p.marking == "OFFICIAL-SENSITIVE" for p in plans) else ""


# --- Plans -----------------------------------------------------------------------------------


class PlanForm(FlaskForm):
    ref = StringField(
        "Identifier",
        validators=[InputRequired("Enter an identifier"), Length(max=80), PLAN_REF],
        description="A short, stable reference such as PLAN-RUNCORN-SITE; it cannot change later",
    )
    title = StringField(
        "Title", validators=[InputRequired("Enter the plan's title"), Length(max=300)]
    )
    regime = SelectField(
        "Regime",
        choices=_choices((r.value, label) for r, label in service.REGIME_LABELS.items()),
        invalid_choice_message="Choose the regime the plan is prepared under",
    )
    owner = StringField(
        "Owner",
        validators=[InputRequired("Enter who owns the plan"), Length(max=200)],
        description="The team or person who keeps the plan up to date",
    )
    marking = RadioField(
        "Security marking",
        choices=_choices((m, m) for m in service.MARKINGS),
        validators=[InputRequired("Choose the security marking")],
        invalid_choice_message="Choose the security marking",
    )
    status = SelectField(
        "Status",
        choices=_choices(service.PLAN_STATUSES),
        invalid_choice_message="Choose the plan's status",
    )
    notified_on = _date_field(
        "Operator's information received on",
        description="COMAH external plans: the plan is due 6 months after this (reg. 13)",
    )
    extension_agreed = BooleanField(
        "The competent authority agreed in writing to extend the time to 9 months"
    )
    adopted_on = _date_field("Adopted on", description="Empty while the plan is being prepared")
    hazard_refs = SelectMultipleField(
        "Establishments and pipelines it covers",
        invalid_choice_message="%(value)s is not a site or pipeline in the register",
    )
    note = TextAreaField("Note", validators=[Length(max=5000)])

    def values(self, ref: str) -> service.PlanValues:
        """Return the parsed plan called ``ref`` (valid after validate())."""
        return service.PlanValues(
            ref=ref,
            title=self.title.data.strip(),
            regime=Regime(self.regime.data),
            owner=self.owner.data.strip(),
            marking=self.marking.data,
            status=self.status.data,
            notified_on=self.notified_on.data,
            extension_agreed=bool(self.extension_agreed.data),
            adopted_on=self.adopted_on.data,
            hazard_refs=tuple(self.hazard_refs.data or ()),
            note=(self.note.data or "").strip(),
        )


def _plan_form(plan: Plan | None) -> PlanForm:
    form = PlanForm(obj=plan if request.method == "GET" else None)
    form.hazard_refs.choices = _hazard_choices()
    if plan is not None:
        if request.method == "GET":
            form.hazard_refs.data = list(plan.hazard_refs or [])
        del form.ref  # the identifier never changes: reminders and links use it
        statuses = dict(service.PLAN_STATUSES)
        if plan.status not in statuses:  # a status imported from a file is kept as it is
            form.status.choices = [*form.status.choices, SelectChoice(plan.status, plan.status)]
    return form


@bp.get("/plans/")
def plan_index() -> str:
    session = db_session()
    today = _today()
    policy = service.stored_policy(session)
    plans = service.all_plans(session)
    next_duty = {
        plan.ref: next(iter(service.plan_duty_rows(plan, today, policy)), None) for plan in plans
    }
    return render_template("plans/index.html", plans=plans, next_duty=next_duty, **_labels())


def _edit_plan(plan: Plan | None) -> Page:
    form = _plan_form(plan)
    if form.validate_on_submit():
        session = db_session()
        try:
            ref = plan.ref if plan is not None else form.ref.data.strip()
            saved = service.save_plan(session, form.values(ref), _today(), existing=plan)
        except InputError as error:
            session.rollback()
            _attach(form, error, "title")
        else:
            session.commit()
            flash(f"Plan {saved.ref} {'added' if plan is None else 'saved'}.", "success")
            return redirect(url_for(".plan_detail", ref=saved.ref))
    status = 400 if request.method == "POST" else 200
    marking = plan.marking if plan is not None else ""
    return _render(
        "plans/form.html", status, form=form, plan=plan, security_marking=marking, **_labels()
    )


@bp.route("/plans/new", methods=["GET", "POST"])
def plan_new() -> Page:
    return _edit_plan(None)


@bp.route("/plans/<ref>/edit", methods=["GET", "POST"])
def plan_edit(ref: str) -> Page:
    return _edit_plan(_plan(ref))


@bp.get("/plans/<ref>")
def plan_detail(ref: str) -> str:
    plan = _plan(ref)
    session = db_session()
    today = _today()
    return render_template(
        "plans/detail.html",
        plan=plan,
        duties=service.plan_duty_rows(plan, today, service.stored_policy(session)),
        versions=service.plan_versions(session, plan),
        reviews=service.plan_reviews(session, plan),
        exercises=service.exercises_of_plan(session, plan),
        hazards=service.hazard_names(session),
        security_marking=plan.marking,
        today=today,
        **_labels(),
    )


# --- Versions --------------------------------------------------------------------------------


class VersionForm(FlaskForm):
    label = StringField(
        "Version",
        validators=[InputRequired("Enter a label for this version"), Length(max=40)],
        description="For example 2.1; each version of a plan has its own label",
    )
    change_summary = TextAreaField(
        "What changed",
        validators=[InputRequired("Say what changed in this version"), Length(max=5000)],
    )
    file = FileField(
        "Plan document",
        validators=[FileRequired("Choose the document to upload")],
    )


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


@bp.route("/plans/<ref>/versions", methods=["GET", "POST"])
def version_index(ref: str) -> Page:
    plan = _plan(ref)
    session = db_session()
    form = VersionForm()
    max_bytes = current_app.config.get("PLAN_VERSION_MAX_BYTES", service.MAX_VERSION_BYTES)
    form.file.description = (
        f"Any type of file up to {service.readable_size(max_bytes)}. "
        "Earlier versions are kept and can still be downloaded."
    )
    if request.method == "GET":
        form.label.data = service.next_version_label(session, plan)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            version = service.store_version(
                session,
                plan,
                upload.stream,
                original_name=upload.filename or "",
                content_type=upload.mimetype or "",
                label=form.label.data,
                change_summary=form.change_summary.data,
                uploaded_by=_actor(),
                uploads=_uploads(),
                max_bytes=max_bytes,
            )
        except InputError as error:
            session.rollback()
            _attach(form, error, "file")
        else:
            try:
                session.commit()
            except BaseException:
                service.discard_version_file(_uploads(), version)
                raise
            flash(f"Version {version.label} of {plan.ref} uploaded.", "success")
            return redirect(url_for(".plan_detail", ref=plan.ref) + "#versions")
    return _render(
        "plans/versions.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        form=form,
        versions=service.plan_versions(session, plan),
        security_marking=plan.marking,
    )


@bp.get("/plans/<ref>/versions/<int:version_id>")
def version_download(ref: str, version_id: int) -> Response:
    plan = _plan(ref)
    if plan.marking == "OFFICIAL-SENSITIVE" and not current_user.can("view_sensitive"):
        abort(403, "This plan is OFFICIAL-SENSITIVE: your role may not download its documents.")
    version = db_session().get(PlanVersion, version_id)
    if version is None or version.plan_id != plan.id:
        abort(404, f"Plan {plan.ref} has no version number {version_id}.")
    path = service.version_path(_uploads(), version)
    if not path.is_file():
        abort(404, f"The file of version {version.label} is missing from the document store.")
    response = send_file(
        path,
        mimetype=version.content_type,
        as_attachment=True,
        download_name=version.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    # An uploaded file is never a page of this site, whatever type its uploader claimed.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- Reviews ---------------------------------------------------------------------------------


class ReviewForm(FlaskForm):
    reviewed_on = _date_field("Date of the review", "Enter the date of the review")
    reviewer = StringField(
        "Reviewed by",
        validators=[InputRequired("Enter who reviewed the plan"), Length(max=200)],
    )
    outcome = RadioField(
        "Outcome",
        choices=_choices(service.REVIEW_OUTCOMES),
        validators=[InputRequired("Choose the outcome of the review")],
        invalid_choice_message="Choose the outcome of the review",
    )
    changes_made = TextAreaField("Changes made", validators=[Length(max=5000)])


@bp.route("/plans/<ref>/reviews/new", methods=["GET", "POST"])
def review_new(ref: str) -> Page:
    plan = _plan(ref)
    form = ReviewForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            review = service.record_review(
                session,
                plan,
                reviewed_on=form.reviewed_on.data,
                reviewer=form.reviewer.data,
                outcome=form.outcome.data,
                changes_made=form.changes_made.data or "",
                today=_today(),
            )
        except InputError as error:
            session.rollback()
            _attach(form, error, "reviewed_on")
        else:
            session.commit()
            flash(f"Review of {service.long_date(review.reviewed_on)} recorded.", "success")
            return redirect(url_for(".plan_detail", ref=plan.ref))
    return _render(
        "plans/review_form.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        form=form,
        security_marking=plan.marking,
    )


@bp.route("/plans/<ref>/reviews/<int:review_id>/delete", methods=["GET", "POST"])
def review_delete(ref: str, review_id: int) -> Page:
    plan = _plan(ref)
    session = db_session()
    review = session.get(PlanReview, review_id)
    if review is None or review.plan_id != plan.id:
        abort(404, f"Plan {plan.ref} has no review number {review_id}.")
    if request.method == "GET":
        return render_template(
            "plans/review_delete.html", plan=plan, review=review, security_marking=plan.marking
        )
    reviewed_on = review.reviewed_on
    service.delete_review(session, review)
    session.commit()
    flash(f"Review of {service.long_date(reviewed_on)} deleted.", "success")
    return redirect(url_for(".plan_detail", ref=plan.ref) + "#reviews")


# --- Exercises and lessons -------------------------------------------------------------------


class ExerciseForm(FlaskForm):
    title = StringField(
        "Name of the exercise",
        validators=[InputRequired("Enter the name of the exercise"), Length(max=300)],
    )
    exercise_type = RadioField(
        "Type of exercise",
        choices=_choices(service.EXERCISE_TYPES),
        validators=[InputRequired("Choose the type of exercise")],
        invalid_choice_message="Choose the type of exercise",
    )
    status = RadioField(
        "Has it been held?",
        choices=[SelectChoice("planned", "No, it is planned"), SelectChoice("held", "Yes")],
        validators=[InputRequired("Say whether the exercise is planned or has been held")],
        invalid_choice_message="Say whether the exercise is planned or has been held",
    )
    planned_on = _date_field("Planned for", description="The date it is (or was) planned for")
    held_on = _date_field("Held on", description="Only for an exercise that has been held")
    plan_refs = SelectMultipleField(
        "Plans tested",
        invalid_choice_message="Unknown plan: %(value)s",
        description="A held exercise of any type counts as the exercise of each plan it tested",
    )
    hazard_refs = SelectMultipleField(
        "Sites and pipelines tested",
        invalid_choice_message="%(value)s is not a site or pipeline in the register",
    )
    organisations = TextAreaField(
        "Participating organisations",
        validators=[Length(max=5000)],
        description="One per line, for example: Cheshire Fire and Rescue Service",
    )
    note = TextAreaField("Note", validators=[Length(max=5000)])

    def values(self) -> service.ExerciseValues:
        """Return the parsed exercise (valid after validate())."""
        return service.ExerciseValues(
            title=self.title.data.strip(),
            exercise_type=self.exercise_type.data,
            status=self.status.data,
            planned_on=self.planned_on.data,
            held_on=self.held_on.data,
            organisations=(self.organisations.data or "").strip(),
            plan_refs=tuple(self.plan_refs.data or ()),
            hazard_refs=tuple(self.hazard_refs.data or ()),
            note=(self.note.data or "").strip(),
        )


class LessonForm(FlaskForm):
    description = TextAreaField(
        "Lesson identified",
        validators=[InputRequired("Describe the lesson identified"), Length(max=5000)],
    )
    owner = StringField(
        "Owner of the action",
        validators=[InputRequired("Enter who owns the action"), Length(max=200)],
    )
    due_on = _date_field("Due by", "Enter the date the action is due by")


class CloseLessonForm(FlaskForm):
    closed_on = _date_field("Closed on", "Enter the date the lesson was closed")
    closure_note = StringField("How it was closed", validators=[Length(max=2000)])


@bp.get("/exercises/")
def exercise_index() -> str:
    planned, held = service.all_exercises(db_session())
    return render_template(
        "exercises/index.html", planned=planned, held=held, today=_today(), **_labels()
    )


def _edit_exercise(exercise: Exercise | None) -> Page:
    session = db_session()
    form = ExerciseForm(obj=exercise if request.method == "GET" else None)
    form.plan_refs.choices = [
        SelectChoice(plan.ref, f"{plan.title} ({plan.ref})") for plan in service.all_plans(session)
    ]
    form.hazard_refs.choices = _hazard_choices()
    if request.method == "GET":
        if exercise is not None:
            form.plan_refs.data = [plan.ref for plan in exercise.plans]
            form.hazard_refs.data = list(exercise.hazard_refs or [])
        elif request.args.get("plan"):
            form.plan_refs.data = [request.args["plan"]]
    if form.validate_on_submit():
        try:
            saved = service.save_exercise(session, form.values(), _today(), existing=exercise)
        except InputError as error:
            session.rollback()
            _attach(form, error, "title")
        else:
            session.commit()
            flash(
                f"Exercise {saved.title!r} {'added' if exercise is None else 'saved'}.", "success"
            )
            return redirect(url_for(".exercise_detail", exercise_id=saved.id))
    return _render(
        "exercises/form.html",
        400 if request.method == "POST" else 200,
        form=form,
        exercise=exercise,
        security_marking=_marking_of(exercise.plans) if exercise is not None else "",
    )


@bp.route("/exercises/new", methods=["GET", "POST"])
def exercise_new() -> Page:
    return _edit_exercise(None)


@bp.route("/exercises/<int:exercise_id>/edit", methods=["GET", "POST"])
def exercise_edit(exercise_id: int) -> Page:
    return _edit_exercise(_exercise(exercise_id))


def _exercise_page(
    exercise: Exercise,
    status: int = 200,
    lesson_form: LessonForm | None = None,
    close_forms: dict[int, CloseLessonForm] | None = None,
) -> tuple[str, int]:
    today = _today()
    forms = close_forms or {}
    for lesson in exercise.lessons:
        if lesson.id not in forms:
            form = CloseLessonForm(prefix=f"close-{lesson.id}", formdata=None)
            form.closed_on.data = today
            forms[lesson.id] = form
    return _render(
        "exercises/detail.html",
        status,
        exercise=exercise,
        lesson_form=lesson_form or LessonForm(formdata=None),
        close_forms=forms,
        hazards=service.hazard_names(db_session()),
        security_marking=_marking_of(exercise.plans),
        today=today,
        **_labels(),
    )


@bp.get("/exercises/<int:exercise_id>")
def exercise_detail(exercise_id: int) -> tuple[str, int]:
    return _exercise_page(_exercise(exercise_id))


@bp.route("/exercises/<int:exercise_id>/delete", methods=["GET", "POST"])
def exercise_delete(exercise_id: int) -> Page:
    exercise = _exercise(exercise_id)
    if request.method == "POST":
        session = db_session()
        title = exercise.title
        service.delete_exercise(session, exercise)
        session.commit()
        flash(f"Exercise {title!r} deleted.", "success")
        return redirect(url_for(".exercise_index"))
    return render_template(
        "exercises/delete.html", exercise=exercise, security_marking=_marking_of(exercise.plans)
    )


@bp.post("/exercises/<int:exercise_id>/lessons")
def lesson_add(exercise_id: int) -> Page:
    exercise = _exercise(exercise_id)
    form = LessonForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            service.add_lesson(
                session,
                exercise,
                description=form.description.data,
                owner=form.owner.data,
                due_on=form.due_on.data,
            )
        except InputError as error:
            session.rollback()
            _attach(form, error, "description")
        else:
            session.commit()
            flash("Lesson added.", "success")
            return redirect(url_for(".exercise_detail", exercise_id=exercise.id) + "#lessons")
    return _exercise_page(exercise, 400, lesson_form=form)


@bp.post("/exercises/<int:exercise_id>/lessons/<int:lesson_id>/close")
def lesson_close(exercise_id: int, lesson_id: int) -> Page:
    exercise = _exercise(exercise_id)
    session = db_session()
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or lesson.exercise_id != exercise.id:
        abort(404, f"Exercise {exercise.id} has no lesson number {lesson_id}.")
    form = CloseLessonForm(prefix=f"close-{lesson.id}")
    if form.validate_on_submit():
        try:
            service.close_lesson(
                session,
                lesson,
                closed_on=form.closed_on.data,
                note=form.closure_note.data or "",
                today=_today(),
            )
        except InputError as error:
            session.rollback()
            _attach(form, error, "closed_on")
        else:
            session.commit()
            flash("Lesson closed.", "success")
            return redirect(url_for(".exercise_detail", exercise_id=exercise.id) + "#lessons")
    return _exercise_page(exercise, 400, close_forms={lesson.id: form})


# --- Duties ----------------------------------------------------------------------------------


class DutyFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    regime = SelectField(
        "Regime",
        default="",
        choices=[SelectChoice("", "All regimes")]
        + _choices((r.value, label) for r, label in service.REGIME_LABELS.items()),
        invalid_choice_message="Choose a regime from the list",
    )
    owner = SelectField("Owner", default="", invalid_choice_message="Choose an owner from the list")
    as_of = _date_field("On", description="Leave empty for today")


def _duty_filters() -> tuple[DutyFilterForm, bool]:
    """Return the filter form read from the query string, and whether it is valid."""
    form = DutyFilterForm(request.args)
    owners = service.plan_owners(db_session())
    form.owner.choices = [SelectChoice("", "All owners")] + [SelectChoice(o, o) for o in owners]
    return form, form.validate()


def _filtered_duties(form: DutyFilterForm) -> tuple[date, list[service.DutyRow]]:
    session = db_session()
    as_of = form.as_of.data or _today()
    rows = service.dashboard_duties(
        session,
        as_of,
        service.stored_policy(session),
        regime=Regime(form.regime.data) if form.regime.data else None,
        owner=form.owner.data or None,
    )
    return as_of, rows


@bp.get("/duties/")
def duties() -> tuple[str, int]:
    form, valid = _duty_filters()
    if not valid:
        return _render("duties/index.html", 400, form=form, rows=[], lessons=[], **_labels())
    as_of, rows = _filtered_duties(form)
    counts = {status: sum(1 for row in rows if row.status is status) for status in Status}
    filters: dict[str, Any] = {k: v for k, v in request.args.items() if v}
    return _render(
        "duties/index.html",
        form=form,
        rows=rows,
        as_of=as_of,
        counts=counts,
        lessons=service.open_lessons(db_session()),
        csv_href=url_for(".duties_csv", **filters),
        **_labels(),
    )


@bp.get("/duties/duties.csv")
def duties_csv() -> Response | tuple[str, int]:
    form, valid = _duty_filters()
    if not valid:
        return _render("duties/index.html", 400, form=form, rows=[], lessons=[], **_labels())
    as_of, rows = _filtered_duties(form)
    return Response(
        service.duties_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="duties-{as_of.isoformat()}.csv"'},
    )


@bp.get("/duties/calendar")
def duties_calendar() -> str:
    session = db_session()
    calendar = service.planning_calendar(session, _today(), service.stored_policy(session))
    return render_template("duties/calendar.html", calendar=calendar, **_labels())


# --- Local policy ----------------------------------------------------------------------------


def _field_name(key: str) -> str:
    return key.replace(".", "__")


class PolicyForm(FlaskForm):
    comah_prepare_extended_months = IntegerField(
        "COMAH external plan, extension agreed",
        invalid_value_message=BAD_NUMBER,
        validators=[InputRequired("Enter a number of months")],
    )
    reminder_lead_days = StringField(
        "Reminders before a due date",
        validators=[InputRequired("Enter at least one number of days"), Length(max=100)],
        description="Days before the due date, separated by commas, for example 90, 30, 7",
    )
    overdue_reminder_every_days = IntegerField(
        "While overdue, remind every",
        invalid_value_message=BAD_NUMBER,
        validators=[InputRequired("Enter a number of days")],
    )


def _policy_form_class() -> type[PolicyForm]:
    fields: dict[str, Any] = {}
    for rule in RULES:
        fields[_field_name(service.interval_key(rule.regime, rule.duty))] = IntegerField(
            f"{service.REGIME_LABELS[rule.regime]}: {service.DUTY_LABELS[rule.duty].lower()}",
            invalid_value_message=BAD_NUMBER,
            validators=[
                InputRequired("Enter a number of months"),
                NumberRange(min=1, message="Enter a whole number of months, 1 or more"),
            ],
        )
    return type("DutyPolicyForm", (PolicyForm,), fields)


@bp.route("/settings/policy", methods=["GET", "POST"])
def policy() -> Page:
    session = db_session()
    current = service.PolicyChoice.of(service.stored_policy(session))
    form = _policy_form_class()()
    if request.method == "GET":
        for key, value in current.settings().items():
            getattr(form, _field_name(key)).data = value
    if form.validate_on_submit():
        problems: dict[str, str] = {}
        try:
            lead_days = service.parse_lead_days(form.reminder_lead_days.data)
        except InputError as error:
            problems[service.LEAD_DAYS_KEY] = error.problem
            lead_days = current.reminder_lead_days
        choice = service.PolicyChoice(
            intervals={
                (rule.regime, rule.duty): getattr(
                    form, _field_name(service.interval_key(rule.regime, rule.duty))
                ).data
                for rule in RULES
            },
            comah_prepare_extended_months=form.comah_prepare_extended_months.data,
            reminder_lead_days=lead_days,
            overdue_reminder_every_days=form.overdue_reminder_every_days.data,
        )
        problems.update(service.policy_problems(choice))
        if not problems:
            service.save_policy(session, choice, by=_actor())
            session.commit()
            flash("Policy saved. Due dates now follow it.", "success")
            return redirect(url_for(".policy"))
        for key, problem in problems.items():
            _attach(form, InputError(problem, field=_field_name(key)), "reminder_lead_days")
    rules = [
        (rule, getattr(form, _field_name(service.interval_key(rule.regime, rule.duty))))
        for rule in RULES
    ]
    return _render(
        "duties/policy.html",
        400 if request.method == "POST" else 200,
        form=form,
        rules=rules,
        **_labels(),
    )


def _labels() -> dict[str, Any]:
    """Return the labels templates show for stored codes."""
    return {
        "regime_labels": {r.value: label for r, label in service.REGIME_LABELS.items()},
        "duty_labels": {d.value: label for d, label in service.DUTY_LABELS.items()},
        "plan_status_labels": dict(service.PLAN_STATUSES),
        "exercise_type_labels": dict(service.EXERCISE_TYPES),
        "outcome_labels": dict(service.REVIEW_OUTCOMES),
    }
