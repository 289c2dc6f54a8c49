"""Plans and their records: reviews, exercises, lessons, document versions, the duties they
discharge, the local policy, the duties dashboard and the three-year calendar.

Services for the web app and the command line: no Flask, and nothing here commits (the caller's
unit of work does). Bad input raises InputError whose ``field`` names the value at fault.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import mimetypes
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.duties import (
    COMAH_PREPARE_EXTENDED_MONTHS,
    OVERDUE_REMINDER_EVERY_DAYS,
    REMINDER_LEAD_DAYS,
    RULE_FOR,
    DutyKind,
    DutyPolicy,
    PlanDates,
    Regime,
    Status,
    plan_duties,
)
from resilience.errors import InputError
from resilience.storage.models import Hazard, Plan, utcnow
from resilience.storage.plan_models import (
    Exercise,
    Lesson,
    PlanReview,
    PlanVersion,
    PolicySetting,
    exercise_plans,
)

log = logging.getLogger(__name__)

REGIME_LABELS: Mapping[Regime, str] = {
    Regime.COMAH_EXTERNAL: "COMAH external emergency plan",
    Regime.PIPELINE: "Major accident hazard pipeline plan",
    Regime.REPPIR: "REPPIR off-site emergency plan",
    Regime.CCA_LOCAL: "Civil Contingencies Act plan",
}
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")
PLAN_STATUSES: tuple[tuple[str, str], ...] = (
    ("draft", "Draft"),
    ("in preparation", "In preparation"),
    ("consultation", "Out for consultation"),
    ("adopted", "Adopted"),
    ("under revision", "Under revision"),
    ("withdrawn", "Withdrawn"),
)
# A withdrawn plan has no duties left; every other status keeps them on the dashboard.
STATUSES_WITHOUT_DUTIES = frozenset({"withdrawn"})
EXERCISE_TYPES: tuple[tuple[str, str], ...] = (
    ("discussion_based", "Discussion-based"),
    ("table_top", "Table-top"),
    ("command_post", "Command post"),
    ("live", "Live"),
)
EXERCISE_STATUSES: tuple[tuple[str, str], ...] = (("planned", "Planned"), ("held", "Held"))
REVIEW_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("no_change", "No change needed"),
    ("minor_changes", "Minor changes made"),
    ("major_revision", "Major revision made"),
    ("revision_needed", "Revision needed, not yet made"),
)
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
# Dates outside these bounds are typing mistakes, and far-future ones would overflow date sums.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2099, 12, 31)
MAX_VERSION_BYTES = 25 * 1024 * 1024
MAX_INTERVAL_MONTHS = 120
MAX_LEAD_DAYS = 366
CALENDAR_YEARS = 3


def long_date(day: date) -> str:
    """Return a date as GOV.UK writes it: 8 November 2023."""
    return f"{day.day} {day:%B %Y}"


def readable_size(size: int) -> str:
    """Return a number of bytes as a reader expects it: 812 bytes, 24 KB, 3.5 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def check_date(day: date | None, field: str, *, today: date | None = None) -> None:
    """Return None if ``day`` is empty or plausible; raise InputError naming ``field`` otherwise.

    With ``today``, a date after it is refused: it records something that has happened.
    """
    if day is None:
        return
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(
            f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}", field=field
        )
    if today is not None and day > today:
        raise InputError("The date cannot be in the future", field=field)


# --- Plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanValues:
    """What a plan form holds, parsed."""

    ref: str
    title: str
    regime: Regime
    owner: str
    marking: str
    status: str
    notified_on: date | None
    extension_agreed: bool
    adopted_on: date | None
    hazard_refs: tuple[str, ...]
    note: str = ""


def find_plan(session: Session, ref: str) -> Plan | None:
    """Return the plan whose identifier is ``ref``, or None."""
    return session.scalars(select(Plan).where(Plan.ref == ref)).one_or_none()


def all_plans(session: Session) -> list[Plan]:
    """Return every plan, by title."""
    return list(session.scalars(select(Plan).order_by(Plan.title, Plan.ref)))


def hazard_names(session: Session) -> dict[str, Hazard]:
    """Return every establishment and pipeline by identifier, in name order."""
    hazards = session.scalars(select(Hazard).order_by(Hazard.kind, Hazard.name, Hazard.ref))
    return {hazard.ref: hazard for hazard in hazards}


def _check_hazards(session: Session, refs: Iterable[str], field: str) -> list[str]:
    """Return the refs, de-duplicated in order; raise InputError if any is not in the register."""
    known = set(session.scalars(select(Hazard.ref)))
    wanted = list(dict.fromkeys(refs))
    unknown = [ref for ref in wanted if ref not in known]
    if unknown:
        raise InputError(f"Unknown site or pipeline: {', '.join(unknown)}", field=field)
    return wanted


def save_plan(
    session: Session, values: PlanValues, today: date, existing: Plan | None = None
) -> Plan:
    """Return the created or updated plan; raise InputError naming the field at fault."""
    if existing is None and find_plan(session, values.ref) is not None:
        raise InputError(f"{values.ref!r} is already used by another plan", field="ref")
    if values.marking not in MARKINGS:
        raise InputError(f"Choose one of {', '.join(MARKINGS)}", field="marking")
    check_date(values.notified_on, "notified_on", today=today)
    check_date(values.adopted_on, "adopted_on", today=today)
    if values.status == "adopted" and values.adopted_on is None:
        raise InputError("Enter the date the plan was adopted", field="adopted_on")
    hazard_refs = _check_hazards(session, values.hazard_refs, "hazard_refs")
    if existing is not None and values.adopted_on is None and _latest_review(session, existing):
        raise InputError(
            "Reviews of this plan are recorded, so it needs the date it was adopted",
            field="adopted_on",
        )
    plan = existing or Plan(ref=values.ref)
    plan.title = values.title
    plan.regime = values.regime.value
    plan.owner = values.owner
    plan.marking = values.marking
    plan.status = values.status
    plan.notified_on = values.notified_on
    plan.extension_agreed = values.extension_agreed
    plan.adopted_on = values.adopted_on
    plan.hazard_refs = hazard_refs
    plan.note = values.note
    session.add(plan)
    session.flush()
    return plan


# --- Reviews and exercises discharge duties ----------------------------------------------------


def _latest_review(session: Session, plan: Plan) -> date | None:
    return session.scalar(
        select(func.max(PlanReview.reviewed_on)).where(PlanReview.plan_id == plan.id)
    )


def _latest_exercise(session: Session, plan: Plan) -> date | None:
    return session.scalar(
        select(func.max(Exercise.held_on))
        .join(exercise_plans, exercise_plans.c.exercise_id == Exercise.id)
        .where(exercise_plans.c.plan_id == plan.id, Exercise.status == "held")
    )


def refresh_review_date(session: Session, plan: Plan) -> None:
    """Set the plan's last review to its latest recorded review (None when there is none)."""
    session.flush()
    plan.last_reviewed_on = _latest_review(session, plan)


def refresh_exercise_date(session: Session, plan: Plan) -> None:
    """Set the plan's last exercise to the latest held exercise that tested it, or None."""
    session.flush()
    plan.last_exercised_on = _latest_exercise(session, plan)


def follow_records(session: Session, plan: Plan) -> None:
    """Set the plan's last review and exercise from its records, for each kind it has records of.

    For loading files: a date given for a plan with no records of that kind is kept.
    """
    session.flush()
    if (reviewed := _latest_review(session, plan)) is not None:
        plan.last_reviewed_on = reviewed
    if (exercised := _latest_exercise(session, plan)) is not None:
        plan.last_exercised_on = exercised


def plan_reviews(session: Session, plan: Plan) -> list[PlanReview]:
    """Return a plan's reviews, the latest first."""
    return list(
        session.scalars(
            select(PlanReview)
            .where(PlanReview.plan_id == plan.id)
            .order_by(PlanReview.reviewed_on.desc(), PlanReview.id.desc())
        )
    )


def record_review(
    session: Session,
    plan: Plan,
    *,
    reviewed_on: date,
    reviewer: str,
    outcome: str,
    changes_made: str,
    today: date,
) -> PlanReview:
    """Return the recorded review, which moves the plan's review duty on; InputError if bad."""
    check_date(reviewed_on, "reviewed_on", today=today)
    if plan.adopted_on is None:
        raise InputError(
            "This plan has no adoption date: record when it was adopted before reviewing it",
            field="reviewed_on",
        )
    if reviewed_on < plan.adopted_on:
        raise InputError(
            f"The review cannot be before the plan was adopted ({long_date(plan.adopted_on)})",
            field="reviewed_on",
        )
    if outcome not in dict(REVIEW_OUTCOMES):
        raise InputError("Choose the outcome of the review", field="outcome")
    if not reviewer.strip():
        raise InputError("Enter who reviewed the plan", field="reviewer")
    review = PlanReview(
        plan=plan,
        reviewed_on=reviewed_on,
        reviewer=reviewer.strip(),
        outcome=outcome,
        changes_made=changes_made.strip(),
    )
    session.add(review)
    refresh_review_date(session, plan)
    return review


def delete_review(session: Session, review: PlanReview) -> None:
    """Delete a review; the plan's last review falls back to the one before it."""
    plan = review.plan
    session.delete(review)
    refresh_review_date(session, plan)


@dataclass(frozen=True)
class ExerciseValues:
    """What an exercise form holds, parsed."""

    title: str
    exercise_type: str
    status: str
    planned_on: date | None
    held_on: date | None
    organisations: str
    plan_refs: tuple[str, ...]
    hazard_refs: tuple[str, ...]
    note: str = ""


def save_exercise(
    session: Session, values: ExerciseValues, today: date, existing: Exercise | None = None
) -> Exercise:
    """Return the created or updated exercise; the tested plans' last exercise is refreshed."""
    if values.exercise_type not in dict(EXERCISE_TYPES):
        raise InputError("Choose the type of exercise", field="exercise_type")
    if values.status == "planned":
        if values.planned_on is None:
            raise InputError("Enter the date the exercise is planned for", field="planned_on")
        if existing is not None and existing.lessons:
            raise InputError(
                "Lessons are recorded for this exercise, so it has been held", field="status"
            )
        held_on = None
    elif values.status == "held":
        if values.held_on is None:
            raise InputError("Enter the date the exercise was held", field="held_on")
        held_on = values.held_on
    else:
        raise InputError("Choose whether the exercise is planned or held", field="status")
    check_date(values.planned_on, "planned_on")
    check_date(held_on, "held_on", today=today)
    if existing is not None and held_on is not None:
        early = [lesson for lesson in existing.lessons if lesson.due_on < held_on]
        if early:
            raise InputError(
                f"A lesson of this exercise is due on {long_date(early[0].due_on)}, "
                "before this date",
                field="held_on",
            )
    wanted = list(dict.fromkeys(values.plan_refs))
    plans = list(session.scalars(select(Plan).where(Plan.ref.in_(wanted)))) if wanted else []
    unknown = sorted(set(wanted) - {plan.ref for plan in plans})
    if unknown:
        raise InputError(f"Unknown plan: {', '.join(unknown)}", field="plan_refs")
    hazard_refs = _check_hazards(session, values.hazard_refs, "hazard_refs")

    exercise = existing or Exercise()
    # Only held exercises count, so only plans a held exercise tested (before or after) change.
    affected = {plan.id: plan for plan in exercise.plans if exercise.status == "held"}
    affected.update({plan.id: plan for plan in plans if values.status == "held"})
    exercise.title = values.title
    exercise.exercise_type = values.exercise_type
    exercise.status = values.status
    exercise.planned_on = values.planned_on
    exercise.held_on = held_on
    exercise.organisations = values.organisations
    exercise.hazard_refs = hazard_refs
    exercise.note = values.note
    exercise.plans = sorted(plans, key=lambda plan: plan.ref)
    session.add(exercise)
    for plan in affected.values():
        refresh_exercise_date(session, plan)
    return exercise


def delete_exercise(session: Session, exercise: Exercise) -> None:
    """Delete an exercise and its lessons; the plans it tested fall back to their previous one."""
    plans = list(exercise.plans) if exercise.status == "held" else []
    session.delete(exercise)
    for plan in plans:
        refresh_exercise_date(session, plan)


def exercises_of_plan(session: Session, plan: Plan) -> list[Exercise]:
    """Return the exercises that test a plan, the latest first."""
    exercises = session.scalars(
        select(Exercise)
        .join(exercise_plans, exercise_plans.c.exercise_id == Exercise.id)
        .where(exercise_plans.c.plan_id == plan.id)
    )
    return sorted(exercises, key=lambda exercise: (exercise.on, exercise.id), reverse=True)


def all_exercises(session: Session) -> tuple[list[Exercise], list[Exercise]]:
    """Return (planned exercises, soonest first; held exercises, latest first)."""
    exercises = list(session.scalars(select(Exercise)))
    planned = sorted((e for e in exercises if e.status == "planned"), key=lambda e: (e.on, e.id))
    held = sorted((e for e in exercises if e.status == "held"), key=lambda e: (e.on, e.id))
    return planned, held[::-1]


# --- Lessons ---------------------------------------------------------------------------------


def add_lesson(
    session: Session, exercise: Exercise, *, description: str, owner: str, due_on: date
) -> Lesson:
    """Return a new open lesson of a held exercise; InputError if the exercise or dates forbid."""
    if exercise.held_on is None:
        raise InputError(
            "Lessons are identified once the exercise has been held: record it as held first",
            field="description",
        )
    if not description.strip():
        raise InputError("Describe the lesson identified", field="description")
    if not owner.strip():
        raise InputError("Enter who owns the action", field="owner")
    check_date(due_on, "due_on")
    if due_on < exercise.held_on:
        raise InputError(
            f"The due date cannot be before the exercise was held ({long_date(exercise.held_on)})",
            field="due_on",
        )
    lesson = Lesson(description=description.strip(), owner=owner.strip(), due_on=due_on)
    exercise.lessons.append(lesson)
    session.flush()
    return lesson


def close_lesson(
    session: Session, lesson: Lesson, *, closed_on: date, note: str, today: date
) -> Lesson:
    """Return the lesson, closed on ``closed_on``; InputError if already closed or a bad date."""
    if lesson.closed_on is not None:
        raise InputError(
            f"This lesson was closed on {long_date(lesson.closed_on)}", field="closed_on"
        )
    check_date(closed_on, "closed_on", today=today)
    held_on = lesson.exercise.held_on
    if held_on is not None and closed_on < held_on:
        raise InputError(
            f"A lesson cannot be closed before the exercise was held ({long_date(held_on)})",
            field="closed_on",
        )
    lesson.closed_on = closed_on
    lesson.closure_note = note.strip()
    session.flush()
    return lesson


def open_lessons(session: Session) -> list[Lesson]:
    """Return every lesson not yet closed, the earliest due first."""
    return list(
        session.scalars(
            select(Lesson).where(Lesson.closed_on.is_(None)).order_by(Lesson.due_on, Lesson.id)
        )
    )


# --- Document versions -----------------------------------------------------------------------

_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_CHUNK = 1024 * 1024


def plan_versions(session: Session, plan: Plan) -> list[PlanVersion]:
    """Return a plan's versions, the newest first."""
    return list(
        session.scalars(
            select(PlanVersion)
            .where(PlanVersion.plan_id == plan.id)
            .order_by(PlanVersion.uploaded_at.desc(), PlanVersion.id.desc())
        )
    )


def next_version_label(session: Session, plan: Plan) -> str:
    """Return a label for the next version: one more than the number of versions kept."""
    count = session.scalar(select(func.count()).where(PlanVersion.plan_id == plan.id)) or 0
    return str(count + 1)


def clean_file_name(name: str) -> str:
    """Return the uploader's file name without any folder part or control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-255:] or "plan-document"


def _content_type(claimed: str, name: str) -> str:
    claimed = (claimed or "").split(";")[0].strip().lower()
    if _CONTENT_TYPE.fullmatch(claimed) and claimed != "application/octet-stream":
        return claimed[:120]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def version_path(uploads: Path, version: PlanVersion) -> Path:
    """Return where a version's file is kept."""
    return uploads / version.stored_name


def store_version(
    session: Session,
    plan: Plan,
    stream: BinaryIO,
    *,
    original_name: str,
    content_type: str,
    label: str,
    change_summary: str,
    uploaded_by: str,
    uploads: Path,
    max_bytes: int = MAX_VERSION_BYTES,
) -> PlanVersion:
    """Return a new version of the plan, its file kept under a generated name in ``uploads``.

    Earlier versions are kept. InputError (naming the field) for a bad label or summary, an
    empty file or one over ``max_bytes``; then no file is left behind.
    """
    label = label.strip()
    if not label:
        raise InputError("Enter a label for this version, for example 2.1", field="label")
    if len(label) > 40:
        raise InputError("The label can have at most 40 characters", field="label")
    taken = session.scalar(
        select(PlanVersion.id).where(PlanVersion.plan_id == plan.id, PlanVersion.label == label)
    )
    if taken is not None:
        raise InputError(f"Version {label!r} of this plan is already kept", field="label")
    if not change_summary.strip():
        raise InputError("Say what changed in this version", field="change_summary")
    name = clean_file_name(original_name)
    suffix = Path(name).suffix.lower()
    stored_name = uuid.uuid4().hex + (suffix if _EXTENSION.fullmatch(suffix) else "")
    uploads.mkdir(parents=True, exist_ok=True)
    path = uploads / stored_name
    partial = uploads / f".{stored_name}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("xb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(
                        f"The file must be {readable_size(max_bytes)} or smaller", field="file"
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InputError("The selected file is empty", field="file")
        partial.replace(path)
        version = PlanVersion(
            plan=plan,
            label=label,
            stored_name=stored_name,
            original_name=name,
            content_type=_content_type(content_type, name),
            size_bytes=size,
            sha256=digest.hexdigest(),
            change_summary=change_summary.strip(),
            uploaded_by=uploaded_by,
        )
        session.add(version)
        session.flush()
    except BaseException:
        partial.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return version


def discard_version_file(uploads: Path, version: PlanVersion) -> None:
    """Remove a version's file, for when its record could not be committed."""
    version_path(uploads, version).unlink(missing_ok=True)


# --- Local policy ----------------------------------------------------------------------------

EXTENDED_KEY = "comah_prepare_extended_months"
LEAD_DAYS_KEY = "reminder_lead_days"
OVERDUE_EVERY_KEY = "overdue_reminder_every_days"


def interval_key(regime: Regime, duty: DutyKind) -> str:
    """Return the setting key of one row of the duty table."""
    return f"interval_months.{regime.value}.{duty.value}"


@dataclass(frozen=True)
class PolicyChoice:
    """What an administrator sets: the intervals, the extended COMAH period, the reminders."""

    intervals: Mapping[tuple[Regime, DutyKind], int]
    comah_prepare_extended_months: int = COMAH_PREPARE_EXTENDED_MONTHS
    reminder_lead_days: tuple[int, ...] = REMINDER_LEAD_DAYS
    overdue_reminder_every_days: int = OVERDUE_REMINDER_EVERY_DAYS

    @classmethod
    def of(cls, policy: DutyPolicy) -> PolicyChoice:
        """Return the choices a policy embodies."""
        return cls(
            intervals=dict(policy.interval_months),
            comah_prepare_extended_months=policy.comah_prepare_extended_months,
            reminder_lead_days=policy.reminder_lead_days,
            overdue_reminder_every_days=policy.overdue_reminder_every_days,
        )

    def settings(self) -> dict[str, str]:
        """Return the choices as setting key -> stored text."""
        values = {interval_key(*key): str(months) for key, months in self.intervals.items()}
        values[EXTENDED_KEY] = str(self.comah_prepare_extended_months)
        values[LEAD_DAYS_KEY] = ",".join(str(days) for days in self.reminder_lead_days)
        values[OVERDUE_EVERY_KEY] = str(self.overdue_reminder_every_days)
        return values


DEFAULT_SETTINGS = PolicyChoice.of(DutyPolicy()).settings()


def parse_lead_days(text: str) -> tuple[int, ...]:
    """Return lead times written as "90, 30, 7", longest first; InputError if not whole days."""
    parts = [part.strip() for part in re.split(r"[,\s]+", text.strip()) if part.strip()]
    if not parts:
        raise InputError("Enter at least one number of days", field=LEAD_DAYS_KEY)
    if not all(part.isdigit() for part in parts):
        raise InputError(
            "Enter whole numbers of days separated by commas, like 90, 30, 7", field=LEAD_DAYS_KEY
        )
    days = sorted({int(part) for part in parts}, reverse=True)
    return tuple(days)


def policy_problems(choice: PolicyChoice) -> dict[str, str]:
    """Return what is wrong with each setting (key -> problem); empty when all are allowed.

    Each value is checked by building a DutyPolicy with it alone: the duty rules refuse to
    lengthen a statutory interval, so this page cannot either.
    """
    problems: dict[str, str] = {}
    for key, months in choice.intervals.items():
        rule = RULE_FOR[key]
        name = interval_key(*key)
        if months > MAX_INTERVAL_MONTHS:
            problems[name] = f"Enter at most {MAX_INTERVAL_MONTHS} months"
            continue
        try:
            DutyPolicy(interval_months={key: months})
        except ValueError:
            if months <= 0:
                problems[name] = "Enter a whole number of months, 1 or more"
            else:
                problems[name] = (
                    f"{rule.basis[0].upper()}{rule.basis[1:]} sets at most {rule.months} months: "
                    "a local policy may shorten it but not lengthen it"
                )
    try:
        DutyPolicy(comah_prepare_extended_months=choice.comah_prepare_extended_months)
    except ValueError:
        problems[EXTENDED_KEY] = (
            "COMAH 2015 reg. 13(2) allows at most 9 months: enter between 1 and 9"
            if choice.comah_prepare_extended_months > 0
            else "Enter a whole number of months, 1 or more"
        )
    lead = choice.reminder_lead_days
    if not lead or any(not 0 < days <= MAX_LEAD_DAYS for days in lead):
        problems[LEAD_DAYS_KEY] = f"Each lead time must be between 1 and {MAX_LEAD_DAYS} days"
    if not 0 < choice.overdue_reminder_every_days <= 90:
        problems[OVERDUE_EVERY_KEY] = "Enter a number of days between 1 and 90"
    return problems


def _policy_from(choice: PolicyChoice) -> DutyPolicy:
    return DutyPolicy(
        interval_months=dict(choice.intervals),
        comah_prepare_extended_months=choice.comah_prepare_extended_months,
        reminder_lead_days=choice.reminder_lead_days,
        overdue_reminder_every_days=choice.overdue_reminder_every_days,
    )


def save_policy(
    session: Session, choice: PolicyChoice, by: str, now: datetime | None = None
) -> DutyPolicy:
    """Store the choices that differ from the defaults and return the policy they make.

    Raises InputError (naming the setting) when a value is not allowed; nothing is stored then.
    """
    problems = policy_problems(choice)
    if problems:
        key, problem = next(iter(problems.items()))
        raise InputError(problem, field=key)
    policy = _policy_from(choice)
    stored = {setting.key: setting for setting in session.scalars(select(PolicySetting))}
    for key, value in choice.settings().items():
        setting = stored.get(key)
        if value == DEFAULT_SETTINGS[key]:
            if setting is not None:
                session.delete(setting)
        elif setting is None:
            session.add(
                PolicySetting(key=key, value=value, updated_by=by, updated_at=now or utcnow())
            )
        elif setting.value != value:
            setting.value, setting.updated_by, setting.updated_at = value, by, now or utcnow()
    session.flush()
    return policy


def _choice_from(settings: Mapping[str, str]) -> PolicyChoice:
    """Return the choices stored settings make, with the defaults where a setting is absent."""
    defaults = PolicyChoice.of(DutyPolicy())

    def number(key: str, default: int) -> int:
        text = settings.get(key, "")
        return int(text) if text.isdigit() else default

    try:
        lead = parse_lead_days(settings[LEAD_DAYS_KEY])
    except (KeyError, InputError):
        lead = defaults.reminder_lead_days
    return PolicyChoice(
        intervals={
            key: number(interval_key(*key), months) for key, months in defaults.intervals.items()
        },
        comah_prepare_extended_months=number(EXTENDED_KEY, defaults.comah_prepare_extended_months),
        reminder_lead_days=lead,
        overdue_reminder_every_days=number(OVERDUE_EVERY_KEY, defaults.overdue_reminder_every_days),
    )


def stored_policy(session: Session) -> DutyPolicy:
    """Return the policy in force: the defaults of DESIGN.md §2 with the stored settings over them.

    A stored value the rules refuse (written to the database by hand) is left out and logged,
    so that it can never lengthen a statutory interval.
    """
    settings = {setting.key: setting.value for setting in session.scalars(select(PolicySetting))}
    choice = _choice_from(settings)
    problems = policy_problems(choice)
    if problems:
        log.warning("stored duty policy settings ignored: %s", problems)
        choice = _choice_from({k: v for k, v in settings.items() if k not in problems})
    return _policy_from(choice)


# --- Duties: the dashboard and the calendar --------------------------------------------------


@dataclass(frozen=True)
class DutyRow:
    """One duty of one stored plan, with what a reader needs to act on it."""

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


def plan_dates(plan: Plan) -> PlanDates:
    """Return the dates of a stored plan that decide its duties.

    Review and exercise dates count once a plan is adopted (DESIGN.md §2); before that only
    the duty to prepare it applies, whatever an exercise of the draft recorded.
    """
    adopted = plan.adopted_on is not None
    return PlanDates(
        plan_id=plan.ref,
        regime=Regime(plan.regime),
        adopted_on=plan.adopted_on,
        last_reviewed_on=plan.last_reviewed_on if adopted else None,
        last_exercised_on=plan.last_exercised_on if adopted else None,
        notified_on=plan.notified_on,
        extension_agreed=bool(plan.extension_agreed),
    )


def urgency(row: DutyRow) -> tuple[int, date, str, str]:
    """Return the dashboard's sort key: overdue first, then the soonest due."""
    rank = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OK: 2}[row.status]
    return (rank, row.due_on, row.plan_ref, row.duty.value)


def plan_duty_rows(plan: Plan, as_of: date, policy: DutyPolicy) -> list[DutyRow]:
    """Return one plan's duties on ``as_of``, the most urgent first (none once withdrawn)."""
    if plan.status in STATUSES_WITHOUT_DUTIES:
        return []
    rows = [
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
        )
        for duty in plan_duties(plan_dates(plan), as_of, policy)
    ]
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


def _safe_cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; free text must not.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def duties_csv(rows: Iterable[DutyRow]) -> str:
    """Return the duties as CSV text, in the order given."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DUTY_CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                _safe_cell(row.plan_ref),
                _safe_cell(row.plan_title),
                row.regime.value,
                _safe_cell(row.owner),
                row.duty.value,
                row.due_on.isoformat(),
                row.status.value,
                row.days_left,
                row.basis,
            ]
        )
    return out.getvalue()


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
