"""Reviews of plans: recording and deleting them, and the plan's last review that follows them.

A review moves the plan's review duty on. Like the other plan services, this commits nothing and
raises InputError naming the field at fault.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.date_text import long_date
from resilience.domain.record_dates import check_date
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanReview

REVIEW_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("no_change", "No change needed"),
    ("minor_changes", "Minor changes made"),
    ("major_revision", "Major revision made"),
    ("revision_needed", "Revision needed, not yet made"),
)


def latest_review(session: Session, plan: Plan) -> date | None:
    """Return the date of the plan's latest recorded review, or None."""
    return session.scalar(
        select(func.max(PlanReview.reviewed_on)).where(PlanReview.plan_id == plan.id)
    )


def refresh_review_date(session: Session, plan: Plan) -> None:
    """Set the plan's last review to its latest recorded review (None when there is none)."""
    session.flush()
    plan.last_reviewed_on = latest_review(session, plan)


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
