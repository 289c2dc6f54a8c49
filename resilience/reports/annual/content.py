"""The emergency planning annual report's content, computed from the register for one period.

Every number is a ``Figure`` that carries the records it was counted from (table, id and
reference), and every listed line names its record too, so the rendered report can say where
each of its figures came from. Rendering (HTML, PDF, Word) lives in ``resilience.reports``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from resilience.clock import local_date
from resilience.date_text import long_date
from resilience.domain.duties.coverage import coverage_of
from resilience.domain.duties.dashboard import DutyRow, plan_duty_rows
from resilience.domain.duties.partners import PartnerDuty, partner_duties_of
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import DutyKind, DutyPolicy, Regime, Status
from resilience.domain.marking import (
    OFFICIAL,
    UNCLEARED,
    WITHHELD,
    Reader,
    exercise_view,
    highest_marking,
    plan_view,
)
from resilience.domain.plans.consultation import consultation_gaps
from resilience.domain.plans.exercises import EXERCISE_TYPES
from resilience.domain.plans.reviews import REVIEW_OUTCOMES
from resilience.domain.training.refresher import load_training_policy
from resilience.reports.annual.as_at import (
    HazardAsAt,
    LaterChanges,
    hazards_at_end,
    later_changes,
    plans_at_end,
)
from resilience.reports.annual.model import (
    STATUS_LABELS,
    AnnualReport,
    DutyGroup,
    ExerciseLine,
    Figure,
    OverdueLine,
    PlanActivity,
    ReportPeriod,
    Source,
    default_period,
    figure,
)
from resilience.reports.annual.training import training_section
from resilience.storage.models import Exercise, Lesson, Plan, PlanReview, PlanVersion, Ward

# The report's duty groups, in the order the report gives them.
DUTY_GROUPS: tuple[tuple[str, str, tuple[Regime, ...]], ...] = (
    ("comah", "COMAH establishments (COMAH 2015)", (Regime.COMAH_EXTERNAL,)),
    ("pipelines", "Major accident hazard pipelines (PSR 1996)", (Regime.PIPELINE,)),
    ("reppir", "Radiation sites (REPPIR 2019)", (Regime.REPPIR,)),
    ("cca", "Civil contingencies (CCA 2004)", (Regime.CCA_LOCAL,)),
)
__all__ = [
    "STATUS_LABELS",
    "AnnualReport",
    "Figure",
    "ReportPeriod",
    "Source",
    "annual_report",
    "authority_name",
    "default_period",
]

# --- computing it -------------------------------------------------------------------------------


def plan_source(plan: Plan) -> Source:
    return Source("plans", plan.id, plan.ref)


def _register_figures(hazards: Sequence[HazardAsAt], plans: Sequence[Plan]) -> tuple[Figure, ...]:
    def hazard_source(h: HazardAsAt) -> Source:
        return Source("hazards", h.id, h.ref)

    establishments = [h for h in hazards if h.kind == "establishment"]
    return (
        figure(
            "register.establishments",
            "COMAH establishments in the register",
            map(hazard_source, establishments),
        ),
        figure(
            "register.upper_tier",
            "Upper-tier COMAH establishments in the register",
            (hazard_source(h) for h in establishments if h.tier == "upper"),
        ),
        figure(
            "register.pipelines",
            "Major accident hazard pipelines in the register",
            (hazard_source(h) for h in hazards if h.kind == "pipeline"),
        ),
        figure("register.plans", "Emergency plans in the register", map(plan_source, plans)),
    )


def duty_source(plan: Plan, row: DutyRow) -> Source:
    """Return the record a duty line of the report counts: the plan, and which of its duties."""
    return Source("plans", plan.id, f"{plan.ref} ({row.duty.value})")


def _duty_groups(
    plans: Sequence[Plan], as_of: date, policy: DutyPolicy
) -> tuple[tuple[DutyGroup, ...], list[tuple[Plan, DutyRow]]]:
    groups = []
    every: list[tuple[Plan, DutyRow]] = []
    for key, title, regimes in DUTY_GROUPS:
        lines = [
            (plan, row)
            for plan in plans
            if Regime(plan.regime) in regimes
            for row in plan_duty_rows(plan, as_of, policy)
        ]
        if not lines and key == "reppir":
            continue  # no radiation sites: leave the group out rather than show an empty table
        lines.sort(key=lambda item: (item[1].plan_ref, item[1].duty.value))
        every.extend(lines)
        figures = tuple(
            figure(
                f"duties.{key}.{status.value}",
                f"{title}: duties {STATUS_LABELS[status].lower()}",
                (duty_source(plan, row) for plan, row in lines if row.status is status),
            )
            for status in (Status.OK, Status.DUE_SOON, Status.OVERDUE)
        )
        groups.append(DutyGroup(key, title, tuple(row for _, row in lines), figures))
    return tuple(groups), every


def _plan_activity(
    session: Session, plans: Sequence[Plan], period: ReportPeriod, reader: Reader
) -> tuple[tuple[PlanActivity, ...], tuple[Figure, ...], set[str]]:
    by_id = {p.id: p for p in plans}
    views = {p.id: plan_view(p, reader) for p in plans}
    revealed: set[str] = set()
    outcomes = dict(REVIEW_OUTCOMES)
    activity: list[PlanActivity] = []
    reviews = session.scalars(
        select(PlanReview).where(
            PlanReview.reviewed_on >= period.start, PlanReview.reviewed_on <= period.end
        )
    ).all()
    reviewed_days = set()
    for review in reviews:
        if review.plan_id not in by_id:
            continue  # a plan entered after the period ended
        plan = by_id[review.plan_id]
        reviewed_days.add((plan.id, review.reviewed_on))
        view = views[plan.id]
        reviewer = WITHHELD if view.withheld else review.reviewer
        revealed.add(view.revealed_marking)
        activity.append(
            PlanActivity(
                review.reviewed_on,
                plan.ref,
                plan.title,
                "Reviewed",
                f"{outcomes.get(review.outcome, review.outcome)} (reviewer: {reviewer})",
                Source("plan_reviews", review.id, f"{plan.ref} review of {review.reviewed_on}"),
            )
        )
    for plan in plans:
        # A review date recorded on the plan itself (e.g. loaded from a file) with no review
        # record behind it still counts: the plan record is then the source.
        day = plan.last_reviewed_on
        if day in period and (plan.id, day) not in reviewed_days:
            assert day is not None
            activity.append(
                PlanActivity(
                    day,
                    plan.ref,
                    plan.title,
                    "Reviewed",
                    "Review date on the plan record",
                    plan_source(plan),
                )
            )
        if plan.adopted_on in period:
            assert plan.adopted_on is not None
            activity.append(
                PlanActivity(
                    plan.adopted_on, plan.ref, plan.title, "Adopted", "", plan_source(plan)
                )
            )
    versions = session.scalars(select(PlanVersion)).all()
    for version in versions:
        day = local_date(version.uploaded_at)
        if day in period and version.plan_id in by_id:
            plan = by_id[version.plan_id]
            view = views[plan.id]
            summary = "" if view.withheld else version.change_summary
            if summary:
                revealed.add(view.revealed_marking)
            activity.append(
                PlanActivity(
                    day,
                    plan.ref,
                    plan.title,
                    "New version",
                    f"Version {version.label}" + (f": {summary}" if summary else ""),
                    Source("plan_versions", version.id, f"{plan.ref} version {version.label}"),
                )
            )
    activity.sort(key=lambda a: (a.on, a.plan_ref, a.what))
    figures = (
        figure(
            "plans.reviewed",
            "Plans reviewed",
            (plan_source(by_id[_plan_id(a, plans)]) for a in activity if a.what == "Reviewed"),
        ),
        figure(
            "plans.reviews",
            "Reviews recorded",
            (a.source for a in activity if a.what == "Reviewed"),
        ),
        figure(
            "plans.adopted", "Plans adopted", (a.source for a in activity if a.what == "Adopted")
        ),
        figure(
            "plans.versions",
            "New plan versions issued",
            (a.source for a in activity if a.what == "New version"),
        ),
    )
    return tuple(activity), figures, revealed


def _plan_id(activity: PlanActivity, plans: Sequence[Plan]) -> int:
    return next(p.id for p in plans if p.ref == activity.plan_ref)


def _exercises(
    exercises: Sequence[Exercise],
    plans: Sequence[Plan],
    hazards: Sequence[HazardAsAt],
    period: ReportPeriod,
    reader: Reader,
) -> tuple[tuple[ExerciseLine, ...], tuple[Figure, ...], tuple[Figure, ...], set[str]]:
    names = {h.ref: h.name for h in hazards}
    ids = {h.ref: h.id for h in hazards}
    types = dict(EXERCISE_TYPES)
    held = sorted(
        (e for e in exercises if e.status == "held" and e.held_on in period),
        key=lambda e: (e.on, e.id),
    )
    lines = []
    site_sources: set[Source] = set()
    views = {e.id: exercise_view(e, reader) for e in exercises}
    revealed: set[str] = set()
    for exercise in held:
        view = views[exercise.id]
        if view.organisations or view.participants or view.lessons:
            revealed.add(view.revealed_marking)
        refs = set(exercise.hazard_refs or []) | {r for p in exercise.plans for r in p.hazard_refs}
        site_sources |= {Source("hazards", ids[r], r) for r in refs if r in ids}
        lines.append(
            ExerciseLine(
                held_on=exercise.on,
                title=exercise.title,
                exercise_type=types.get(exercise.exercise_type, exercise.exercise_type),
                plans=tuple(p.title for p in exercise.plans),
                sites=tuple(sorted(names.get(r, r) for r in refs)),
                # Those from the organisations list, then any others written in.
                organisations=tuple(
                    dict.fromkeys((*view.participants, *split_organisations(view.organisations)))
                ),
                lessons_identified=len(exercise.lessons),
                source=Source("exercises", exercise.id, exercise.title),
            )
        )
    exercise_sources = [line.source for line in lines]
    tested = {plan_source(p) for e in held for p in e.plans}
    exercise_figures = (
        figure("exercises.held", "Exercises held", exercise_sources),
        figure("exercises.plans_tested", "Plans tested by an exercise", tested),
        figure("exercises.sites", "Sites and pipelines exercised", site_sources),
    )
    # Lessons: identified at exercises held in the period; closed in the period (whenever
    # identified); still open at its end.
    lessons = [lesson for e in exercises for lesson in e.lessons]
    held_ids = {e.id for e in held}

    def lesson_source(lesson: Lesson) -> Source:
        view = views[lesson.exercise_id]
        revealed.add(view.revealed_marking)
        what = WITHHELD if view.withheld else lesson.description[:60]
        return Source("lessons", lesson.id, f"{lesson.exercise.title}: {what}")

    open_at_end = [
        lesson
        for lesson in lessons
        if lesson.exercise.held_on is not None
        and lesson.exercise.held_on <= period.end
        and (lesson.closed_on is None or lesson.closed_on > period.end)
    ]
    lesson_figures = (
        figure(
            "lessons.identified",
            "Lessons identified",
            (lesson_source(lesson) for lesson in lessons if lesson.exercise_id in held_ids),
        ),
        figure(
            "lessons.closed",
            "Lessons closed",
            (lesson_source(lesson) for lesson in lessons if lesson.closed_on in period),
        ),
        figure(
            "lessons.open", "Lessons open at the end of the period", map(lesson_source, open_at_end)
        ),
        figure(
            "lessons.open_overdue",
            "Open lessons past their due date",
            (lesson_source(lesson) for lesson in open_at_end if lesson.due_on < period.end),
        ),
    )
    return tuple(lines), exercise_figures, lesson_figures, revealed


def split_organisations(text: str) -> tuple[str, ...]:
    """Return the organisations of an exercise, one per line or comma, in order, once each."""
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.split(",")]
    return tuple(dict.fromkeys(p for p in parts if p))


def overdue_reason(plan: Plan, line: DutyRow, reader: Reader = UNCLEARED) -> str:
    """Return why a duty is overdue, from the plan's own dates and the note ``reader`` may see."""
    if line.duty is DutyKind.PREPARE:
        if plan.notified_on is not None:
            reason = (
                f"The plan has not been adopted; the operator's information was received on "
                f"{long_date(plan.notified_on)}."
            )
        else:
            reason = "The plan has not been adopted and no notification date is recorded."
    else:
        last = plan.last_reviewed_on if line.duty is DutyKind.REVIEW else plan.last_exercised_on
        verb = "reviewed" if line.duty is DutyKind.REVIEW else "exercised"
        if last is None and plan.adopted_on is not None:
            adopted = long_date(plan.adopted_on)
            reason = f"No {line.duty.value} recorded since the plan was adopted on {adopted}."
        elif last is not None and line.duty is DutyKind.EXERCISE and not line.discussion_counted:
            beyond = plan.last_non_discussion_exercise_on
            reason = (
                f"The last exercise, on {long_date(last)}, was discussion-based, which local "
                "policy does not count as the statutory test; "
                + (
                    f"the last exercise beyond a discussion was on {long_date(beyond)}."
                    if beyond is not None
                    else "no exercise beyond a discussion is recorded."
                )
            )
        elif last is not None:
            reason = f"Last {verb} on {long_date(last)}; nothing recorded since."
        else:
            reason = f"No {line.duty.value} recorded."
    note = plan_view(plan, reader).note.strip()
    if note:
        reason += f" Note on the plan: {note}"
    return reason


def annual_report(
    session: Session, period: ReportPeriod, generated_at: datetime, reader: Reader = UNCLEARED
) -> AnnualReport:
    """Return the annual report for ``period`` as ``reader`` may see it, marked with the highest
    marking of what it shows: the register as it stood at the period's end (see ``as_at``), with
    duty and training status as on that day."""
    hazards = hazards_at_end(session, period.end)
    plans = plans_at_end(session, period.end)
    exercises = list(
        session.scalars(
            select(Exercise).options(selectinload(Exercise.plans), selectinload(Exercise.lessons))
        )
    )
    duty_policy = stored_policy(session)
    groups, all_lines = _duty_groups(plans, period.end, duty_policy)
    by_ref = {plan.ref: plan for plan in plans}
    covered = coverage_of(hazards, plans)
    coverage_figures = (
        figure(
            "coverage.gaps",
            "Upper-tier establishments and pipelines with no plan at the end of the period",
            (Source("hazards", gap.hazard_id, gap.hazard_ref) for gap in covered.gaps),
        ),
    )
    partners = tuple(partner_duties_of(hazards, period.end, duty_policy.due_soon_days))
    unconsulted = tuple(consultation_gaps(session, plans, as_of=period.end))
    consultation_figures = (
        figure(
            "consultation.gaps",
            "Adopted external plans with no recorded consultation of every consultee "
            "reg. 13(7) requires, at the end of the period",
            (Source("plans", by_ref[gap.plan_ref].id, gap.plan_ref) for gap in unconsulted),
        ),
    )
    activity, plan_figures, revealed = _plan_activity(session, plans, period, reader)
    exercise_lines, exercise_figures, lesson_figures, seen = _exercises(
        exercises, plans, hazards, period, reader
    )
    revealed |= seen
    sessions, training_figures = training_section(session, period, load_training_policy(session))
    overdue = tuple(
        OverdueLine(
            plan_ref=line.plan_ref,
            plan_title=line.plan_title,
            duty=line.duty,
            due_on=line.due_on,
            days_overdue=(period.end - line.due_on).days,
            basis=line.basis,
            statutory=line.statutory,
            reason=overdue_reason(plan, line, reader),
            source=duty_source(plan, line),
        )
        for plan, line in sorted(all_lines, key=lambda item: (item[1].due_on, item[1].plan_ref))
        if line.status is Status.OVERDUE
    )
    revealed |= {
        plan_view(plan, reader).revealed_marking
        for plan, line in all_lines
        if line.status is Status.OVERDUE and plan_view(plan, reader).note.strip()
    }
    overdue_figures = (
        figure(
            "overdue.duties", "Duties overdue at the end of the period", (o.source for o in overdue)
        ),
        figure(
            "overdue.statutory",
            "Statutory duties overdue at the end of the period",
            (o.source for o in overdue if o.statutory),
        ),
    )
    return AnnualReport(
        period=period,
        generated_at=generated_at,
        register=_register_figures(hazards, plans),
        duty_groups=groups,
        plan_activity=activity,
        plan_figures=plan_figures,
        exercises=exercise_lines,
        exercise_figures=exercise_figures,
        lesson_figures=lesson_figures,
        sessions=sessions,
        training_figures=training_figures,
        overdue=overdue,
        coverage_gaps=covered.gaps,
        coverage_figures=coverage_figures,
        unconfirmed_tiers=covered.unconfirmed_tiers,
        consultation_gaps=unconsulted,
        consultation_figures=consultation_figures,
        overdue_figures=overdue_figures,
        partner_duties=partners,
        partner_figures=partner_figures(partners),
        notes=later_notes(later_changes(session, period.start, period.end)),
        marking=highest_marking(revealed | {OFFICIAL}),
    )


def partner_figures(duties: tuple[PartnerDuty, ...]) -> tuple[Figure, ...]:
    """Return the counts of the operators' duties at the period's end, each with its sites."""

    def sources(chosen: Iterable[PartnerDuty]) -> Iterator[Source]:
        return (Source("hazards", d.hazard_id, d.hazard_ref) for d in chosen)

    return (
        figure(
            "partners.public_information",
            "Upper-tier operators who must inform the public in their PIZ",
            sources(duties),
        ),
        figure(
            "partners.public_information_overdue",
            "Operators' public information in the PIZ overdue at the end of the period",
            sources(d for d in duties if d.status is Status.OVERDUE),
        ),
        figure(
            "partners.public_information_unrecorded",
            "Operators whose last supply of public information is not recorded",
            sources(d for d in duties if not d.is_dated),
        ),
    )


def later_notes(later: LaterChanges) -> tuple[str, ...]:
    """Return what the report says about records of its period entered or corrected since."""
    notes = []
    if later.changed:
        were = (
            "record dated in this period was"
            if later.changed == 1
            else ("records dated in this period were")
        )
        notes.append(
            f"{later.changed:,} {were} changed or removed after the period ended; "
            "the figures count them as they are now."
        )
    if later.entered:
        were = (
            "record dated in this period was"
            if later.entered == 1
            else ("records dated in this period were")
        )
        notes.append(f"{later.entered:,} {were} entered in the register after the period ended.")
    return tuple(notes)


def authority_name(session: Session) -> str:
    """Return the council the register is for: the local authority most of its wards are in."""
    row = session.execute(
        select(Ward.lad_name, func.count())
        .where(Ward.lad_name != "")
        .group_by(Ward.lad_name)
        .order_by(func.count().desc(), Ward.lad_name)
        .limit(1)
    ).first()
    return str(row[0]) if row else "the council"
