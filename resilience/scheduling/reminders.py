"""Which reminders are due on a day: each plan duty's latest occasion, to each recipient.

Recipients (the whole rule): every active user whose role is admin, officer or planner, and
also the active user whose e-mail address is the plan's ``owner`` (compared without case), whatever
their role. Staff see every plan's deadlines; an elected member who owns a plan sees its own.

Occasions come from ``resilience.domain.duties.reminder_dates``: d-90, d-30, d-7, then weekly
overdue-n.
On any day, what is due for a duty is its *latest* occasion on or before that day. An occasion
never sent while it was the latest (the scheduler was down across two of them) is superseded by
the newer one, which says how things stand now; sending both would say the same thing twice.
A plan with nothing to count a preparation date from is due "today" every day (DESIGN.md §2), so
its reminder goes weekly: one per calendar week, keyed by the week's Monday and lead ``undated``.

A hazard with no plan (coverage.py) reminds staff weekly, or, where the operator's information
for an establishment's plan is recorded, on the occasions of the date the plan is due.

Partners' duties (``resilience.domain.duties.partners``, the operator's public information in its
PIZ) go through the same system as pseudo-plans ``PIZ-<hazard id>`` with the duty
``public_information``, on the same occasions (weekly when no date is recorded), to the officer
named as liaising with the operator when that is an active user, else to every active
emergency planning officer: it is the operator's duty, so the reminder asks the officer who
deals with the operator to follow it up.

Refresher training goes through the same system: each active user's own training is a duty
``training`` of a pseudo-plan ``TRAINING-<user id>``, due by the date
``resilience.domain.training.refresher`` works out, on the same occasions, to that person alone
(``training_reminders``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.dashboard import PLAN_RECORD_COLUMNS, plan_dates, stored_plan_duties
from resilience.domain.duties.partners import PUBLIC_INFORMATION_DUTY, PartnerDuty, partner_duties
from resilience.domain.duties.reminder_dates import reminder_occasions
from resilience.domain.duties.rules import (
    DEFAULT_POLICY,
    Duty,
    DutyKind,
    DutyPolicy,
    PlanDates,
    Regime,
    check_plan,
)
from resilience.domain.training.refresher import (
    COHORTS,
    TRAINING_REMINDER_DUTY,
    TrainingReminder,
    cohort_of,
    training_reminders,
)
from resilience.errors import InputError
from resilience.scheduling.claims import ReminderKey
from resilience.storage.models import Plan, User

log = logging.getLogger(__name__)

RECIPIENT_ROLES = frozenset({"admin", "officer", "planner"})
UNDATED_LEAD = "undated"
# What a reminder is about: a duty of a plan, an operator's duty, or someone's own training.
ReminderDuty = DutyKind | Literal["training", "public_information"]


@dataclass(frozen=True)
class Recipient:
    """Someone a reminder goes to."""

    user_id: int
    email: str
    role: str


@dataclass(frozen=True)
class DueReminder:
    """One reminder due to one recipient, with what its message needs to say."""

    plan_ref: str  # a training reminder's is TRAINING-<user id>
    plan_title: str
    duty: ReminderDuty
    due_on: date
    lead: str
    send_on: date
    basis: str
    statutory: bool
    recipient: Recipient
    is_owner: bool
    # A hazard that needs a plan and has none (coverage.py), or an operator's duty (partners.py):
    # its record page, and plan_ref is COVER-<hazard id> or PIZ-<hazard id>.
    hazard_page: str = ""

    @property
    def is_gap(self) -> bool:
        """Return whether this reminds staff that a hazard has no plan at all."""
        return bool(self.hazard_page) and isinstance(self.duty, DutyKind)

    @property
    def is_partner(self) -> bool:
        """Return whether this reminds the liaison officer of an operator's duty."""
        return self.duty == PUBLIC_INFORMATION_DUTY

    @property
    def key(self) -> ReminderKey:
        """Return the claim key: plan, duty, due date, lead and recipient e-mail."""
        return ReminderKey(self.plan_ref, str(self.duty), self.due_on, self.lead, self.email)

    @property
    def email(self) -> str:
        """Return the recipient's e-mail address."""
        return self.recipient.email

    @property
    def is_training(self) -> bool:
        """Return whether this reminds someone of their own refresher training."""
        return self.duty == TRAINING_REMINDER_DUTY

    @property
    def undated(self) -> bool:
        """Return whether this is the weekly reminder of a plan with no date to count from."""
        return self.lead == UNDATED_LEAD


def recipients(session: Session) -> tuple[list[Recipient], dict[str, Recipient]]:
    """Return the staff who get every reminder, and every active user by lower-case e-mail."""
    rows = session.execute(
        select(User.id, User.email, User.role).where(User.active.is_(True)).order_by(User.id)
    )
    by_email = {email.lower(): Recipient(uid, email.lower(), role) for uid, email, role in rows}
    staff = [user for user in by_email.values() if user.role in RECIPIENT_ROLES]
    return staff, by_email


def is_undated(plan: PlanDates) -> bool:
    """Return whether an unadopted plan has no notification date to count its preparation from."""
    return plan.adopted_on is None and not (
        plan.regime is Regime.COMAH_EXTERNAL and plan.notified_on is not None
    )


def week_start(day: date) -> date:
    """Return the Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def due_reminders(
    session: Session, today: date, policy: DutyPolicy = DEFAULT_POLICY
) -> list[DueReminder]:
    """Return every reminder due on ``today`` (claimed or not): plan duties, then training."""
    staff, by_email = recipients(session)
    due = plan_duty_reminders(session, today, policy, staff, by_email)
    due.extend(coverage_reminders(session, today, staff, policy))
    due.extend(partner_reminders(session, today, policy, staff, by_email))
    due.extend(
        training_reminder(reminder, by_email)
        for reminder in training_reminders(session, today, policy)
        if reminder.email.lower() in by_email
    )
    return due


def training_reminder(reminder: TrainingReminder, by_email: dict[str, Recipient]) -> DueReminder:
    """Return a refresher-training reminder as the DueReminder the pass claims and sends."""
    person = by_email[reminder.email.lower()]
    return DueReminder(
        plan_ref=reminder.ref,
        plan_title=f"Refresher training for {COHORTS[cohort_of(person.role)].lower()}",
        duty=TRAINING_REMINDER_DUTY,
        due_on=reminder.due_on,
        lead=reminder.lead,
        send_on=reminder.send_on,
        basis=reminder.detail,
        statutory=False,
        recipient=person,
        is_owner=False,
    )


def coverage_reminders(
    session: Session,
    today: date,
    staff: Iterable[Recipient],
    policy: DutyPolicy = DEFAULT_POLICY,
) -> list[DueReminder]:
    """Return the reminders that a hazard needs a plan and none covers it, to every staff member:
    weekly (each Monday's week once) until a plan covering it is recorded, or, where the date
    the operator's information arrived is recorded, on the occasions of the plan's due date."""
    people = list(staff)
    months = policy.months_for(Regime.COMAH_EXTERNAL, DutyKind.PREPARE)
    due: list[DueReminder] = []
    for gap in coverage(session).gaps:
        when = latest_occasion(gap.due_on(today, months) if gap.is_dated else None, today, policy)
        if when is None:
            continue
        due_on, send_on, lead = when
        due.extend(
            DueReminder(
                plan_ref=gap.reminder_ref,
                plan_title=gap.title,
                duty=DutyKind.PREPARE,
                due_on=due_on,
                lead=lead,
                send_on=send_on,
                basis=gap.basis,
                statutory=True,
                recipient=person,
                is_owner=False,
                hazard_page=f"/{gap.layer}/{quote(gap.hazard_ref, safe='')}",
            )
            for person in people
        )
    return due


def latest_occasion(
    due_on: date | None, today: date, policy: DutyPolicy
) -> tuple[date, date, str] | None:
    """Return (due date, send date, lead) of the reminder due on ``today`` for a duty due on
    ``due_on``: its latest occasion, or with no date this week's (keyed on its Monday); None
    when no occasion has come yet."""
    if due_on is None:
        monday = week_start(today)
        return monday, monday, UNDATED_LEAD
    occasions = reminder_occasions(due_on, today, policy)
    if not occasions:
        return None
    send_on, lead = occasions[-1]
    return due_on, send_on, lead


def partner_reminders(
    session: Session,
    today: date,
    policy: DutyPolicy,
    staff: Iterable[Recipient],
    by_email: dict[str, Recipient],
) -> list[DueReminder]:
    """Return the reminders of operators' duties due on ``today``: to the officer who liaises
    with the operator, else (none named, or not an active user) to every officer."""
    officers = [person for person in staff if person.role == "officer"]
    due: list[DueReminder] = []
    for duty in partner_duties(session, today, policy.due_soon_days):
        when = latest_occasion(duty.due_on if duty.is_dated else None, today, policy)
        if when is None:
            continue
        liaison = by_email.get(duty.liaison_officer.strip().lower())
        due.extend(partner_reminder(duty, when, person) for person in [liaison] if person)
        if liaison is None:
            due.extend(partner_reminder(duty, when, person) for person in officers)
    return due


def partner_reminder(
    duty: PartnerDuty, when: tuple[date, date, str], person: Recipient
) -> DueReminder:
    """Return one reminder of an operator's duty to one person."""
    due_on, send_on, lead = when
    return DueReminder(
        plan_ref=duty.reminder_ref,
        plan_title=duty.title,
        duty=PUBLIC_INFORMATION_DUTY,
        due_on=due_on,
        lead=lead,
        send_on=send_on,
        basis=duty.basis,
        statutory=duty.statutory,
        recipient=person,
        # For an operator's duty, "owner" is the officer named as liaising with the operator.
        is_owner=person.email == duty.liaison_officer.strip().lower(),
        hazard_page=f"/establishments/{quote(duty.hazard_ref, safe='')}",
    )


def plan_duty_reminders(
    session: Session,
    today: date,
    policy: DutyPolicy,
    staff: list[Recipient],
    by_email: dict[str, Recipient],
) -> list[DueReminder]:
    """Return the reminders of every plan's duties due on ``today``, to each recipient."""
    rows = session.execute(select(Plan.title, Plan.owner, *PLAN_RECORD_COLUMNS).order_by(Plan.ref))
    due: list[DueReminder] = []
    for row in rows:
        ref, title, owner = row.ref, row.title, row.owner
        plan = plan_dates(row)
        try:
            check_plan(plan)
        except InputError as error:
            # One bad row must not stop everybody else's reminders; the register shows it.
            log.warning("plan %s: no reminders: %s", ref, error)
            continue
        owner_user = by_email.get(owner.strip().lower())
        people = staff if owner_user is None or owner_user in staff else [*staff, owner_user]
        if people:
            duties = stored_plan_duties(row, today, policy)
            due.extend(plan_reminders(plan, duties, title, people, owner_user, today, policy))
    return due


def plan_reminders(
    plan: PlanDates,
    duties: Iterable[Duty],
    title: str,
    people: Iterable[Recipient],
    owner: Recipient | None,
    today: date,
    policy: DutyPolicy = DEFAULT_POLICY,
) -> list[DueReminder]:
    """Return reminders of a plan's ``duties`` due on ``today``, one per occasion and person."""
    people = list(people)
    due: list[DueReminder] = []
    for duty in duties:
        if duty.duty is DutyKind.PREPARE and is_undated(plan):
            due_on = send_on = week_start(today)
            lead = UNDATED_LEAD
        else:
            occasions = reminder_occasions(duty.due_on, today, policy)
            if not occasions:
                continue
            due_on = duty.due_on
            send_on, lead = occasions[-1]
        due.extend(
            DueReminder(
                plan_ref=plan.plan_id,
                plan_title=title,
                duty=duty.duty,
                due_on=due_on,
                lead=lead,
                send_on=send_on,
                basis=duty.basis,
                statutory=duty.statutory,
                recipient=person,
                is_owner=person == owner,
            )
            for person in people
        )
    return due
