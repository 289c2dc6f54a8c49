"""The exercises pages: exercises that test plans, and the lessons they identify."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from resilience.domain.marking import CLEARED, exercise_view, page_marking
from resilience.domain.plans.exercises import (
    add_lesson,
    all_exercises,
    close_lesson,
    delete_exercise,
    save_exercise,
)
from resilience.domain.plans.organisations import (
    ORGANISATION_KINDS,
    add_organisation,
    all_organisations,
)
from resilience.domain.plans.records import all_plans, hazard_names
from resilience.storage.models import Exercise, Lesson
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.plans.blueprint import (
    Page,
    bp,
    hazard_choices,
    labels,
    reader,
    render_page,
)
from resilience.web.plans.forms import (
    CloseLessonForm,
    ExerciseForm,
    LessonForm,
    OrganisationForm,
)
from resilience.web.saving import commit, saving


def _exercise(exercise_id: int) -> Exercise:
    exercise = db_session().get(Exercise, exercise_id)
    if exercise is None:
        abort(404, f"There is no exercise number {exercise_id}.")
    return exercise


def _marking_of(exercise: Exercise) -> str:
    """Return the marking of a staff page (a form) about this exercise: its plans' highest."""
    return page_marking(exercise_view(exercise, CLEARED))


@bp.get("/exercises/")
def exercise_index() -> str:
    planned, held = all_exercises(db_session())
    who = reader()
    return render_template(
        "exercises/index.html",
        planned=[exercise_view(e, who) for e in planned],
        held=[exercise_view(e, who) for e in held],
        today=clock.today(),
        **labels(),
    )


def _edit_exercise(exercise: Exercise | None) -> Page:
    session = db_session()
    form = ExerciseForm(obj=exercise if request.method == "GET" else None)
    form.plan_refs.choices = [
        SelectChoice(plan.ref, f"{plan.title} ({plan.ref})") for plan in all_plans(session)
    ]
    form.hazard_refs.choices = hazard_choices()
    kinds = dict(ORGANISATION_KINDS)
    form.participant_ids.choices = [
        SelectChoice(o.id, f"{o.name} ({kinds[o.kind].lower()})")
        for o in all_organisations(session)
    ]
    if request.method == "GET":
        if exercise is not None:
            form.plan_refs.data = [plan.ref for plan in exercise.plans]
            form.hazard_refs.data = list(exercise.hazard_refs or [])
            form.participant_ids.data = [o.id for o in exercise.participants]
        elif request.args.get("plan"):
            form.plan_refs.data = [request.args["plan"]]
    if form.validate_on_submit():
        with saving(form, "title") as attempt:
            saved = save_exercise(attempt.session, form.values(), clock.today(), existing=exercise)
        if attempt.saved:
            flash(
                f"Exercise {saved.title!r} {'added' if exercise is None else 'saved'}.", "success"
            )
            return redirect(url_for(".exercise_detail", exercise_id=saved.id))
    return render_page(
        "exercises/form.html",
        400 if request.method == "POST" else 200,
        form=form,
        exercise=exercise,
        security_marking=_marking_of(exercise) if exercise is not None else "",
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
    today = clock.today()
    forms = close_forms or {}
    for lesson in exercise.lessons:
        if lesson.id not in forms:
            form = CloseLessonForm(prefix=f"close-{lesson.id}", formdata=None)
            form.closed_on.data = today
            forms[lesson.id] = form
    view = exercise_view(exercise, reader())
    return render_page(
        "exercises/detail.html",
        status,
        exercise=view,
        lesson_form=lesson_form or LessonForm(formdata=None),
        close_forms=forms,
        hazards=hazard_names(db_session()),
        security_marking=page_marking(view),
        today=today,
        **labels(),
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
        delete_exercise(session, exercise)
        commit()
        flash(f"Exercise {title!r} deleted.", "success")
        return redirect(url_for(".exercise_index"))
    return render_template(
        "exercises/delete.html", exercise=exercise, security_marking=_marking_of(exercise)
    )


@bp.post("/exercises/<int:exercise_id>/lessons")
def lesson_add(exercise_id: int) -> Page:
    exercise = _exercise(exercise_id)
    form = LessonForm()
    if form.validate_on_submit():
        with saving(form, "description") as attempt:
            add_lesson(
                attempt.session,
                exercise,
                description=form.description.data,
                owner=form.owner.data,
                due_on=form.due_on.data,
            )
        if attempt.saved:
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
        with saving(form, "closed_on") as attempt:
            close_lesson(
                attempt.session,
                lesson,
                closed_on=form.closed_on.data,
                note=form.closure_note.data or "",
                today=clock.today(),
            )
        if attempt.saved:
            flash("Lesson closed.", "success")
            return redirect(url_for(".exercise_detail", exercise_id=exercise.id) + "#lessons")
    return _exercise_page(exercise, 400, close_forms={lesson.id: form})


@bp.route("/organisations/", methods=["GET", "POST"])
def organisations() -> Page:
    form = OrganisationForm()
    if form.validate_on_submit():
        with saving(form, "name") as attempt:
            added = add_organisation(attempt.session, form.name.data, form.kind.data)
        if attempt.saved:
            flash(f"{added.name} added to the organisations list.", "success")
            return redirect(url_for(".organisations"))
    return render_page(
        "exercises/organisations.html",
        400 if request.method == "POST" else 200,
        form=form,
        organisations=all_organisations(db_session()),
        kind_labels=dict(ORGANISATION_KINDS),
    )
