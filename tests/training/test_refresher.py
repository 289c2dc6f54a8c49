"""Refresher rules: municipal years, members once a year, responders every three years."""

from __future__ import annotations

from datetime import date

import pytest

from resilience.domain.duties.rules import Status, status_on
from resilience.domain.training.refresher import (
    DEFAULT_TRAINING_POLICY,
    TrainingPolicy,
    municipal_year,
    refresher_due_on,
)
from resilience.errors import InputError

JOINED = date(2023, 5, 4)


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2026, 4, 30), "2025/26", date(2025, 5, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), "2026/27", date(2026, 5, 1), date(2027, 4, 30)),
        (date(2027, 1, 1), "2026/27", date(2026, 5, 1), date(2027, 4, 30)),
        (date(2099, 12, 31), "2099/00", date(2099, 5, 1), date(2100, 4, 30)),
    ],
)
def test_municipal_year_runs_from_1_may_by_default(
    day: date, label: str, start: date, end: date
) -> None:
    year = municipal_year(day)
    assert (year.label, year.start, year.end) == (label, start, end)
    assert day in year


def test_the_start_of_the_municipal_year_is_local_policy() -> None:
    annual_meeting = TrainingPolicy(year_start=(5, 20))
    assert municipal_year(date(2026, 5, 19), annual_meeting).start == date(2025, 5, 20)
    assert municipal_year(date(2026, 5, 20), annual_meeting).start == date(2026, 5, 20)
    assert municipal_year(date(2026, 5, 20), annual_meeting).end == date(2027, 5, 19)


def member_due(
    attended: list[date], as_of: date, policy: TrainingPolicy = DEFAULT_TRAINING_POLICY
) -> date:
    return refresher_due_on("members", JOINED, attended, as_of, policy)


def test_a_session_on_the_last_day_of_a_year_covers_that_year_only() -> None:
    # 30 April 2026 is the last day of 2025/26: the member needs another session in 2026/27.
    assert member_due([date(2026, 4, 30)], as_of=date(2026, 5, 2)) == date(2027, 4, 30)
    due = member_due([date(2026, 4, 30)], as_of=date(2027, 5, 1))
    assert due == date(2027, 4, 30)
    assert status_on(due, date(2027, 5, 1)) is Status.OVERDUE


def test_a_session_on_the_first_day_of_a_year_covers_that_year() -> None:
    # 1 May 2026 opens 2026/27: nothing more is due until the end of 2027/28.
    assert member_due([date(2026, 5, 1)], as_of=date(2026, 5, 2)) == date(2028, 4, 30)
    assert status_on(date(2028, 4, 30), date(2027, 5, 1)) is Status.OK


def test_one_day_apart_across_the_boundary_changes_the_due_date_by_a_year() -> None:
    as_of = date(2026, 6, 1)
    assert member_due([date(2026, 5, 1)], as_of) - member_due([date(2026, 4, 30)], as_of) == (
        date(2028, 4, 30) - date(2027, 4, 30)
    )


def test_a_member_who_missed_last_year_is_overdue_until_they_attend() -> None:
    attended = [date(2024, 9, 12)]  # 2024/25
    assert member_due(attended, as_of=date(2026, 1, 5)) == date(2026, 4, 30)  # 2025/26 still open
    assert status_on(date(2026, 4, 30), date(2026, 5, 1)) is Status.OVERDUE
    # Attending in 2026/27 puts them right again.
    assert member_due([*attended, date(2026, 6, 3)], as_of=date(2026, 6, 4)) == date(2028, 4, 30)


def test_a_member_who_never_attended_is_due_by_the_end_of_the_year_they_joined() -> None:
    assert refresher_due_on("members", date(2026, 5, 21), [], date(2026, 6, 1)) == date(2027, 4, 30)
    assert refresher_due_on("members", date(2026, 4, 29), [], date(2026, 6, 1)) == date(2026, 4, 30)


def test_sessions_after_the_day_asked_about_do_not_count() -> None:
    assert member_due([date(2025, 9, 1), date(2026, 5, 10)], as_of=date(2026, 5, 2)) == date(
        2027, 4, 30
    )


def test_with_a_late_annual_meeting_may_sessions_belong_to_the_year_before() -> None:
    policy = TrainingPolicy(year_start=(5, 20))
    assert member_due([date(2026, 5, 15)], date(2026, 6, 1), policy) == date(2027, 5, 19)
    assert member_due([date(2026, 5, 20)], date(2026, 6, 1), policy) == date(2028, 5, 19)


def test_responders_train_every_three_years_from_their_last_session() -> None:
    due = refresher_due_on("responders", JOINED, [date(2024, 2, 29)], date(2026, 1, 1))
    assert due == date(2027, 2, 28)  # clamped to the month's end, as duties are
    # The municipal year does not matter to an interval rule.
    assert refresher_due_on("responders", JOINED, [date(2026, 4, 30)], date(2026, 5, 2)) == date(
        2029, 4, 30
    )


def test_a_new_responder_is_due_within_the_first_training_months() -> None:
    assert refresher_due_on("responders", date(2026, 1, 15), [], date(2026, 2, 1)) == date(
        2026, 7, 15
    )
    policy = TrainingPolicy(first_training_months=3)
    assert refresher_due_on("responders", date(2026, 1, 15), [], date(2026, 2, 1), policy) == date(
        2026, 4, 15
    )


def test_a_group_can_be_switched_between_rules() -> None:
    policy = TrainingPolicy(member_refresh_months=12, responder_refresh_months=None)
    assert refresher_due_on("members", JOINED, [date(2026, 4, 30)], date(2026, 5, 1), policy) == (
        date(2027, 4, 30)
    )
    assert refresher_due_on(
        "responders", JOINED, [date(2026, 4, 30)], date(2026, 5, 1), policy
    ) == date(2027, 4, 30)
    assert policy.rule_text("members") == "every year"
    assert policy.rule_text("responders") == "once every municipal year (from 1 May)"
    assert DEFAULT_TRAINING_POLICY.rule_text("responders") == "every 3 years"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"year_start": (2, 29)}, "year_start"),
        ({"year_start": (13, 1)}, "year_start"),
        ({"year_start": (4, 31)}, "year_start"),
        ({"responder_refresh_months": 0}, "responder_refresh_months"),
        ({"first_training_months": 0}, "first_training_months"),
    ],
)
def test_policy_values_out_of_range_are_refused(values: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        TrainingPolicy(**values)  # type: ignore[arg-type]
    assert caught.value.field == field
