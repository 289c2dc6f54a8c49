"""When reminders about one duty go out: lead-time reminders before the due date, weekly after it.

Each occasion has a stable ``lead`` key, so the scheduler can claim (plan, duty, due_on, lead)
exactly once however often it recomputes the occasions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from resilience.domain.duties.rules import DEFAULT_POLICY, DutyPolicy


class ReminderOccasion(NamedTuple):
    """One reminder to send: the day, and the key that names it (``d-30``, ``overdue-2``)."""

    send_on: date
    lead: str


def reminder_occasions(
    due_on: date, until: date, policy: DutyPolicy = DEFAULT_POLICY
) -> list[ReminderOccasion]:
    """Return the reminders for a duty due on ``due_on`` sent on or before ``until``, by date.

    Lead reminders (``d-90``, ``d-30``, ``d-7`` by default) go out that many days before the due
    date. A duty is overdue from the day after its due date; the n-th weekly reminder
    (``overdue-n``) goes out n weeks after the due date, so the first one follows a full week's
    grace rather than landing the morning after a deadline that may have been met but not yet
    recorded. Nothing is sent on the due date itself: the ``d-7`` reminder covers it.
    """
    occasions = [
        ReminderOccasion(due_on - timedelta(days=days), f"d-{days}")
        for days in sorted(set(policy.reminder_lead_days), reverse=True)
    ]
    every = timedelta(days=policy.overdue_reminder_every_days)
    number = 1
    while (send_on := due_on + number * every) <= until:
        occasions.append(ReminderOccasion(send_on, f"overdue-{number}"))
        number += 1
    return [occasion for occasion in occasions if occasion.send_on <= until]


def occasions_in_words(policy: DutyPolicy = DEFAULT_POLICY) -> str:
    """Return when reminders go, in words: '90, 30 and 7 days before ... weekly while overdue'."""
    leads = [str(days) for days in sorted(set(policy.reminder_lead_days), reverse=True)]
    before = leads[0] if len(leads) == 1 else f"{', '.join(leads[:-1])} and {leads[-1]}"
    every = policy.overdue_reminder_every_days
    overdue = {1: "daily", 7: "weekly"}.get(every, f"every {every} days")
    unit = "day" if leads == ["1"] else "days"
    return f"{before} {unit} before the due date and {overdue} while overdue"
