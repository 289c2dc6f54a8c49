"""Reviews and exercises are the only things that discharge a plan's duties; lessons are tracked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.duties.dashboard import DutyRow, plan_duty_rows
from resilience.domain.duties.rules import DutyKind, DutyPolicy, Regime, Status
from resilience.domain.plans.exercises import (
    ExerciseValues,
    add_lesson,
    close_lesson,
    delete_exercise,
    open_lessons,
    save_exercise,
)
from resilience.domain.plans.reviews import delete_review, plan_reviews, record_review
from resilience.errors import InputError
from resilience.storage.models import Exercise, Lesson, Plan, PlanReview

POLICY = DutyPolicy()
TODAY = date(2026, 12, 1)


def due(plan: Plan, duty: DutyKind, as_of: date = TODAY) -> DutyRow:
    return next(row for row in plan_duty_rows(plan, as_of, POLICY) if row.duty is duty)


def review(session: Session, plan: Plan, on: date, **values: str) -> PlanReview:
    return record_review(
        session,
        plan,
        reviewed_on=on,
        reviewer=values.get("reviewer", "Emergency Planning Officer"),
        outcome=values.get("outcome", "no_change"),
        changes_made=values.get("changes_made", ""),
        today=TODAY,
    )


HELD = ExerciseValues(
    title="Exercise Mersey",
    exercise_type="table_top",
    status="held",
    planned_on=None,
    held_on=date(2025, 3, 12),
    organisations="Cheshire Fire and Rescue Service",
    plan_refs=("PLAN-1",),
    hazard_refs=(),
)


def exercise_values(**changes: Any) -> ExerciseValues:
    return replace(HELD, **changes)


def test_a_review_moves_the_review_duty_three_years_on_clamped_to_the_month_end(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    plan = stored_plan(adopted_on=date(2021, 6, 30))
    before = due(plan, DutyKind.REVIEW)
    assert (before.due_on, before.status) == (date(2024, 6, 30), Status.OVERDUE)

    review(session, plan, date(2024, 2, 29))
    session.commit()

    after = due(plan, DutyKind.REVIEW)
    assert plan.last_reviewed_on == date(2024, 2, 29)
    assert after.due_on == date(2027, 2, 28)  # 29 Feb 2024 + 3 years, clamped
    assert (after.status, after.days_left) == (Status.DUE_SOON, 89)
    assert after.basis == "statutory, COMAH 2015 reg. 14"
    assert due(plan, DutyKind.EXERCISE).due_on == date(2024, 6, 30)  # a review is no exercise


def test_the_latest_review_counts_and_deleting_it_falls_back(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    plan = stored_plan(adopted_on=date(2021, 6, 30))
    latest = review(session, plan, date(2025, 8, 31))
    review(session, plan, date(2023, 1, 10))  # recorded late, but older
    session.commit()
    assert plan.last_reviewed_on == date(2025, 8, 31)

    delete_review(session, latest)
    session.commit()
    assert plan.last_reviewed_on == date(2023, 1, 10)
    assert due(plan, DutyKind.REVIEW).due_on == date(2026, 1, 10)

    delete_review(session, plan_reviews(session, plan)[0])
    session.commit()
    assert plan.last_reviewed_on is None
    assert due(plan, DutyKind.REVIEW).due_on == date(2024, 6, 30)  # from adoption again


@pytest.mark.parametrize(
    ("reviewed_on", "adopted_on", "field", "words"),
    [
        (date(2026, 12, 2), date(2021, 6, 30), "reviewed_on", "future"),
        (date(2021, 6, 29), date(2021, 6, 30), "reviewed_on", "before the plan was adopted"),
        (date(2024, 1, 1), None, "reviewed_on", "no adoption date"),
        (date(1066, 10, 14), date(2021, 6, 30), "reviewed_on", "between 1950 and 2099"),
    ],
)
def test_a_review_that_cannot_be_right_is_refused(
    session: Session,
    stored_plan: Callable[..., Plan],
    reviewed_on: date,
    adopted_on: date | None,
    field: str,
    words: str,
) -> None:
    plan = stored_plan(adopted_on=adopted_on, status="draft")
    with pytest.raises(InputError) as raised:
        review(session, plan, reviewed_on)
    assert raised.value.field == field
    assert words in raised.value.problem
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PlanReview)) == 0


@pytest.mark.parametrize("kind", ["discussion_based", "table_top", "command_post", "live"])
def test_a_held_exercise_of_any_type_discharges_the_exercise_duty(
    session: Session, stored_plan: Callable[..., Plan], kind: str
) -> None:
    plan = stored_plan(regime="reppir", adopted_on=date(2021, 6, 30))
    assert due(plan, DutyKind.EXERCISE).status is Status.OVERDUE

    save_exercise(session, exercise_values(exercise_type=kind, held_on=date(2025, 3, 12)), TODAY)
    session.commit()

    duty = due(plan, DutyKind.EXERCISE)
    assert plan.last_exercised_on == date(2025, 3, 12)
    assert (duty.due_on, duty.status) == (date(2028, 3, 12), Status.OK)
    assert duty.basis == "statutory, REPPIR 2019 reg. 12"
    assert due(plan, DutyKind.REVIEW).status is Status.OVERDUE  # an exercise is no review


def test_a_planned_exercise_discharges_nothing_until_it_is_recorded_as_held(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    plan = stored_plan()
    planned = save_exercise(
        session,
        exercise_values(status="planned", planned_on=date(2027, 1, 20), held_on=None),
        TODAY,
    )
    session.commit()
    assert plan.last_exercised_on is None

    save_exercise(
        session,
        exercise_values(status="held", planned_on=date(2027, 1, 20), held_on=date(2026, 11, 30)),
        TODAY,
        existing=planned,
    )
    session.commit()
    assert plan.last_exercised_on == date(2026, 11, 30)


def test_changing_or_deleting_an_exercise_recomputes_every_plan_it_touched(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    first, second = stored_plan("PLAN-1"), stored_plan("PLAN-2")
    older = save_exercise(session, exercise_values(title="Older", held_on=date(2023, 5, 2)), TODAY)
    newer = save_exercise(
        session,
        exercise_values(title="Newer", held_on=date(2025, 9, 9), plan_refs=("PLAN-1", "PLAN-2")),
        TODAY,
    )
    session.commit()
    assert (first.last_exercised_on, second.last_exercised_on) == (date(2025, 9, 9),) * 2

    save_exercise(
        session,
        exercise_values(title="Newer", held_on=date(2025, 9, 9), plan_refs=("PLAN-2",)),
        TODAY,
        existing=newer,
    )
    session.commit()
    assert first.last_exercised_on == date(2023, 5, 2)

    delete_exercise(session, older)
    delete_exercise(session, newer)
    session.commit()
    assert (first.last_exercised_on, second.last_exercised_on) == (None, None)
    assert due(first, DutyKind.EXERCISE).due_on == date(2024, 6, 30)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"plan_refs": ("PLAN-1", "PLAN-NOPE")}, "plan_refs"),
        ({"hazard_refs": ("HAL-NOPE",)}, "hazard_refs"),
        ({"held_on": date(2026, 12, 25)}, "held_on"),
        ({"held_on": None}, "held_on"),
        ({"status": "planned", "planned_on": None}, "planned_on"),
        ({"exercise_type": "tabletop"}, "exercise_type"),
        ({"status": "cancelled"}, "status"),
    ],
)
def test_bad_exercises_are_refused_naming_the_field(
    session: Session, stored_plan: Callable[..., Plan], values: dict[str, object], field: str
) -> None:
    stored_plan()
    with pytest.raises(InputError) as raised:
        save_exercise(session, exercise_values(**values), TODAY)
    assert raised.value.field == field
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Exercise)) == 0


def test_lessons_are_tracked_to_closure(session: Session, stored_plan: Callable[..., Plan]) -> None:
    stored_plan()
    exercise = save_exercise(session, exercise_values(held_on=date(2025, 3, 12)), TODAY)
    lesson = add_lesson(
        session, exercise, description="Update the cascade", owner="EPO", due_on=date(2025, 6, 1)
    )
    add_lesson(
        session, exercise, description="Brief members", owner="Comms", due_on=date(2025, 4, 1)
    )
    session.commit()
    assert [item.description for item in open_lessons(session)] == [
        "Brief members",
        "Update the cascade",
    ]

    close_lesson(session, lesson, closed_on=date(2025, 5, 20), note="Done", today=TODAY)
    session.commit()
    assert [item.description for item in open_lessons(session)] == ["Brief members"]
    with pytest.raises(InputError, match="was closed on 20 May 2025"):
        close_lesson(session, lesson, closed_on=date(2025, 5, 21), note="", today=TODAY)


def test_lesson_dates_cannot_come_before_the_exercise(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan()
    exercise = save_exercise(session, exercise_values(held_on=date(2025, 3, 12)), TODAY)
    with pytest.raises(InputError) as raised:
        add_lesson(session, exercise, description="x", owner="y", due_on=date(2025, 3, 11))
    assert raised.value.field == "due_on"
    lesson = add_lesson(session, exercise, description="x", owner="y", due_on=date(2025, 3, 12))
    with pytest.raises(InputError) as raised:
        close_lesson(session, lesson, closed_on=date(2025, 3, 1), note="", today=TODAY)
    assert raised.value.field == "closed_on"
    planned = save_exercise(
        session,
        exercise_values(title="Later", status="planned", planned_on=date(2027, 1, 1), held_on=None),
        TODAY,
    )
    with pytest.raises(InputError, match="once the exercise has been held"):
        add_lesson(session, planned, description="x", owner="y", due_on=date(2027, 2, 1))
    assert session.scalar(select(func.count()).select_from(Lesson)) == 1


def test_an_exercise_with_lessons_cannot_go_back_to_planned(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan()
    exercise = save_exercise(session, exercise_values(held_on=date(2025, 3, 12)), TODAY)
    add_lesson(session, exercise, description="x", owner="y", due_on=date(2025, 4, 1))
    with pytest.raises(InputError) as raised:
        save_exercise(
            session,
            exercise_values(status="planned", planned_on=date(2027, 1, 1)),
            TODAY,
            existing=exercise,
        )
    assert raised.value.field == "status"


def test_withdrawn_plans_have_no_duties_and_draft_ones_only_the_duty_to_prepare(
    stored_plan: Callable[..., Plan],
) -> None:
    withdrawn = stored_plan("PLAN-OLD", status="withdrawn")
    draft = stored_plan(
        "PLAN-NEW",
        status="in preparation",
        adopted_on=None,
        notified_on=date(2026, 8, 3),
        last_exercised_on=date(2026, 7, 1),  # an exercise of the draft
    )
    assert plan_duty_rows(withdrawn, TODAY, POLICY) == []
    [prepare] = plan_duty_rows(draft, TODAY, POLICY)
    assert (prepare.duty, prepare.due_on) == (DutyKind.PREPARE, date(2027, 2, 3))
    assert prepare.regime is Regime.COMAH_EXTERNAL
