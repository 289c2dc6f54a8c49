"""The annual report's data: every figure with the records it counts, every line with its record.

Computed by ``resilience.reports.annual.content``; laid out by ``resilience.reports``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from resilience.date_text import long_date
from resilience.domain.duties.coverage import CoverageGap
from resilience.domain.duties.dashboard import DutyRow
from resilience.domain.duties.partners import PartnerDuty
from resilience.domain.duties.rules import DutyKind, Status
from resilience.domain.plans.consultation import ConsultationGap
from resilience.errors import InputError

STATUS_LABELS = {Status.OK: "On track", Status.DUE_SOON: "Due soon", Status.OVERDUE: "Overdue"}
MAX_PERIOD_YEARS = 3


@dataclass(frozen=True, order=True)
class Source:
    """One register record a figure or a line was taken from."""

    table: str
    id: int
    ref: str


@dataclass(frozen=True)
class Figure:
    """One number in the report and the records it counts."""

    key: str
    label: str
    value: int
    sources: tuple[Source, ...]


def figure(key: str, label: str, sources: Iterable[Source]) -> Figure:
    """Return a figure counting distinct ``sources``."""
    distinct = tuple(sorted(set(sources)))
    return Figure(key, label, len(distinct), distinct)


@dataclass(frozen=True)
class ReportPeriod:
    """The period a report covers, both days inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        """Raise InputError if the period ends before it starts or is longer than 3 years."""
        if self.end < self.start:
            raise InputError("The period must end on or after its first day", field="end")
        if self.end > self.start + relativedelta(years=MAX_PERIOD_YEARS):
            raise InputError(
                f"The period can be at most {MAX_PERIOD_YEARS} years long", field="end"
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"


def default_period(today: date, start_month: int = 6, start_day: int = 1) -> ReportPeriod:
    """Return the latest whole reporting year (1 June to 31 May by default) ended by ``today``."""
    end = date(today.year, start_month, start_day) - relativedelta(days=1)
    if end >= today:
        end -= relativedelta(years=1)
    return ReportPeriod(end + relativedelta(days=1) - relativedelta(years=1), end)


# --- the report's parts ------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyGroup:
    """The duties of one regime group, with counts by status."""

    key: str
    title: str
    lines: tuple[DutyRow, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class PlanActivity:
    """A plan reviewed, adopted or given a new version within the period."""

    on: date
    plan_ref: str
    plan_title: str
    what: str
    detail: str
    source: Source


@dataclass(frozen=True)
class ExerciseLine:
    """An exercise held in the period, with what it tested and who took part."""

    held_on: date
    title: str
    exercise_type: str
    plans: tuple[str, ...]
    sites: tuple[str, ...]
    organisations: tuple[str, ...]
    lessons_identified: int
    source: Source


@dataclass(frozen=True)
class SessionLine:
    """A training session held in the period and who attended."""

    on: date
    title: str
    audience: str
    topics: tuple[str, ...]
    invited: int
    members_attended: int
    responders_attended: int
    source: Source


@dataclass(frozen=True)
class OverdueLine:
    """A duty overdue at the end of the period, and why."""

    plan_ref: str
    plan_title: str
    duty: DutyKind
    due_on: date
    days_overdue: int
    basis: str
    statutory: bool
    reason: str
    source: Source


@dataclass(frozen=True)
class AnnualReport:
    """The whole report: figures and lines per section, each naming its records."""

    period: ReportPeriod
    generated_at: datetime
    register: tuple[Figure, ...]
    duty_groups: tuple[DutyGroup, ...]
    plan_activity: tuple[PlanActivity, ...]
    plan_figures: tuple[Figure, ...]
    exercises: tuple[ExerciseLine, ...]
    exercise_figures: tuple[Figure, ...]
    lesson_figures: tuple[Figure, ...]
    sessions: tuple[SessionLine, ...]
    training_figures: tuple[Figure, ...]
    overdue: tuple[OverdueLine, ...]
    overdue_figures: tuple[Figure, ...]
    notes: tuple[str, ...] = field(default=())
    # Upper-tier establishments and pipelines that no plan of their kind covered at the period's
    # end (resilience.domain.duties.coverage), and establishments whose tier was not recorded.
    coverage_gaps: tuple[CoverageGap, ...] = field(default=())
    coverage_figures: tuple[Figure, ...] = field(default=())
    unconfirmed_tiers: tuple[tuple[str, str], ...] = field(default=())
    # Adopted external plans whose latest version had no recorded consultation of a consultee
    # COMAH 2015 reg. 13(7) requires, at the period's end (resilience.domain.plans.consultation).
    consultation_gaps: tuple[ConsultationGap, ...] = field(default=())
    consultation_figures: tuple[Figure, ...] = field(default=())
    # Partners' duties at the period's end (resilience.domain.duties.partners): what operators
    # must do, kept apart from the council's duties and their counts.
    partner_duties: tuple[PartnerDuty, ...] = field(default=())
    partner_figures: tuple[Figure, ...] = field(default=())
    # The highest marking of what the report shows its reader (see resilience.domain.marking).
    marking: str = "OFFICIAL"

    @property
    def as_at(self) -> date:
        """Return the day the report's register and duties stand as at: the period's last day."""
        return self.period.end

    @property
    def all_figures(self) -> list[Figure]:
        """Return every figure in the order the report gives them."""
        groups = [f for g in self.duty_groups for f in g.figures]
        return [
            *self.register,
            *groups,
            *self.coverage_figures,
            *self.consultation_figures,
            *self.plan_figures,
            *self.exercise_figures,
            *self.lesson_figures,
            *self.training_figures,
            *self.overdue_figures,
            *self.partner_figures,
        ]

    def figure(self, key: str) -> Figure:
        """Return the figure with ``key``; KeyError if the report has none."""
        for item in self.all_figures:
            if item.key == key:
                return item
        raise KeyError(key)
