"""Duty rules of DESIGN.md §2; every expected date and day count is worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from resilience.domain.duties.rules import (
    Duty,
    DutyKind,
    DutyPolicy,
    PlanDates,
    Regime,
    Status,
    check_plan,
    due_duties,
    status_on,
)
from resilience.errors import InputError

AS_OF = date(2025, 1, 1)


def make_plan(
    plan_id: str = "P1",
    regime: Regime = Regime.COMAH_EXTERNAL,
    *,
    adopted_on: date | None = None,
    last_reviewed_on: date | None = None,
    last_exercised_on: date | None = None,
    notified_on: date | None = None,
    extension_agreed: bool = False,
) -> PlanDates:
    return PlanDates(
        plan_id=plan_id,
        regime=regime,
        adopted_on=adopted_on,
        last_reviewed_on=last_reviewed_on,
        last_exercised_on=last_exercised_on,
        notified_on=notified_on,
        extension_agreed=extension_agreed,
    )


def only_duty(plan: PlanDates, kind: DutyKind, as_of: date = AS_OF) -> Duty:
    matching = [duty for duty in due_duties([plan], as_of) if duty.duty == kind]
    assert len(matching) == 1
    return matching[0]


# --- every row of the §2 table -------------------------------------------------------------

ADOPTED = date(2021, 6, 10)  # + 3 years = 2024-06-10
LAST_DONE = date(2022, 1, 20)  # + 3 years = 2025-01-20


@pytest.mark.parametrize(
    ("regime", "kind", "basis", "statutory"),
    [
        (Regime.COMAH_EXTERNAL, DutyKind.REVIEW, "statutory, COMAH 2015 reg. 14", True),
        (Regime.COMAH_EXTERNAL, DutyKind.EXERCISE, "statutory, COMAH 2015 reg. 14", True),
        (Regime.PIPELINE, DutyKind.REVIEW, "statutory, PSR 1996 reg. 25", True),
        (Regime.PIPELINE, DutyKind.EXERCISE, "local policy (good practice)", False),
        (Regime.REPPIR, DutyKind.REVIEW, "statutory, REPPIR 2019 reg. 12", True),
        (Regime.REPPIR, DutyKind.EXERCISE, "statutory, REPPIR 2019 reg. 12", True),
        (
            Regime.CCA_LOCAL,
            DutyKind.REVIEW,
            "local policy (CCA 2004 s.2 duty to maintain plans)",
            False,
        ),
        (Regime.CCA_LOCAL, DutyKind.EXERCISE, "local policy", False),
    ],
)
class TestAdoptedPlanRows:
    def test_counts_from_adoption_when_never_done(
        self, regime: Regime, kind: DutyKind, basis: str, statutory: bool
    ) -> None:
        duty = only_duty(make_plan(regime=regime, adopted_on=ADOPTED), kind)
        assert duty.due_on == date(2024, 6, 10)
        assert duty.status is Status.OVERDUE
        assert duty.days_left == -205  # 2024-06-10 -> 2025-01-01: 20 + 31*4 + 30*2 + 1
        assert duty.basis == basis
        assert duty.statutory is statutory

    def test_counts_from_last_time_done(
        self, regime: Regime, kind: DutyKind, basis: str, statutory: bool
    ) -> None:
        plan = make_plan(
            regime=regime,
            adopted_on=ADOPTED,
            last_reviewed_on=LAST_DONE if kind is DutyKind.REVIEW else None,
            last_exercised_on=LAST_DONE if kind is DutyKind.EXERCISE else None,
        )
        duty = only_duty(plan, kind)
        assert duty.due_on == date(2025, 1, 20)
        assert duty.status is Status.DUE_SOON
        assert duty.days_left == 19
        assert duty.basis == basis
        assert duty.statutory is statutory

    def test_the_other_duty_ignores_this_ones_date(
        self, regime: Regime, kind: DutyKind, basis: str, statutory: bool
    ) -> None:
        # A review does not discharge an exercise, nor the other way round.
        plan = make_plan(
            regime=regime,
            adopted_on=ADOPTED,
            last_reviewed_on=LAST_DONE if kind is DutyKind.EXERCISE else None,
            last_exercised_on=LAST_DONE if kind is DutyKind.REVIEW else None,
        )
        assert only_duty(plan, kind).due_on == date(2024, 6, 10)


def test_comah_prepare_is_six_months_after_notification() -> None:
    duty = only_duty(make_plan(notified_on=date(2024, 9, 15)), DutyKind.PREPARE)
    assert duty.due_on == date(2025, 3, 15)
    assert duty.days_left == 73  # 30 (rest of Jan) + 1 + 28 + 14
    assert duty.status is Status.DUE_SOON
    assert duty.basis == "statutory, COMAH 2015 reg. 13"
    assert duty.statutory is True


def test_comah_prepare_with_agreed_extension_is_nine_months_not_fifteen() -> None:
    duty = only_duty(
        make_plan(notified_on=date(2024, 9, 15), extension_agreed=True), DutyKind.PREPARE
    )
    assert duty.due_on == date(2025, 6, 15)
    assert duty.days_left == 165  # 31 + 28 + 31 + 30 + 31 + 14
    assert duty.status is Status.OK
    assert duty.basis == "statutory, COMAH 2015 reg. 13"


def test_comah_prepare_overdue() -> None:
    duty = only_duty(make_plan(notified_on=date(2024, 1, 10)), DutyKind.PREPARE, date(2024, 8, 1))
    assert duty.due_on == date(2024, 7, 10)
    assert duty.status is Status.OVERDUE
    assert duty.days_left == -22


# --- month-end clamping --------------------------------------------------------------------


def test_29_february_plus_three_years_is_28_february() -> None:
    plan = make_plan(regime=Regime.REPPIR, adopted_on=date(2024, 2, 29))
    assert only_duty(plan, DutyKind.REVIEW).due_on == date(2027, 2, 28)
    assert only_duty(plan, DutyKind.EXERCISE).due_on == date(2027, 2, 28)


def test_29_february_plus_three_years_from_last_review() -> None:
    plan = make_plan(
        regime=Regime.PIPELINE, adopted_on=date(2020, 1, 1), last_reviewed_on=date(2024, 2, 29)
    )
    assert only_duty(plan, DutyKind.REVIEW).due_on == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("notified_on", "due_on"),
    [
        (date(2024, 8, 31), date(2025, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
        (date(2024, 8, 30), date(2025, 2, 28)),
        (date(2024, 3, 31), date(2024, 9, 30)),
    ],
)
def test_31_august_plus_six_months_clamps_to_february_end(notified_on: date, due_on: date) -> None:
    plan = make_plan(notified_on=notified_on)
    assert only_duty(plan, DutyKind.PREPARE, date(2023, 1, 1)).due_on == due_on


@pytest.mark.parametrize(
    ("notified_on", "due_on"),
    [
        (date(2024, 5, 31), date(2025, 2, 28)),
        (date(2023, 5, 31), date(2024, 2, 29)),
        (date(2024, 1, 31), date(2024, 10, 31)),
    ],
)
def test_extension_of_nine_months_clamps_too(notified_on: date, due_on: date) -> None:
    plan = make_plan(notified_on=notified_on, extension_agreed=True)
    assert only_duty(plan, DutyKind.PREPARE, date(2023, 1, 1)).due_on == due_on


# --- status --------------------------------------------------------------------------------


def test_exactly_90_days_ahead_is_due_soon() -> None:
    assert status_on(date(2025, 4, 1), AS_OF) is Status.DUE_SOON  # 30 + 28 + 31 + 1 = 90


def test_91_days_ahead_is_ok() -> None:
    assert status_on(date(2025, 4, 2), AS_OF) is Status.OK


def test_due_today_is_due_soon() -> None:
    assert status_on(AS_OF, AS_OF) is Status.DUE_SOON


def test_one_day_late_is_overdue() -> None:
    assert status_on(date(2024, 12, 31), AS_OF) is Status.OVERDUE


def test_status_window_can_be_set() -> None:
    assert status_on(date(2025, 1, 31), AS_OF, due_soon_days=30) is Status.DUE_SOON
    assert status_on(date(2025, 2, 1), AS_OF, due_soon_days=30) is Status.OK


def test_boundaries_through_due_duties() -> None:
    plans = [
        make_plan("ninety", Regime.CCA_LOCAL, adopted_on=date(2022, 4, 1)),
        make_plan("ninety-one", Regime.CCA_LOCAL, adopted_on=date(2022, 4, 2)),
        make_plan("today", Regime.CCA_LOCAL, adopted_on=date(2022, 1, 1)),
        make_plan("late", Regime.CCA_LOCAL, adopted_on=date(2021, 12, 31)),
    ]
    reviews = {d.plan_id: d for d in due_duties(plans, AS_OF) if d.duty is DutyKind.REVIEW}
    assert (reviews["ninety"].status, reviews["ninety"].days_left) == (Status.DUE_SOON, 90)
    assert (reviews["ninety-one"].status, reviews["ninety-one"].days_left) == (Status.OK, 91)
    assert (reviews["today"].status, reviews["today"].days_left) == (Status.DUE_SOON, 0)
    assert (reviews["late"].status, reviews["late"].days_left) == (Status.OVERDUE, -1)


def test_future_dates_are_taken_as_given() -> None:
    duty = only_duty(make_plan(adopted_on=date(2026, 1, 1)), DutyKind.REVIEW)
    assert duty.due_on == date(2029, 1, 1)
    assert duty.days_left == 1461  # 365 + 365 + 365 + 366
    assert duty.status is Status.OK


# --- plans not yet adopted -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "notified_on", "extension_agreed", "basis", "statutory"),
    [
        (Regime.COMAH_EXTERNAL, None, False, "statutory, COMAH 2015 reg. 13", True),
        (Regime.COMAH_EXTERNAL, None, True, "statutory, COMAH 2015 reg. 13", True),
        (Regime.PIPELINE, None, False, "statutory, PSR 1996 reg. 25", True),
        (Regime.PIPELINE, date(2024, 9, 15), True, "statutory, PSR 1996 reg. 25", True),
        (Regime.REPPIR, None, False, "statutory, REPPIR 2019 reg. 12", True),
        (Regime.REPPIR, date(2024, 9, 15), False, "statutory, REPPIR 2019 reg. 12", True),
        (
            Regime.CCA_LOCAL,
            None,
            False,
            "local policy (CCA 2004 s.2 duty to maintain plans)",
            False,
        ),
        (
            Regime.CCA_LOCAL,
            date(2024, 9, 15),
            False,
            "local policy (CCA 2004 s.2 duty to maintain plans)",
            False,
        ),
    ],
)
def test_unprepared_plan_without_a_date_to_count_from_is_due_today(
    regime: Regime,
    notified_on: date | None,
    extension_agreed: bool,
    basis: str,
    statutory: bool,
) -> None:
    plan = make_plan(regime=regime, notified_on=notified_on, extension_agreed=extension_agreed)
    assert due_duties([plan], AS_OF) == [
        Duty(
            plan_id="P1",
            duty=DutyKind.PREPARE,
            due_on=AS_OF,
            status=Status.DUE_SOON,
            days_left=0,
            basis=basis,
            statutory=statutory,
        )
    ]


def test_unprepared_comah_plan_with_notification_has_only_prepare() -> None:
    duties = due_duties([make_plan(notified_on=date(2024, 9, 15))], AS_OF)
    assert [d.duty for d in duties] == [DutyKind.PREPARE]


def test_adopted_plan_has_review_and_exercise_only_even_when_notified() -> None:
    plan = make_plan(adopted_on=date(2023, 3, 1), notified_on=date(2022, 10, 1))
    duties = due_duties([plan], AS_OF)
    assert [(d.duty, d.due_on) for d in duties] == [
        (DutyKind.EXERCISE, date(2026, 3, 1)),
        (DutyKind.REVIEW, date(2026, 3, 1)),
    ]


# --- sorting -------------------------------------------------------------------------------


def test_sorted_by_due_on_then_plan_id_then_duty() -> None:
    plans = [
        make_plan("P9", Regime.PIPELINE, adopted_on=date(2022, 5, 1)),
        make_plan("P10", Regime.PIPELINE, adopted_on=date(2022, 5, 1)),
        make_plan(
            "A",
            Regime.REPPIR,
            adopted_on=date(2020, 1, 1),
            last_reviewed_on=date(2022, 6, 1),
            last_exercised_on=date(2021, 7, 1),
        ),
        make_plan("Z", Regime.CCA_LOCAL),
    ]
    assert [(d.due_on, d.plan_id, d.duty) for d in due_duties(plans, AS_OF)] == [
        (date(2024, 7, 1), "A", DutyKind.EXERCISE),
        (date(2025, 1, 1), "Z", DutyKind.PREPARE),
        (date(2025, 5, 1), "P10", DutyKind.EXERCISE),  # "P10" < "P9" as text
        (date(2025, 5, 1), "P10", DutyKind.REVIEW),
        (date(2025, 5, 1), "P9", DutyKind.EXERCISE),
        (date(2025, 5, 1), "P9", DutyKind.REVIEW),
        (date(2025, 6, 1), "A", DutyKind.REVIEW),
    ]


def test_no_plans_no_duties() -> None:
    assert due_duties([], AS_OF) == []


# --- inconsistent plans --------------------------------------------------------------------


@pytest.mark.parametrize("field", ["last_reviewed_on", "last_exercised_on"])
def test_review_or_exercise_without_adoption_is_rejected(field: str) -> None:
    plan = make_plan(
        last_reviewed_on=date(2024, 1, 1) if field == "last_reviewed_on" else None,
        last_exercised_on=date(2024, 1, 1) if field == "last_exercised_on" else None,
    )
    with pytest.raises(InputError) as caught:
        check_plan(plan)
    assert caught.value.field == field
    assert "adopted_on" in caught.value.problem
    with pytest.raises(InputError):
        due_duties([plan], AS_OF)


def test_empty_plan_id_is_rejected() -> None:
    with pytest.raises(InputError) as caught:
        check_plan(make_plan(" "))
    assert caught.value.field == "plan_id"


def test_consistent_plan_passes() -> None:
    check_plan(make_plan(adopted_on=date(2020, 1, 1), last_reviewed_on=date(2019, 1, 1)))


def test_duplicate_plan_ids_are_rejected() -> None:
    plans = [make_plan("P1", adopted_on=date(2020, 1, 1)), make_plan("P1")]
    with pytest.raises(InputError) as caught:
        due_duties(plans, AS_OF)
    assert caught.value.field == "plan_id"
    assert "duplicate" in caught.value.problem


# --- policy --------------------------------------------------------------------------------


def test_default_policy_is_the_table() -> None:
    policy = DutyPolicy()
    assert policy.months_for(Regime.COMAH_EXTERNAL, DutyKind.PREPARE) == 6
    assert policy.comah_prepare_extended_months == 9
    for regime in Regime:
        assert policy.months_for(regime, DutyKind.REVIEW) == 36
        assert policy.months_for(regime, DutyKind.EXERCISE) == 36
    assert policy.due_soon_days == 90
    assert policy.reminder_lead_days == (90, 30, 7)
    assert policy.overdue_reminder_every_days == 7


@pytest.mark.parametrize(
    ("regime", "kind", "months"),
    [
        (Regime.COMAH_EXTERNAL, DutyKind.REVIEW, 37),
        (Regime.COMAH_EXTERNAL, DutyKind.EXERCISE, 48),
        (Regime.COMAH_EXTERNAL, DutyKind.PREPARE, 7),
        (Regime.PIPELINE, DutyKind.REVIEW, 37),
        (Regime.REPPIR, DutyKind.REVIEW, 37),
        (Regime.REPPIR, DutyKind.EXERCISE, 37),
    ],
)
def test_statutory_intervals_cannot_be_lengthened(
    regime: Regime, kind: DutyKind, months: int
) -> None:
    with pytest.raises(ValueError, match="statutory"):
        DutyPolicy(interval_months={(regime, kind): months})


def test_statutory_extension_cannot_be_lengthened() -> None:
    with pytest.raises(ValueError, match="statutory"):
        DutyPolicy(comah_prepare_extended_months=10)


def test_statutory_interval_may_be_shortened() -> None:
    policy = DutyPolicy(interval_months={(Regime.COMAH_EXTERNAL, DutyKind.REVIEW): 12})
    duties = due_duties([make_plan(adopted_on=date(2024, 2, 29))], AS_OF, policy)
    assert [(d.duty, d.due_on) for d in duties] == [
        (DutyKind.REVIEW, date(2025, 2, 28)),
        (DutyKind.EXERCISE, date(2027, 2, 28)),
    ]


@pytest.mark.parametrize(
    ("regime", "kind"),
    [
        (Regime.PIPELINE, DutyKind.EXERCISE),
        (Regime.CCA_LOCAL, DutyKind.REVIEW),
        (Regime.CCA_LOCAL, DutyKind.EXERCISE),
    ],
)
def test_local_policy_intervals_may_be_lengthened(regime: Regime, kind: DutyKind) -> None:
    policy = DutyPolicy(interval_months={(regime, kind): 48})
    plan = make_plan(regime=regime, adopted_on=date(2022, 3, 31))
    duty = next(d for d in due_duties([plan], AS_OF, policy) if d.duty is kind)
    assert duty.due_on == date(2026, 3, 31)


def test_policy_window_changes_status() -> None:
    policy = DutyPolicy(due_soon_days=30)
    duty = only_duty(make_plan(adopted_on=date(2022, 3, 1)), DutyKind.REVIEW)
    assert duty.status is Status.DUE_SOON  # 59 days with the default window
    shorter = due_duties([make_plan(adopted_on=date(2022, 3, 1))], AS_OF, policy)
    assert {d.status for d in shorter} == {Status.OK}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"interval_months": {(Regime.PIPELINE, DutyKind.PREPARE): 6}},
        {"interval_months": {(Regime.CCA_LOCAL, DutyKind.REVIEW): 0}},
        {"due_soon_days": -1},
        {"reminder_lead_days": (30, 0)},
        {"overdue_reminder_every_days": 0},
    ],
)
def test_nonsense_policies_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DutyPolicy(**kwargs)  # type: ignore[arg-type]
