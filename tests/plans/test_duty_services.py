"""The duties dashboard, the local policy, the three-year calendar and the demo's plan records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.demo import DEMO_ROOT, load_plans
from resilience.domain.duties.dashboard import (
    DutyRow,
    dashboard_duties,
    duties_csv,
    plan_owners,
    planning_calendar,
)
from resilience.domain.duties.policy import (
    PolicyChoice,
    parse_lead_days,
    policy_problems,
    save_policy,
    stored_policy,
)
from resilience.domain.duties.rules import DutyKind, DutyPolicy, Regime, Status
from resilience.domain.plans.exercises import ExerciseValues, save_exercise
from resilience.domain.plans.records import all_plans
from resilience.errors import InputError
from resilience.storage.models import Exercise, Lesson, Plan, PlanReview, PolicySetting

AS_OF = date(2026, 12, 1)


@pytest.fixture
def three_plans(stored_plan: Callable[..., Plan]) -> None:
    # Review due 2024-06-30 (overdue 519 days), exercise due 2025-01-31 (overdue).
    stored_plan("PLAN-A", adopted_on=date(2021, 6, 30), last_exercised_on=date(2022, 1, 31))
    # Pipeline: review due 2027-01-15 (due soon), exercise due 2029-05-01 (ok, local policy).
    stored_plan(
        "PLAN-B",
        regime="pipeline",
        owner="Highways",
        adopted_on=date(2020, 1, 1),
        last_reviewed_on=date(2024, 1, 15),
        last_exercised_on=date(2026, 5, 1),
    )
    # Not adopted, notified: prepare due 2027-02-03.
    stored_plan("PLAN-C", adopted_on=None, status="in preparation", notified_on=date(2026, 8, 3))


def keys(rows: list[DutyRow]) -> list[tuple[str, str]]:
    return [(row.plan_ref, row.duty.value) for row in rows]


@pytest.mark.usefixtures("three_plans")
def test_the_dashboard_puts_overdue_first_then_the_soonest_due(session: Session) -> None:
    rows = dashboard_duties(session, AS_OF, DutyPolicy())

    assert keys(rows) == [
        ("PLAN-A", "review"),
        ("PLAN-A", "exercise"),
        ("PLAN-B", "review"),
        ("PLAN-C", "prepare"),
        ("PLAN-B", "exercise"),
    ]
    assert [row.status for row in rows] == [Status.OVERDUE] * 2 + [Status.DUE_SOON] * 2 + [
        Status.OK
    ]
    assert [row.days_left for row in rows][:2] == [-884, -669]
    assert rows[4].basis == "local policy (good practice)" and not rows[4].statutory


@pytest.mark.usefixtures("three_plans")
def test_the_dashboard_filters_by_regime_and_owner(session: Session) -> None:
    policy = DutyPolicy()
    by_regime = dashboard_duties(session, AS_OF, policy, regime=Regime.PIPELINE)
    by_owner = dashboard_duties(session, AS_OF, policy, owner="Emergency Planning Team")
    both = dashboard_duties(
        session, AS_OF, policy, regime=Regime.PIPELINE, owner="Emergency Planning Team"
    )

    assert keys(by_regime) == [("PLAN-B", "review"), ("PLAN-B", "exercise")]
    assert {row.plan_ref for row in by_owner} == {"PLAN-A", "PLAN-C"}
    assert both == []
    assert plan_owners(session) == ["Emergency Planning Team", "Highways"]


@pytest.mark.usefixtures("three_plans")
def test_the_csv_keeps_the_order_and_defuses_formulas(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("PLAN-D", title="=HYPERLINK(evil)", adopted_on=date(2026, 1, 1))
    rows = dashboard_duties(session, AS_OF, DutyPolicy())
    lines = duties_csv(rows).splitlines()

    assert lines[0] == "plan_id,title,regime,owner,duty,due_on,status,days_left,basis"
    assert lines[1] == (
        "PLAN-A,Plan PLAN-A,comah_external,Emergency Planning Team,review,2024-06-30,overdue,"
        "-884,"
        '"statutory, COMAH 2015 reg. 14"'
    )
    assert [line.split(",")[0] for line in lines[1:]] == [row.plan_ref for row in rows]
    assert any(line.startswith("PLAN-D,'=HYPERLINK(evil)") for line in lines)


def choice(**changes: int) -> PolicyChoice:
    base = PolicyChoice.of(DutyPolicy())
    intervals = dict(base.intervals)
    for name, months in changes.items():
        regime, duty = name.rsplit("_", 1)
        intervals[(Regime(regime), DutyKind(duty))] = months
    return PolicyChoice(intervals=intervals)


def test_a_statutory_interval_cannot_be_lengthened_and_nothing_is_stored(
    session: Session,
) -> None:
    problems = policy_problems(choice(comah_external_review=48))
    assert problems == {
        "interval_months.comah_external.review": (
            "Statutory, COMAH 2015 reg. 14 sets at most 36 months: "
            "a local policy may shorten it but not lengthen it"
        )
    }
    with pytest.raises(InputError) as raised:
        save_policy(session, choice(comah_external_review=48), by="admin@test.invalid")
    assert raised.value.field == "interval_months.comah_external.review"
    assert session.scalar(select(func.count()).select_from(PolicySetting)) == 0


def test_a_statutory_interval_may_be_shortened_and_a_local_one_lengthened(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("PLAN-P", regime="pipeline", adopted_on=date(2024, 5, 31))
    wanted = choice(pipeline_review=24, pipeline_exercise=48)
    policy = save_policy(session, wanted, by="admin@test.invalid")
    session.commit()

    assert stored_policy(session) == policy
    rows = {row.duty: row for row in dashboard_duties(session, AS_OF, policy)}
    assert rows[DutyKind.REVIEW].due_on == date(2026, 5, 31)
    assert rows[DutyKind.EXERCISE].due_on == date(2028, 5, 31)
    stored = {s.key: s.value for s in session.scalars(select(PolicySetting))}
    assert stored == {
        "interval_months.pipeline.review": "24",
        "interval_months.pipeline.exercise": "48",
    }

    save_policy(session, choice(), by="admin@test.invalid")  # back to the defaults
    session.commit()
    assert session.scalar(select(func.count()).select_from(PolicySetting)) == 0
    assert stored_policy(session) == DutyPolicy()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("comah_prepare_extended_months", 12),
        ("overdue_reminder_every_days", 0),
        ("reminder_lead_days", (400,)),
    ],
)
def test_other_settings_are_checked_too(field: str, value: object) -> None:
    base = PolicyChoice.of(DutyPolicy())
    wanted = replace(base, **{field: value})
    assert list(policy_problems(wanted)) == [field]


def test_lead_times_are_read_from_a_list_of_days() -> None:
    assert parse_lead_days("7, 90 30 ,30") == (90, 30, 7)
    with pytest.raises(InputError):
        parse_lead_days("90, soon")


def test_a_stored_value_that_breaks_the_rules_is_ignored(session: Session) -> None:
    session.add(PolicySetting(key="interval_months.reppir.exercise", value="60"))
    session.add(PolicySetting(key="interval_months.cca_local.review", value="12"))
    session.commit()

    policy = stored_policy(session)
    assert policy.months_for(Regime.REPPIR, DutyKind.EXERCISE) == 36
    assert policy.months_for(Regime.CCA_LOCAL, DutyKind.REVIEW) == 12


@pytest.mark.usefixtures("three_plans")
def test_the_calendar_shows_three_years_month_by_month(session: Session) -> None:
    save_exercise(
        session,
        ExerciseValues(
            title="Exercise Widnes",
            exercise_type="live",
            status="planned",
            planned_on=date(2027, 1, 20),
            held_on=None,
            organisations="",
            plan_refs=("PLAN-A",),
            hazard_refs=(),
        ),
        AS_OF,
    )
    session.commit()
    calendar = planning_calendar(session, AS_OF, DutyPolicy())

    assert len(calendar.months) == 36
    assert calendar.months[0].first_day == date(2026, 12, 1)
    assert calendar.months[-1].first_day == date(2029, 11, 1)
    assert [(row.plan_ref, row.duty.value) for row in calendar.overdue] == [
        ("PLAN-A", "review"),
        ("PLAN-A", "exercise"),
    ]
    entries = {month.first_day: month.entries for month in calendar.months}
    [review] = entries[date(2027, 1, 1)][1:]
    assert (entries[date(2027, 1, 1)][0].on, review.on) == (date(2027, 1, 15), date(2027, 1, 20))
    assert entries[date(2027, 1, 1)][0].duty is DutyKind.REVIEW
    assert review.kind == "planned_exercise" and review.plan_refs == ("PLAN-A",)
    assert entries[date(2027, 2, 1)][0].duty is DutyKind.PREPARE
    # The review of PLAN-B comes round again 36 months later: outside the window.
    assert [e.on for m in calendar.months for e in m.entries if e.projected] == []


def test_a_shortened_interval_shows_later_cycles_as_expected(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("PLAN-L", regime="cca_local", adopted_on=date(2026, 6, 15))
    policy = save_policy(session, choice(cca_local_review=12), by="")
    calendar = planning_calendar(session, AS_OF, policy)
    reviews = [
        (entry.on, entry.projected)
        for month in calendar.months
        for entry in month.entries
        if entry.duty is DutyKind.REVIEW
    ]
    assert reviews == [
        (date(2027, 6, 15), False),
        (date(2028, 6, 15), True),
        (date(2029, 6, 15), True),
    ]


def test_the_demo_plans_come_with_their_records_and_keep_their_dates(session: Session) -> None:
    path = DEMO_ROOT / "plans" / "plans.yaml"
    summary = load_plans(session, path)
    session.commit()
    dates = {p.ref: (p.last_reviewed_on, p.last_exercised_on) for p in all_plans(session)}
    counts = [
        session.scalar(select(func.count()).select_from(model))
        for model in (PlanReview, Exercise, Lesson)
    ]

    assert summary.startswith("plans/plans.yaml: 7 plans loaded, ")
    assert dates["PLAN-RUNCORN-SITE"] == (date(2024, 5, 20), date(2023, 11, 8))
    assert dates["PLAN-MAJOR-INCIDENT"] == (date(2024, 1, 15), date(2022, 10, 4))
    assert dates["PLAN-MAHP-GAS"] == (None, date(2024, 6, 19))
    assert min(counts) > 0

    load_plans(session, path)  # a refresh adds nothing
    session.commit()
    assert [
        session.scalar(select(func.count()).select_from(model))
        for model in (PlanReview, Exercise, Lesson)
    ] == counts
