"""Exercises that test plans, the lessons they identify, and the plans' last exercise dates.

A held exercise moves on the exercise duty of each plan it tested; a planned one only goes on the
calendar. Nothing here commits; bad input raises InputError naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.date_text import long_date
from resilience.domain.duties.rules import DISCUSSION_BASED
from resilience.domain.plans.records import check_hazards
from resilience.domain.plans.reviews import latest_review
from resilience.domain.record_dates import check_date
from resilience.errors import InputError
from resilience.storage.models import Exercise, Lesson, Organisation, Plan, exercise_plans

EXERCISE_TYPES: tuple[tuple[str, str], ...] = (
    ("discussion_based", "Discussion-based"),
    ("table_top", "Table-top"),
    ("command_post", "Command post"),
    ("live", "Live"),
)
EXERCISE_STATUSES: tuple[tuple[str, str], ...] = (("planned", "Planned"), ("held", "Held"))


def _latest_exercise(session: Session, plan: Plan) -> date | None:
    return session.scalar(
        select(func.max(Exercise.held_on))
        .join(exercise_plans, exercise_plans.c.exercise_id == Exercise.id)
        .where(exercise_plans.c.plan_id == plan.id, Exercise.status == "held")
    )


def _last_test(session: Session, plan: Plan) -> tuple[str | None, date | None]:
    """Return the type of the plan's latest held exercise (on one day, one that was more than a
    discussion first) and the date of its latest held exercise that was more than a discussion."""
    held = session.execute(
        select(Exercise.held_on, Exercise.exercise_type)
        .join(exercise_plans, exercise_plans.c.exercise_id == Exercise.id)
        .where(exercise_plans.c.plan_id == plan.id, Exercise.status == "held")
    ).all()
    if not held:
        return None, None
    latest = max(held, key=lambda row: (row.held_on, row.exercise_type != DISCUSSION_BASED))
    beyond = [row.held_on for row in held if row.exercise_type != DISCUSSION_BASED]
    return latest.exercise_type, max(beyond, default=None)


def refresh_exercise_date(session: Session, plan: Plan) -> None:
    """Set the plan's last exercise (its date and type, and its last one beyond a discussion)
    from the held exercises that tested it, or None."""
    session.flush()
    plan.last_exercised_on = _latest_exercise(session, plan)
    plan.last_exercise_type, plan.last_non_discussion_exercise_on = _last_test(session, plan)


def follow_records(session: Session, plan: Plan) -> None:
    """Set the plan's last review and exercise from its records, for each kind it has records of.

    For loading files: a date given for a plan with no records of that kind is kept.
    """
    session.flush()
    if (reviewed := latest_review(session, plan)) is not None:
        plan.last_reviewed_on = reviewed
    if (exercised := _latest_exercise(session, plan)) is not None:
        plan.last_exercised_on = exercised
        plan.last_exercise_type, plan.last_non_discussion_exercise_on = _last_test(session, plan)


@dataclass(frozen=True)
class ExerciseValues:
    """What an exercise form holds, parsed."""

    title: str
    exercise_type: str
    status: str
    planned_on: date | None
    held_on: date | None
    organisations: str
    plan_refs: tuple[str, ...]
    hazard_refs: tuple[str, ...]
    note: str = ""
    objectives: str = ""
    participant_ids: tuple[int, ...] = ()


def save_exercise(
    session: Session, values: ExerciseValues, today: date, existing: Exercise | None = None
) -> Exercise:
    """Return the created or updated exercise; the tested plans' last exercise is refreshed."""
    if values.exercise_type not in dict(EXERCISE_TYPES):
        raise InputError("Choose the type of exercise", field="exercise_type")
    if values.status == "planned":
        if values.planned_on is None:
            raise InputError("Enter the date the exercise is planned for", field="planned_on")
        if existing is not None and existing.lessons:
            raise InputError(
                "Lessons are recorded for this exercise, so it has been held", field="status"
            )
        held_on = None
    elif values.status == "held":
        if values.held_on is None:
            raise InputError("Enter the date the exercise was held", field="held_on")
        held_on = values.held_on
    else:
        raise InputError("Choose whether the exercise is planned or held", field="status")
    check_date(values.planned_on, "planned_on")
    check_date(held_on, "held_on", today=today)
    if existing is not None and held_on is not None:
        early = [lesson for lesson in existing.lessons if lesson.due_on < held_on]
        if early:
            raise InputError(
                f"A lesson of this exercise is due on {long_date(early[0].due_on)}, "
                "before this date",
                field="held_on",
            )
    wanted = list(dict.fromkeys(values.plan_refs))
    plans = list(session.scalars(select(Plan).where(Plan.ref.in_(wanted)))) if wanted else []
    unknown = sorted(set(wanted) - {plan.ref for plan in plans})
    if unknown:
        raise InputError(f"Unknown plan: {', '.join(unknown)}", field="plan_refs")
    hazard_refs = check_hazards(session, values.hazard_refs, "hazard_refs")
    participants = _participants(session, values.participant_ids)

    exercise = existing or Exercise()
    # Only held exercises count, so only plans a held exercise tested (before or after) change.
    affected = {plan.id: plan for plan in exercise.plans if exercise.status == "held"}
    affected.update({plan.id: plan for plan in plans if values.status == "held"})
    exercise.title = values.title
    exercise.exercise_type = values.exercise_type
    exercise.status = values.status
    exercise.planned_on = values.planned_on
    exercise.held_on = held_on
    exercise.organisations = values.organisations
    exercise.hazard_refs = hazard_refs
    exercise.note = values.note
    exercise.objectives = values.objectives
    exercise.plans = sorted(plans, key=lambda plan: plan.ref)
    exercise.participants = participants
    session.add(exercise)
    for plan in affected.values():
        refresh_exercise_date(session, plan)
    return exercise


def _participants(session: Session, ids: tuple[int, ...]) -> list[Organisation]:
    """Return the organisations with these ids, by name; InputError if one is not on the list."""
    wanted = list(dict.fromkeys(ids))
    found = (
        list(session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
        if wanted
        else []
    )
    unknown = sorted(set(wanted) - {organisation.id for organisation in found})
    if unknown:
        raise InputError(
            f"Organisation number {unknown[0]} is not in the organisations list",
            field="participant_ids",
        )
    return sorted(found, key=lambda organisation: organisation.name)


def delete_exercise(session: Session, exercise: Exercise) -> None:
    """Delete an exercise and its lessons; the plans it tested fall back to their previous one."""
    plans = list(exercise.plans) if exercise.status == "held" else []
    session.delete(exercise)
    for plan in plans:
        refresh_exercise_date(session, plan)


def exercises_of_plan(session: Session, plan: Plan) -> list[Exercise]:
    """Return the exercises that test a plan, the latest first."""
    exercises = session.scalars(
        select(Exercise)
        .join(exercise_plans, exercise_plans.c.exercise_id == Exercise.id)
        .where(exercise_plans.c.plan_id == plan.id)
    )
    return sorted(exercises, key=lambda exercise: (exercise.on, exercise.id), reverse=True)


def all_exercises(session: Session) -> tuple[list[Exercise], list[Exercise]]:
    """Return (planned exercises, soonest first; held exercises, latest first)."""
    exercises = list(session.scalars(select(Exercise)))
    planned = sorted((e for e in exercises if e.status == "planned"), key=lambda e: (e.on, e.id))
    held = sorted((e for e in exercises if e.status == "held"), key=lambda e: (e.on, e.id))
    return planned, held[::-1]


# --- Lessons ---------------------------------------------------------------------------------


def add_lesson(
    session: Session, exercise: Exercise, *, description: str, owner: str, due_on: date
) -> Lesson:
    """Return a new open lesson of a held exercise; InputError if the exercise or dates forbid."""
    if exercise.held_on is None:
        raise InputError(
            "Lessons are identified once the exercise has been held: record it as held first",
            field="description",
        )
    if not description.strip():
        raise InputError("Describe the lesson identified", field="description")
    if not owner.strip():
        raise InputError("Enter who owns the action", field="owner")
    check_date(due_on, "due_on")
    if due_on < exercise.held_on:
        raise InputError(
            f"The due date cannot be before the exercise was held ({long_date(exercise.held_on)})",
            field="due_on",
        )
    lesson = Lesson(description=description.strip(), owner=owner.strip(), due_on=due_on)
    exercise.lessons.append(lesson)
    session.flush()
    return lesson


def close_lesson(
    session: Session, lesson: Lesson, *, closed_on: date, note: str, today: date
) -> Lesson:
    """Return the lesson, closed on ``closed_on``; InputError if already closed or a bad date."""
    if lesson.closed_on is not None:
        raise InputError(
            f"This lesson was closed on {long_date(lesson.closed_on)}", field="closed_on"
        )
    check_date(closed_on, "closed_on", today=today)
    held_on = lesson.exercise.held_on
    if held_on is not None and closed_on < held_on:
        raise InputError(
            f"A lesson cannot be closed before the exercise was held ({long_date(held_on)})",
            field="closed_on",
        )
    lesson.closed_on = closed_on
    lesson.closure_note = note.strip()
    session.flush()
    return lesson


def open_lessons(session: Session) -> list[Lesson]:
    """Return every lesson not yet closed, the earliest due first."""
    return list(
        session.scalars(
            select(Lesson).where(Lesson.closed_on.is_(None)).order_by(Lesson.due_on, Lesson.id)
        )
    )
