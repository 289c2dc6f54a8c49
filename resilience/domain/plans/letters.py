"""Letters kept with a plan as the evidence of a decision about it.

The first kind is the competent authority's letter agreeing in writing the period for preparing
an external plan (COMAH 2015 reg. 13(2): six months from the operator's information "or such
longer period not exceeding nine months agreed by the competent authority in writing"). The
agreed date itself is the plan's ``agreed_prepare_by``; the letter is what shows it was agreed.
The second is the record of the decision that the plan need not be prepared: the competent
authority's exemption (reg. 15), or the council's finding that the 1999 plan remains materially
unchanged (reg. 13(5)); the plan's ``prepare_basis`` says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.plans.records import MAX_VERSION_BYTES, keep_file
from resilience.domain.record_dates import check_date
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanLetter

AGREED_PERIOD = "agreed_period"
PREPARE_BASIS = "prepare_basis"
REPPIR_EXTENSION = "reppir_extension"
PURPOSES: Mapping[str, str] = {
    AGREED_PERIOD: "the period agreed in writing for preparing the plan (COMAH 2015 reg. 13(2))",
    PREPARE_BASIS: "the decision that the plan need not be prepared (COMAH 2015 reg. 13(5) or 15)",
    REPPIR_EXTENSION: "the regulator's agreement to a review or test after three years "
    "(REPPIR 2019 reg. 12(3))",
}


def plan_letters(session: Session, plan: Plan, purpose: str | None = None) -> list[PlanLetter]:
    """Return the plan's letters (of one ``purpose``, if given), the latest dated first."""
    query = select(PlanLetter).where(PlanLetter.plan_id == plan.id)
    if purpose is not None:
        query = query.where(PlanLetter.purpose == purpose)
    return list(session.scalars(query.order_by(PlanLetter.dated_on.desc(), PlanLetter.id.desc())))


def store_letter(
    session: Session,
    plan: Plan,
    stream: BinaryIO,
    *,
    purpose: str,
    dated_on: date | None,
    original_name: str,
    content_type: str,
    uploaded_by: str,
    uploads: Path,
    today: date,
    max_bytes: int = MAX_VERSION_BYTES,
) -> PlanLetter:
    """Keep a letter with the plan, its file under a generated name in ``uploads``.

    InputError (naming the field) for an unknown purpose, a missing or future date, an empty
    file or one over ``max_bytes``; then no file is left behind.
    """
    if purpose not in PURPOSES:
        raise InputError(
            f"{purpose!r} is not a kind of letter this register keeps", field="purpose"
        )
    if dated_on is None:
        raise InputError("Enter the date of the letter", field="dated_on")
    if dated_on > today:
        raise InputError(
            f"The date of the letter cannot be after today ({today:%-d %B %Y})", field="dated_on"
        )
    check_date(dated_on, "dated_on")
    kept = keep_file(stream, uploads, original_name, content_type, max_bytes)
    letter = PlanLetter(
        plan=plan, purpose=purpose, dated_on=dated_on, uploaded_by=uploaded_by, **kept.columns()
    )
    return kept.store(session, letter)


def letter_path(uploads: Path, letter: PlanLetter) -> Path:
    """Return where a letter's file is kept."""
    return uploads / letter.stored_name


def discard_letter_file(uploads: Path, letter: PlanLetter) -> None:
    """Remove a letter's file, for when its record could not be committed."""
    letter_path(uploads, letter).unlink(missing_ok=True)
