"""Partners' duties: what the law asks of others, not of the council, that the council follows up.

One so far. COMAH 2015 reg. 18: the operator of an upper-tier establishment must supply safety
information to the people and places in its public information zone (PIZ). It is the
operator's duty, so it is kept apart from the council's own duties: it never appears among the
plan duties, the CLI's output or their counts. How often: the stored text of reg. 18 could not be
checked for an interval (docs/legal-basis.md), so the interval is local policy, five years,
which is what the Seveso III Directive (2012/18/EU) art. 14(2) asks of member states ("at least
every five years"). An establishment with no date recorded is due on the day it is looked at,
as an undated plan is, so that it is never silently missing.

Read-only: nothing is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.date_text import long_date
from resilience.domain.duties.coverage import HazardFacts
from resilience.domain.duties.dashboard import STATUS_WORDS
from resilience.domain.duties.rules import DUE_SOON_DAYS, Status, status_on
from resilience.storage.models import Hazard

PUBLIC_INFORMATION_DUTY: Final = "public_information"  # the duty of its reminders' claim keys
PUBLIC_INFORMATION_YEARS: Final = 5
PUBLIC_INFORMATION_BASIS: Final = "local policy (operator's duty, COMAH 2015 reg. 18)"
PUBLIC_INFORMATION_WORDS: Final = "Supply safety information to the public in the PIZ"
NO_DUTY_STATUSES = frozenset({"closed"})


class EstablishmentFacts(HazardFacts, Protocol):
    """What a partner's duty needs of an establishment: a stored one, or one as it stood."""

    @property
    def public_information_supplied_on(self) -> date | None: ...
    @property
    def liaison_officer(self) -> str: ...


@dataclass(frozen=True)
class PartnerDuty:
    """An operator's duty to supply public information in its PIZ, as it stands on a day."""

    hazard_id: int
    hazard_ref: str
    hazard_name: str
    last_done_on: date | None
    due_on: date
    status: Status
    days_left: int
    liaison_officer: str = ""
    basis: str = PUBLIC_INFORMATION_BASIS
    statutory: bool = False  # the interval is local policy (see the module's docstring)

    @property
    def duty(self) -> str:
        return PUBLIC_INFORMATION_DUTY

    @property
    def is_dated(self) -> bool:
        """Return whether the due date counts from a recorded supply (not from today)."""
        return self.last_done_on is not None

    @property
    def title(self) -> str:
        """Return e.g. 'Public information in the PIZ of Acme Chlorine'."""
        return f"Public information in the PIZ of {self.hazard_name}"

    @property
    def last_done_words(self) -> str:
        """Return when the operator last supplied it, or that the register does not know."""
        if self.last_done_on is None:
            return "Not recorded"
        return long_date(self.last_done_on)

    @property
    def due_words(self) -> str:
        """Return e.g. '28 February 2029 (on track)', or 'Now: no date is recorded'."""
        if self.last_done_on is None:
            return "Now: no date is recorded"
        return f"{long_date(self.due_on)} ({STATUS_WORDS[self.status]})"

    @property
    def words(self) -> str:
        """Return e.g. 'Supply safety ... PIZ: due by 28 February 2029 (on track)'."""
        if self.last_done_on is None:
            return f"{PUBLIC_INFORMATION_WORDS}: due now (no date recorded)"
        due = long_date(self.due_on)
        return f"{PUBLIC_INFORMATION_WORDS}: due by {due} ({STATUS_WORDS[self.status]})"

    @property
    def reminder_ref(self) -> str:
        """Return the key its reminders are claimed under (a hazard's id never changes)."""
        return f"PIZ-{self.hazard_id}"


def needs_public_information(hazard: EstablishmentFacts | Hazard) -> bool:
    """Return whether the operator of ``hazard`` must inform the public in its PIZ."""
    return (
        hazard.kind == "establishment"
        and hazard.tier == "upper"
        and hazard.status not in NO_DUTY_STATUSES
    )


def next_supply_due(last_supplied_on: date) -> date:
    """Return when public information is next due after it was supplied on ``last_supplied_on``
    (five years on, the same day of the month, clamped: 29 Feb 2024 gives 28 Feb 2029)."""
    return last_supplied_on + relativedelta(years=PUBLIC_INFORMATION_YEARS)


def public_information_duty(
    hazard: EstablishmentFacts | Hazard, as_of: date, due_soon_days: int = DUE_SOON_DAYS
) -> PartnerDuty | None:
    """Return the operator's public-information duty for ``hazard`` on ``as_of``, or None when it
    has none (not an upper-tier establishment, or closed)."""
    if not needs_public_information(hazard):
        return None
    last = hazard.public_information_supplied_on
    due_on = as_of if last is None else next_supply_due(last)
    return PartnerDuty(
        hazard_id=hazard.id,
        hazard_ref=hazard.ref,
        hazard_name=hazard.name,
        last_done_on=last,
        due_on=due_on,
        status=status_on(due_on, as_of, due_soon_days),
        days_left=(due_on - as_of).days,
        liaison_officer=hazard.liaison_officer or "",
    )


def partner_duties_of(
    hazards: Iterable[EstablishmentFacts | Hazard], as_of: date, due_soon_days: int = DUE_SOON_DAYS
) -> list[PartnerDuty]:
    """Return the partners' duties of these establishments on ``as_of``, the most urgent first."""
    duties = (public_information_duty(hazard, as_of, due_soon_days) for hazard in hazards)
    found = [duty for duty in duties if duty is not None]
    rank = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OK: 2}
    return sorted(found, key=lambda d: (rank[d.status], d.due_on, d.hazard_ref))


def partner_duties(
    session: Session, as_of: date, due_soon_days: int = DUE_SOON_DAYS
) -> list[PartnerDuty]:
    """Return every stored upper-tier establishment's partners' duties on ``as_of``."""
    hazards = session.scalars(
        select(Hazard).where(Hazard.kind == "establishment", Hazard.tier == "upper")
    )
    return partner_duties_of(hazards, as_of, due_soon_days)
