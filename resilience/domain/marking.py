"""What a reader may see of OFFICIAL-SENSITIVE plans, and the marking of what they are shown.

The one place that decides it. A reader without clearance (an elected member) sees of an
OFFICIAL-SENSITIVE plan its reference, title, regime, owner, the sites it covers, its marking,
status and duty dates; never its note, its reviews' reviewers and changes, its versions (file
names, summaries, uploaders), the consultations on them (who, when, their response) or, for an
exercise testing it, what of it the exercise tested, who took part, its note and lessons.
Every page, report and card that shows plan content takes the reader's view from here, and the
document's marking is the highest marking of what the view revealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from resilience.storage.models import (
    Exercise,
    Lesson,
    Plan,
    PlanConsultation,
    PlanLetter,
    PlanReview,
    PlanVersion,
)

Document = TypeVar("Document", PlanVersion, PlanLetter, PlanConsultation)

OFFICIAL = "OFFICIAL"
SENSITIVE = "OFFICIAL-SENSITIVE"
WITHHELD = "withheld from your role"


@dataclass(frozen=True)
class Reader:
    """Who a page or document is for: whether they may see OFFICIAL-SENSITIVE detail."""

    cleared: bool

    @classmethod
    def for_role(cls, can_view_sensitive: bool) -> Reader:
        return cls(cleared=can_view_sensitive)


CLEARED = Reader(cleared=True)
UNCLEARED = Reader(cleared=False)


def highest_marking(markings: Iterable[str]) -> str:
    """Return OFFICIAL-SENSITIVE if any of ``markings`` is, else OFFICIAL."""
    return SENSITIVE if SENSITIVE in set(markings) else OFFICIAL


def plan_is_sensitive(plan: Plan) -> bool:
    return plan.marking == SENSITIVE


def exercise_is_sensitive(exercise: Exercise) -> bool:
    """Return whether an exercise tests an OFFICIAL-SENSITIVE plan (its detail is then too)."""
    return any(plan_is_sensitive(p) for p in exercise.plans)


@dataclass(frozen=True)
class PlanView:
    """A plan as one reader may see it; ``withheld`` when its sensitive detail is left out."""

    id: int
    ref: str
    title: str
    regime: str
    owner: str
    marking: str
    status: str
    notified_on: date | None
    extension_agreed: bool
    agreed_prepare_by: date | None
    prepare_basis: str | None
    basis_decided_on: date | None
    basis_reasons: str
    review_extended_to: date | None
    exercise_extended_to: date | None
    adopted_on: date | None
    last_reviewed_on: date | None
    last_exercised_on: date | None
    hazard_refs: tuple[str, ...]
    note: str
    withheld: bool

    @property
    def revealed_marking(self) -> str:
        """Return the marking of the detail this view shows (OFFICIAL once withheld)."""
        return OFFICIAL if self.withheld else self.marking


def plan_view(plan: Plan, reader: Reader) -> PlanView:
    """Return what ``reader`` may see of ``plan``."""
    withheld = plan_is_sensitive(plan) and not reader.cleared
    return PlanView(
        id=plan.id,
        ref=plan.ref,
        title=plan.title,
        regime=plan.regime,
        owner=plan.owner,
        marking=plan.marking,
        status=plan.status,
        notified_on=plan.notified_on,
        extension_agreed=bool(plan.extension_agreed),
        agreed_prepare_by=plan.agreed_prepare_by,
        prepare_basis=plan.prepare_basis,
        basis_decided_on=plan.basis_decided_on,
        basis_reasons="" if withheld else plan.basis_reasons,
        review_extended_to=plan.review_extended_to,
        exercise_extended_to=plan.exercise_extended_to,
        adopted_on=plan.adopted_on,
        last_reviewed_on=plan.last_reviewed_on,
        last_exercised_on=plan.last_exercised_on,
        hazard_refs=tuple(plan.hazard_refs or ()),
        note="" if withheld else plan.note,
        withheld=withheld,
    )


@dataclass(frozen=True)
class ReviewView:
    """A review as one reader may see it: the date and outcome always; who and what if cleared."""

    id: int
    reviewed_on: date
    outcome: str
    reviewer: str
    changes_made: str
    withheld: bool


def review_views(reviews: Iterable[PlanReview], plan: Plan, reader: Reader) -> list[ReviewView]:
    """Return what ``reader`` may see of a plan's reviews."""
    withheld = plan_is_sensitive(plan) and not reader.cleared
    return [
        ReviewView(
            id=r.id,
            reviewed_on=r.reviewed_on,
            outcome=r.outcome,
            reviewer="" if withheld else r.reviewer,
            changes_made="" if withheld else r.changes_made,
            withheld=withheld,
        )
        for r in reviews
    ]


def document_views(documents: Sequence[Document], plan: Plan, reader: Reader) -> list[Document]:
    """Return the documents (versions, letters, consultations) ``reader`` may see listed: none
    of an OFFICIAL-SENSITIVE plan's unless cleared (their file names, summaries, uploaders,
    consultees and responses are the plan's own detail)."""
    return list(documents) if reader.cleared or not plan_is_sensitive(plan) else []


class Marked(Protocol):
    """Something about one plan that carries the plan's marking (a warning, say)."""

    @property
    def marking(self) -> str: ...


AboutAPlan = TypeVar("AboutAPlan", bound=Marked)


def marked_views(items: Iterable[AboutAPlan], reader: Reader) -> list[AboutAPlan]:
    """Return the items ``reader`` may see: those of OFFICIAL-SENSITIVE plans only if cleared."""
    return [item for item in items if reader.cleared or item.marking != SENSITIVE]


@dataclass(frozen=True)
class LessonView:
    description: str
    owner: str
    due_on: date
    closed_on: date | None
    closure_note: str
    id: int


@dataclass(frozen=True)
class ExerciseView:
    """An exercise as one reader may see it; the lessons and notes go when ``withheld``."""

    id: int
    title: str
    exercise_type: str
    status: str
    planned_on: date | None
    held_on: date | None
    organisations: str
    hazard_refs: tuple[str, ...]
    note: str
    plans: tuple[PlanView, ...]
    lessons: tuple[LessonView, ...]
    withheld: bool
    marking: str = field(default=OFFICIAL)
    # What of the plans it tested, and who took part from the organisations list (by name).
    objectives: str = ""
    participants: tuple[str, ...] = ()

    @property
    def on(self) -> date:
        day = self.held_on or self.planned_on
        assert day is not None
        return day

    @property
    def open_lessons(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.closed_on is None)

    @property
    def revealed_marking(self) -> str:
        return OFFICIAL if self.withheld else self.marking


def _lesson_view(lesson: Lesson) -> LessonView:
    return LessonView(
        description=lesson.description,
        owner=lesson.owner,
        due_on=lesson.due_on,
        closed_on=lesson.closed_on,
        closure_note=lesson.closure_note,
        id=lesson.id,
    )


def exercise_view(exercise: Exercise, reader: Reader) -> ExerciseView:
    """Return what ``reader`` may see of ``exercise``."""
    sensitive = exercise_is_sensitive(exercise)
    withheld = sensitive and not reader.cleared
    return ExerciseView(
        id=exercise.id,
        title=exercise.title,
        exercise_type=exercise.exercise_type,
        status=exercise.status,
        planned_on=exercise.planned_on,
        held_on=exercise.held_on,
        organisations="" if withheld else exercise.organisations,
        hazard_refs=tuple(exercise.hazard_refs or ()),
        note="" if withheld else exercise.note,
        plans=tuple(plan_view(p, reader) for p in exercise.plans),
        lessons=() if withheld else tuple(map(_lesson_view, exercise.lessons)),
        withheld=withheld,
        marking=SENSITIVE if sensitive else OFFICIAL,
        objectives="" if withheld else exercise.objectives,
        participants=() if withheld else tuple(o.name for o in exercise.participants),
    )


def page_marking(*views: PlanView | ExerciseView) -> str:
    """Return the marking of a page showing ``views``: the highest marking they reveal."""
    return highest_marking(v.revealed_marking for v in views)


def visible_lessons(lessons: Iterable[Lesson], reader: Reader) -> list[Lesson]:
    """Return the lessons ``reader`` may see: none of an exercise of an OFFICIAL-SENSITIVE plan
    unless cleared."""
    return [
        lesson for lesson in lessons if reader.cleared or not exercise_is_sensitive(lesson.exercise)
    ]
