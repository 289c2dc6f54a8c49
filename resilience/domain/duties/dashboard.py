"""The duties of stored plans: the one place a stored plan's dates become its duties (for the
dashboard, the reminders, the calendar feed, the briefing cards, the member pages and the annual
report), the dashboard's rows, filters and urgency order, its CSV, and the planning calendar.

Read-only services for the web app and the command line: no Flask, nothing written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.csv_export import spreadsheet_csv
from resilience.date_text import long_date
from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.rules import (
    DISCUSSION_BASED,
    Duty,
    DutyKind,
    DutyPolicy,
    PlanDates,
    PrepareBasis,
    Regime,
    Status,
    discussion_not_counted,
    plan_duties,
    status_on,
)
from resilience.domain.plans.exercises import all_exercises
from resilience.domain.plans.records import STATUSES_WITHOUT_DUTIES
from resilience.storage.models import Exercise, Plan

DUTY_LABELS: Mapping[DutyKind, str] = {
    DutyKind.PREPARE: "Prepare and adopt",
    DutyKind.REVIEW: "Review",
    DutyKind.EXERCISE: "Exercise",
}
STATUS_LABELS: Mapping[Status, str] = {
    Status.OVERDUE: "Overdue",
    Status.DUE_SOON: "Due soon",
    Status.OK: "OK",
}
CALENDAR_YEARS = 3


class PlanRecord(Protocol):
    """What the duties of a stored plan are worked out from: a ``Plan``, or a row selecting
    these columns of it (the reminder pass and the calendar feed read only these)."""

    @property
    def ref(self) -> str: ...
    @property
    def regime(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def adopted_on(self) -> date | None: ...
    @property
    def last_reviewed_on(self) -> date | None: ...
    @property
    def last_exercised_on(self) -> date | None: ...
    @property
    def notified_on(self) -> date | None: ...
    @property
    def extension_agreed(self) -> bool: ...
    @property
    def agreed_prepare_by(self) -> date | None: ...
    @property
    def prepare_basis(self) -> str | None: ...
    @property
    def review_extended_to(self) -> date | None: ...
    @property
    def exercise_extended_to(self) -> date | None: ...
    @property
    def last_exercise_type(self) -> str | None: ...
    @property
    def last_non_discussion_exercise_on(self) -> date | None: ...


# The columns of ``plans`` a PlanRecord needs, for queries that select rows rather than Plans.
PLAN_RECORD_COLUMNS = (
    Plan.ref,
    Plan.regime,
    Plan.status,
    Plan.adopted_on,
    Plan.last_reviewed_on,
    Plan.last_exercised_on,
    Plan.notified_on,
    Plan.extension_agreed,
    Plan.agreed_prepare_by,
    Plan.prepare_basis,
    Plan.review_extended_to,
    Plan.exercise_extended_to,
    Plan.last_exercise_type,
    Plan.last_non_discussion_exercise_on,
)

DUTY_WORDS: Mapping[DutyKind, str] = {
    DutyKind.PREPARE: "prepare the plan",
    DutyKind.REVIEW: "review the plan",
    DutyKind.EXERCISE: "exercise (test) the plan",
}
STATUS_WORDS: Mapping[Status, str] = {
    Status.OK: "on track",
    Status.DUE_SOON: "due soon",
    Status.OVERDUE: "overdue",
}


@dataclass(frozen=True)
class DutyRow:
    """One duty of one stored plan, with what a reader needs to act on it: the one record of a
    stored plan's duty that every page, reminder, feed and report is built from."""

    plan_ref: str
    plan_title: str
    regime: Regime
    owner: str
    marking: str
    duty: DutyKind
    due_on: date
    status: Status
    days_left: int
    basis: str
    statutory: bool
    # A duty to prepare a plan that does not exist yet (coverage.py) names its hazard instead
    # of a plan: ``plan_ref`` is empty and these say which record page to go to.
    hazard_ref: str = ""
    hazard_layer: str = ""
    # An exercise duty: the type of the plan's last exercise (None: none, or not known), and
    # whether that exercise was discussion-based only while the duty is statutory (flagged),
    # and if so whether local policy counts it as the test.
    last_exercise_type: str | None = None
    discussion_only: bool = False
    discussion_counted: bool = True

    @property
    def is_gap(self) -> bool:
        """Return whether this is a hazard that needs a plan and has none."""
        return bool(self.hazard_ref) and not self.plan_ref

    @property
    def words(self) -> str:
        """Return e.g. 'Review the plan: due by 20 May 2027 (on track)'."""
        what = DUTY_WORDS[self.duty].capitalize()
        return f"{what}: due by {long_date(self.due_on)} ({STATUS_WORDS[self.status]})"


def plan_dates(plan: PlanRecord) -> PlanDates:
    """Return the dates of a stored plan that decide its duties.

    Review and exercise dates count once a plan is adopted (DESIGN.md §2); before that only
    the duty to prepare it applies, whatever an exercise of the draft recorded.
    """
    adopted = plan.adopted_on is not None
    reppir = plan.regime == Regime.REPPIR
    return PlanDates(
        plan_id=plan.ref,
        regime=Regime(plan.regime),
        adopted_on=plan.adopted_on,
        last_reviewed_on=plan.last_reviewed_on if adopted else None,
        last_exercised_on=plan.last_exercised_on if adopted else None,
        notified_on=plan.notified_on,
        extension_agreed=bool(plan.extension_agreed),
        agreed_prepare_by=plan.agreed_prepare_by if not adopted else None,
        prepare_basis=PrepareBasis(plan.prepare_basis) if plan.prepare_basis else None,
        # Only a REPPIR regulator can agree them (reg. 12(3)); kept if the regime changes back.
        review_extended_to=plan.review_extended_to if reppir else None,
        exercise_extended_to=plan.exercise_extended_to if reppir else None,
        last_exercise_type=plan.last_exercise_type if adopted else None,
        last_non_discussion_exercise_on=plan.last_non_discussion_exercise_on if adopted else None,
    )


def stored_plan_duties(plan: PlanRecord, as_of: date, policy: DutyPolicy) -> list[Duty]:
    """Return a stored plan's duties on ``as_of``: none once it is withdrawn."""
    if plan.status in STATUSES_WITHOUT_DUTIES:
        return []
    return plan_duties(plan_dates(plan), as_of, policy)


def urgency(row: DutyRow) -> tuple[int, date, str, str]:
    """Return the dashboard's sort key: overdue first, then the soonest due."""
    rank = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OK: 2}[row.status]
    return (rank, row.due_on, row.plan_ref, row.duty.value)


def plan_duty_rows(plan: Plan, as_of: date, policy: DutyPolicy) -> list[DutyRow]:
    """Return one plan's duties on ``as_of``, the most urgent first (none once withdrawn)."""
    dates = plan_dates(plan)
    rows = []
    for duty in stored_plan_duties(plan, as_of, policy):
        tested = duty.duty is DutyKind.EXERCISE
        rows.append(
            DutyRow(
                plan_ref=plan.ref,
                plan_title=plan.title,
                regime=Regime(plan.regime),
                owner=plan.owner,
                marking=plan.marking,
                duty=duty.duty,
                due_on=duty.due_on,
                status=duty.status,
                days_left=duty.days_left,
                basis=duty.basis,
                statutory=duty.statutory,
                last_exercise_type=dates.last_exercise_type if tested else None,
                discussion_only=(
                    tested and duty.statutory and dates.last_exercise_type == DISCUSSION_BASED
                ),
                discussion_counted=not (tested and discussion_not_counted(dates, policy)),
            )
        )
    return sorted(rows, key=urgency)


def dashboard_duties(
    session: Session,
    as_of: date,
    policy: DutyPolicy,
    *,
    regime: Regime | None = None,
    owner: str | None = None,
) -> list[DutyRow]:
    """Return every plan's duties on ``as_of``, filtered by regime and owner, most urgent first."""
    query = select(Plan)
    if regime is not None:
        query = query.where(Plan.regime == regime.value)
    if owner:
        query = query.where(Plan.owner == owner)
    rows = [row for plan in session.scalars(query) for row in plan_duty_rows(plan, as_of, policy)]
    return sorted(rows, key=urgency)


def gap_rows(
    session: Session, as_of: date, policy: DutyPolicy, *, regime: Regime | None = None
) -> list[DutyRow]:
    """Return a duty to prepare a plan for each hazard that needs one and has none: due six
    months after the operator's information arrived where the establishment records that date,
    else today, as a plan with no date to count from is, so that a missing plan is never
    silently missing."""
    rows = []
    for gap in coverage(session).gaps:
        if regime is not None and gap.regime is not regime:
            continue
        due_on = gap.due_on(as_of, policy.months_for(Regime.COMAH_EXTERNAL, DutyKind.PREPARE))
        rows.append(
            DutyRow(
                plan_ref="",
                plan_title=gap.title,
                regime=gap.regime,
                owner="",
                marking="OFFICIAL",
                duty=DutyKind.PREPARE,
                due_on=due_on,
                status=status_on(due_on, as_of, policy.due_soon_days),
                days_left=(due_on - as_of).days,
                basis=gap.basis,
                statutory=True,
                hazard_ref=gap.hazard_ref,
                hazard_layer=gap.layer,
            )
        )
    return rows


def register_duties(
    session: Session,
    as_of: date,
    policy: DutyPolicy,
    *,
    regime: Regime | None = None,
    owner: str | None = None,
) -> list[DutyRow]:
    """Return every plan's duties and every missing plan's (unless filtered by an owner, which
    a missing plan has none of), most urgent first: what the dashboard and home page list."""
    rows = dashboard_duties(session, as_of, policy, regime=regime, owner=owner)
    if not owner:
        rows.extend(gap_rows(session, as_of, policy, regime=regime))
    return sorted(rows, key=urgency)


def plan_owners(session: Session) -> list[str]:
    """Return the distinct owners of plans, in order."""
    return list(
        session.scalars(select(Plan.owner).where(Plan.owner != "").distinct().order_by(Plan.owner))
    )


DUTY_CSV_COLUMNS = (
    "plan_id",
    "title",
    "regime",
    "owner",
    "duty",
    "due_on",
    "status",
    "days_left",
    "basis",
)


def duties_csv(rows: Iterable[DutyRow]) -> str:
    """Return the duties as spreadsheet-safe CSV text (CRLF line ends), in the order given."""
    return spreadsheet_csv(
        DUTY_CSV_COLUMNS,
        (
            (
                row.plan_ref,
                row.plan_title,
                row.regime.value,
                row.owner,
                row.duty.value,
                row.due_on.isoformat(),
                row.status.value,
                row.days_left,
                row.basis,
            )
            for row in rows
        ),
    )


EntryKind = Literal["planned_exercise", "duty"]


@dataclass(frozen=True)
class CalendarEntry:
    """Something on the calendar: a planned exercise, or a duty falling due."""

    on: date
    kind: EntryKind
    title: str
    plan_refs: tuple[str, ...] = ()
    exercise_id: int | None = None
    duty: DutyKind | None = None
    status: Status | None = None
    basis: str = ""
    projected: bool = False  # a later cycle, assuming the duty before it is done on time


@dataclass(frozen=True)
class CalendarMonth:
    first_day: date
    entries: tuple[CalendarEntry, ...]


@dataclass(frozen=True)
class PlanningCalendar:
    """Month by month from ``as_of``'s month, with what is already late kept apart."""

    as_of: date
    months: tuple[CalendarMonth, ...]
    overdue: tuple[DutyRow, ...]
    planned_in_past: tuple[Exercise, ...]


def planning_calendar(
    session: Session, as_of: date, policy: DutyPolicy, years: int = CALENDAR_YEARS
) -> PlanningCalendar:
    """Return planned exercises and due reviews, exercises and preparations, month by month."""
    start = as_of.replace(day=1)
    end = start + relativedelta(years=years)
    entries: list[CalendarEntry] = []
    overdue: list[DutyRow] = []
    plans = {plan.ref: plan for plan in session.scalars(select(Plan))}
    for row in dashboard_duties(session, as_of, policy):
        if row.status is Status.OVERDUE:
            overdue.append(row)
            continue
        title = row.plan_title
        due_on, projected = row.due_on, False
        months = _cycle_months(plans[row.plan_ref], row.duty, policy)
        while due_on < end:
            entries.append(
                CalendarEntry(
                    on=due_on,
                    kind="duty",
                    title=title,
                    plan_refs=(row.plan_ref,),
                    duty=row.duty,
                    status=row.status if not projected else None,
                    basis=row.basis,
                    projected=projected,
                )
            )
            if months is None:
                break
            due_on, projected = due_on + relativedelta(months=months), True
    planned, _ = all_exercises(session)
    past = tuple(e for e in planned if e.on < as_of)
    for exercise in planned:
        if as_of <= exercise.on < end:
            entries.append(
                CalendarEntry(
                    on=exercise.on,
                    kind="planned_exercise",
                    title=exercise.title,
                    plan_refs=tuple(plan.ref for plan in exercise.plans),
                    exercise_id=exercise.id,
                )
            )
    by_month: dict[date, list[CalendarEntry]] = {}
    for entry in entries:
        by_month.setdefault(entry.on.replace(day=1), []).append(entry)
    months_list = []
    month = start
    while month < end:
        found = sorted(by_month.get(month, []), key=lambda e: (e.on, e.kind, e.title))
        months_list.append(CalendarMonth(first_day=month, entries=tuple(found)))
        month += relativedelta(months=1)
    return PlanningCalendar(
        as_of=as_of, months=tuple(months_list), overdue=tuple(overdue), planned_in_past=past
    )


def _cycle_months(plan: Plan, duty: DutyKind, policy: DutyPolicy) -> int | None:
    """Return the interval after which a duty comes round again, or None for a one-off."""
    if duty is DutyKind.PREPARE:
        return None
    return policy.months_for(Regime(plan.regime), duty)
