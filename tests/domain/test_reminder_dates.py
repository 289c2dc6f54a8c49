"""Reminder occasions for one duty; dates worked out by hand."""

from __future__ import annotations

from datetime import date

from resilience.domain.duties.reminder_dates import ReminderOccasion, reminder_occasions
from resilience.domain.duties.rules import DutyPolicy

DUE = date(2025, 6, 30)
LEADS = [
    (date(2025, 4, 1), "d-90"),  # 30 (June) + 31 (May) + 29 (rest of April) days before
    (date(2025, 5, 31), "d-30"),
    (date(2025, 6, 23), "d-7"),
]


def test_nothing_before_the_first_lead() -> None:
    assert reminder_occasions(DUE, date(2025, 3, 31)) == []


def test_horizon_is_inclusive() -> None:
    assert reminder_occasions(DUE, date(2025, 4, 1)) == [(date(2025, 4, 1), "d-90")]


def test_lead_reminders_up_to_the_due_date() -> None:
    assert reminder_occasions(DUE, DUE) == LEADS


def test_nothing_on_the_due_date_or_before_a_week_overdue() -> None:
    assert reminder_occasions(DUE, date(2025, 7, 6)) == LEADS


def test_weekly_while_overdue() -> None:
    assert reminder_occasions(DUE, date(2025, 7, 21)) == [
        *LEADS,
        (date(2025, 7, 7), "overdue-1"),
        (date(2025, 7, 14), "overdue-2"),
        (date(2025, 7, 21), "overdue-3"),
    ]


def test_occasions_are_named_tuples() -> None:
    first = reminder_occasions(DUE, DUE)[0]
    assert isinstance(first, ReminderOccasion)
    assert (first.send_on, first.lead) == (date(2025, 4, 1), "d-90")


def test_keys_are_unique_over_a_long_overdue_spell() -> None:
    occasions = reminder_occasions(DUE, date(2026, 6, 30))
    leads = [occasion.lead for occasion in occasions]
    assert len(leads) == len(set(leads))
    # 365 days after the due date hold 52 whole weeks.
    assert leads[-1] == "overdue-52"
    assert occasions[-1].send_on == date(2026, 6, 29)


def test_lead_times_cross_a_leap_day() -> None:
    occasions = reminder_occasions(date(2024, 3, 30), date(2024, 3, 30))
    assert occasions == [
        (date(2023, 12, 31), "d-90"),  # 30 (March) + 29 (February) + 31 (January)
        (date(2024, 2, 29), "d-30"),
        (date(2024, 3, 23), "d-7"),
    ]


def test_policy_sets_leads_and_overdue_interval() -> None:
    policy = DutyPolicy(reminder_lead_days=(14, 60, 14), overdue_reminder_every_days=14)
    assert reminder_occasions(DUE, date(2025, 7, 28), policy) == [
        (date(2025, 5, 1), "d-60"),
        (date(2025, 6, 16), "d-14"),
        (date(2025, 7, 14), "overdue-1"),
        (date(2025, 7, 28), "overdue-2"),
    ]
