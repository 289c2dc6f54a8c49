"""What a reminder says, in the e-mail and in the app: the same words in both."""

from __future__ import annotations

from datetime import date

from resilience.date_text import when
from resilience.domain.duties.rules import DutyKind
from resilience.scheduling.reminders import DueReminder

DUTY_NOUNS = {
    DutyKind.PREPARE: "Preparation",
    DutyKind.REVIEW: "Review",
    DutyKind.EXERCISE: "Exercise",
}
# Only a recorded review or exercise discharges a duty (DESIGN.md §2): say what will.
DISCHARGED_BY = {
    DutyKind.PREPARE: "recording the date the plan was adopted",
    DutyKind.REVIEW: "recording a review of the plan",
    DutyKind.EXERCISE: "recording an exercise (of any type) that tested the plan",
}
ROLE_REASONS = {
    "admin": "you are an administrator",
    "officer": "you are an emergency planning officer",
    "planner": "you are a planner",
}


def when_due(due_on: date, today: date) -> str:
    """Return how the due date stands on ``today``: due in N days, due today, overdue by N days."""
    days = (due_on - today).days
    if days > 1:
        return f"due in {days} days"
    if days == 1:
        return "due tomorrow"
    if days == 0:
        return "due today"
    if days == -1:
        return "overdue by 1 day"
    return f"overdue by {-days} days"


def headline(reminder: DueReminder, today: date) -> str:
    """Return the one-line summary: the e-mail's subject and the notification's title.

    Titles are checked for control characters where they are typed in; records stored before
    that check could still hold a line break, which must never become a header of its own.
    """
    text = _headline(reminder, today)
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _headline(reminder: DueReminder, today: date) -> str:
    duty = reminder.duty
    if reminder.is_partner:
        if reminder.undated:
            return f"{reminder.plan_title}: no date is recorded of the operator's last supply"
        status = when_due(reminder.due_on, today)
        return f"{reminder.plan_title}: the operator's next supply is {status}"
    if not isinstance(duty, DutyKind):
        return training_headline(reminder, today)
    noun = DUTY_NOUNS[duty]
    if reminder.is_gap and not reminder.undated:
        return f"{reminder.plan_title}: one must be prepared, {when_due(reminder.due_on, today)}"
    if reminder.is_gap:
        return f"{reminder.plan_title}: one must be prepared"
    if reminder.undated:
        return f"{noun} of {reminder.plan_title} is due: no date is recorded to count from"
    return f"{noun} of {reminder.plan_title} {when_due(reminder.due_on, today)}"


def _counted_from(basis: str) -> str:
    """Return what a missing plan's due date counts from, by the regulation requiring it."""
    if "REPPIR" in basis:
        return "eight months after the consequences report arrived (REPPIR 2019 reg. 11(4))"
    return "six months after the operator's information for the plan arrived"


def details(reminder: DueReminder, today: date) -> list[str]:
    """Return the body's lines: the plan, the duty, its date and status, and the law or policy."""
    duty = reminder.duty
    if reminder.is_partner:
        return partner_details(reminder, today)
    if not isinstance(duty, DutyKind):
        return training_details(reminder, today)
    if reminder.is_gap:
        return [
            f"Missing plan: {reminder.plan_title}",
            "Duty: prepare the plan, a statutory duty",
            (
                "Due: now: the register holds no plan of the kind the law requires for it"
                if reminder.undated
                else f"Due: {when(reminder.due_on, 'weekday')} "
                f"({when_due(reminder.due_on, today)}): {_counted_from(reminder.basis)}"
            ),
            f"Basis: {reminder.basis}",
            "",
            "This duty is discharged by recording a plan that covers it in the register.",
            f"You get this reminder because {ROLE_REASONS[reminder.recipient.role]}.",
        ]
    if reminder.undated:
        due = (
            "now: the plan has no adoption date, and nothing to count a preparation "
            "deadline from, so it is treated as due every day until it is adopted"
        )
    else:
        due = f"{when(reminder.due_on, 'weekday')} ({when_due(reminder.due_on, today)})"
    reason = "you own the plan" if reminder.is_owner else ROLE_REASONS[reminder.recipient.role]
    kind = "a statutory duty" if reminder.statutory else "local policy"
    return [
        f"Plan: {reminder.plan_title} ({reminder.plan_ref})",
        f"Duty: {DUTY_NOUNS[duty].lower()}, {kind}",
        f"Due: {due}",
        f"Basis: {reminder.basis}",
        "",
        f"This duty is discharged by {DISCHARGED_BY[duty]} in the register.",
        f"You get this reminder because {reason}.",
    ]


def partner_details(reminder: DueReminder, today: date) -> list[str]:
    """Return an operator's-duty reminder's lines: whose duty, by when, and what to do."""
    if reminder.undated:
        due = "now: the register holds no date of the operator's last supply"
    else:
        due = f"{when(reminder.due_on, 'weekday')} ({when_due(reminder.due_on, today)})"
    reason = (
        "you liaise with the operator"
        if reminder.is_owner
        else "you are an emergency planning officer and no liaison officer is named for it"
    )
    return [
        f"What: {reminder.plan_title}",
        "Duty: the operator supplies safety information to the people and places in its public "
        "information zone; the operator's duty, not the council's",
        f"Due: {due}",
        f"Basis: {reminder.basis}",
        "",
        "Ask the operator when it last supplied the information, and record the date with the "
        "establishment in the register.",
        f"You get this reminder because {reason}.",
    ]


def training_headline(reminder: DueReminder, today: date) -> str:
    """Return a refresher-training reminder's summary: whose training, how it stands, by when."""
    by = when(reminder.due_on, "weekday")
    status = when_due(reminder.due_on, today)
    if reminder.due_on < today:
        return f"Your refresher training is {status}: it was due by {by}"
    return f"Your refresher training is {status}: attend a session by {by}"


def training_details(reminder: DueReminder, today: date) -> list[str]:
    """Return a refresher-training reminder's lines: which training, by when, and the rule."""
    return [
        f"Training: {reminder.plan_title.lower()}, local policy",
        f"Due by: {when(reminder.due_on, 'weekday')} ({when_due(reminder.due_on, today)})",
        reminder.basis,
        "",
        "Attending a training session discharges it: the Training page lists the sessions planned.",
        "You get this reminder because it is your own training.",
    ]
