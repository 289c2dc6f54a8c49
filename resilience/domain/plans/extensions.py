"""A longer interval for a REPPIR plan's review or test, agreed by the regulator in writing.

REPPIR 2019 reg. 12(1): review and test "at suitable intervals not exceeding 3 years unless
otherwise agreed by the regulator"; reg. 12(3): the regulator "may only agree that the review and
test ... may take place after the expiry of a three year period" on a written request showing
"reasonable and exceptional" circumstances. That agreement is the only way a statutory interval
is lengthened here: the policy page may shorten intervals, never lengthen them. So the date agreed
is stored only together with the regulator's letter, in one step, and only when it is later than
the date the duty would otherwise fall due.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from resilience.date_text import long_date
from resilience.domain.duties.dashboard import plan_dates
from resilience.domain.duties.rules import DutyKind, DutyPolicy, Regime, plan_duties
from resilience.domain.plans.letters import REPPIR_EXTENSION, store_letter
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanLetter

EXTENDABLE = (DutyKind.REVIEW, DutyKind.EXERCISE)
DUTY_NAMES = {DutyKind.REVIEW: "review", DutyKind.EXERCISE: "test"}


def due_without_extension(plan: Plan, policy: DutyPolicy, today: date) -> dict[DutyKind, date]:
    """Return when the plan's review and test fall due by the three-year rule alone."""
    dates = dataclasses.replace(
        plan_dates(plan), review_extended_to=None, exercise_extended_to=None
    )
    return {duty.duty: duty.due_on for duty in plan_duties(dates, today, policy)}


def agree_extension(
    session: Session,
    plan: Plan,
    stream: BinaryIO,
    *,
    duties: Collection[DutyKind],
    extended_to: date | None,
    dated_on: date | None,
    original_name: str,
    content_type: str,
    uploaded_by: str,
    uploads: Path,
    policy: DutyPolicy,
    today: date,
) -> PlanLetter:
    """Record that the regulator agreed ``duties`` may take place by ``extended_to``; return the
    letter kept as the evidence.

    InputError naming the field: a plan that is not REPPIR or not adopted, no duty chosen, no
    date, a date no later than the duty's usual due date, or a bad letter (see store_letter).
    """
    if plan.regime != Regime.REPPIR:
        raise InputError(
            "Only the regulator of a REPPIR plan can agree a longer interval "
            "(REPPIR 2019 reg. 12(3))",
            field="duties",
        )
    if plan.adopted_on is None:
        raise InputError(
            "An extension is for the review or test of an adopted plan, and this plan is not "
            "adopted",
            field="duties",
        )
    chosen = [duty for duty in EXTENDABLE if duty in duties]
    if not chosen:
        raise InputError("Choose the review, the test, or both", field="duties")
    if extended_to is None:
        raise InputError("Enter the date agreed", field="extended_to")
    usual = due_without_extension(plan, policy, today)
    for duty in chosen:
        if extended_to <= usual[duty]:
            raise InputError(
                f"{long_date(extended_to)} is not later than the date the {DUTY_NAMES[duty]} is "
                f"due anyway ({long_date(usual[duty])}): no extension is needed",
                field="extended_to",
            )
    letter = store_letter(
        session,
        plan,
        stream,
        purpose=REPPIR_EXTENSION,
        dated_on=dated_on,
        original_name=original_name,
        content_type=content_type,
        uploaded_by=uploaded_by,
        uploads=uploads,
        today=today,
    )
    if DutyKind.REVIEW in chosen:
        plan.review_extended_to = extended_to
    if DutyKind.EXERCISE in chosen:
        plan.exercise_extended_to = extended_to
    session.flush()
    return letter
