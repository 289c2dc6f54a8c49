"""Coverage: every hazard the register holds that the law says needs a plan, and whether one does.

COMAH 2015 reg. 13(1): the local authority prepares an external emergency plan for each
upper-tier establishment in its area. Pipelines Safety Regulations 1996 reg. 25: it prepares an
emergency plan for each major accident hazard pipeline. REPPIR 2019 reg. 11: it makes an
off-site emergency plan covering the planning zones of each radiation premises. So an upper-tier
establishment that no ``comah_external`` plan covers, a pipeline that no ``pipeline`` plan
covers, or a radiation premises that no ``reppir`` plan covers, is a duty to prepare one: due
six months after the operator's information arrived (reg. 13(2) counts from it) when the
establishment records that date, eight months after the consequences report arrived (REPPIR
2019 reg. 11(4)) when a radiation premises records that, else today, so that it is never
silently missing. An establishment whose tier is not recorded is flagged for
the officer to confirm with HSE, not treated as either tier; a ``comah_external`` plan that
covers no upper-tier establishment is flagged as covering the wrong thing.

Closed hazards need no plan; withdrawn plans cover nothing. A plan recorded as exempted (reg. 15)
or treated as prepared (reg. 13(5)) covers its establishments: the law needs no other plan for
them. Read-only: nothing is written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.duties.rules import RULE_FOR, DutyKind, Regime
from resilience.domain.plans.records import STATUSES_WITHOUT_DUTIES
from resilience.storage.models import Hazard, Plan

# The plan each kind of hazard needs, and the rule that requires it.
NEEDED_REGIME: Mapping[str, Regime] = {
    "establishment": Regime.COMAH_EXTERNAL,
    "pipeline": Regime.PIPELINE,
    "radiation_premises": Regime.REPPIR,
}
PLAN_WORDS: Mapping[Regime, str] = {
    Regime.COMAH_EXTERNAL: "external emergency plan",
    Regime.PIPELINE: "pipeline emergency plan",
    Regime.REPPIR: "off-site emergency plan",
}
LAYER_OF_KIND: Mapping[str, str] = {
    "establishment": "establishments",
    "pipeline": "pipelines",
    "radiation_premises": "radiation-premises",
}
# REPPIR 2019 reg. 11(4): the off-site plan within 8 months of the consequences report.
REPPIR_PREPARE_MONTHS = 8
# The regulation that requires each needed plan, where it is not the regime's prepare rule.
GAP_BASES: Mapping[Regime, str] = {
    Regime.PIPELINE: "statutory, Pipelines Safety Regulations 1996 reg. 25",
    Regime.REPPIR: "statutory, REPPIR 2019 reg. 11",
}
NEEDS_NO_PLAN = frozenset({"closed"})
TIER_UNCONFIRMED = "Tier not confirmed: confirm with HSE whether it is upper or lower tier."


@dataclass(frozen=True)
class CoverageGap:
    """A hazard that needs a plan of ``regime`` and that no such plan covers."""

    hazard_id: int
    hazard_ref: str
    hazard_name: str
    kind: str
    regime: Regime
    # When the operator's information for the plan arrived (COMAH 2015 reg. 13(3)/(4); for
    # radiation premises the consequences report, REPPIR 2019 reg. 7); None: not recorded.
    information_received_on: date | None = None

    @property
    def layer(self) -> str:
        return LAYER_OF_KIND[self.kind]

    @property
    def title(self) -> str:
        """Return e.g. 'No external emergency plan covers Acme Chlorine Ltd'."""
        return f"No {PLAN_WORDS[self.regime]} covers {self.hazard_name}"

    @property
    def basis(self) -> str:
        if self.regime is Regime.COMAH_EXTERNAL:
            return RULE_FOR[(Regime.COMAH_EXTERNAL, DutyKind.PREPARE)].basis
        return GAP_BASES[self.regime]

    def due_on(self, as_of: date, months: int | None = None) -> date:
        """Return the day the plan is due: the operator's information's arrival + ``months``
        (default 6, COMAH 2015 reg. 13(2)) when recorded, the consequences report's + 8 months
        for radiation premises (REPPIR 2019 reg. 11(4)), else ``as_of`` itself."""
        if self.is_dated and self.information_received_on is not None:
            if self.regime is Regime.REPPIR:
                return reppir_plan_due_after(self.information_received_on)
            return plan_due_after(self.information_received_on, months)
        return as_of

    @property
    def is_dated(self) -> bool:
        """Return whether the due date counts from a recorded date (not from today)."""
        dated = (Regime.COMAH_EXTERNAL, Regime.REPPIR)
        return self.regime in dated and self.information_received_on is not None

    @property
    def reminder_ref(self) -> str:
        """Return the key its reminders are claimed under (a hazard's id never changes)."""
        return f"COVER-{self.hazard_id}"


def plan_due_after(information_received_on: date, months: int | None = None) -> date:
    """Return when an external plan is due: ``months`` (default 6, COMAH 2015 reg. 13(2)) after
    the operator's information arrived, the same day of the month or the month's last."""
    if months is None:
        months = RULE_FOR[(Regime.COMAH_EXTERNAL, DutyKind.PREPARE)].months
    return information_received_on + relativedelta(months=months)


def reppir_plan_due_after(report_received_on: date) -> date:
    """Return when a radiation premises' off-site plan is due: 8 months after the council
    received the consequences report (REPPIR 2019 reg. 11(4))."""
    return report_received_on + relativedelta(months=REPPIR_PREPARE_MONTHS)


@dataclass(frozen=True)
class PlanCoverageWarning:
    """A plan whose coverage is wrong for its regime."""

    plan_ref: str
    plan_title: str
    message: str


@dataclass(frozen=True)
class Coverage:
    """What the register's plans cover, and what they should."""

    gaps: tuple[CoverageGap, ...]
    unconfirmed_tiers: tuple[tuple[str, str], ...]  # (ref, name) of establishments
    plan_warnings: tuple[PlanCoverageWarning, ...]


def _covering(plans: Iterable[PlanFacts]) -> dict[Regime, set[str]]:
    covered: dict[Regime, set[str]] = {regime: set() for regime in Regime}
    for plan in plans:
        if plan.status not in STATUSES_WITHOUT_DUTIES:
            covered[Regime(plan.regime)].update(plan.hazard_refs or ())
    return covered


class HazardFacts(Protocol):
    """What coverage needs of a hazard: a stored ``Hazard``, or one as it stood on a past day."""

    @property
    def id(self) -> int: ...
    @property
    def ref(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def information_received_on(self) -> date | None: ...


class PlanFacts(Protocol):
    """What coverage needs of a plan."""

    @property
    def ref(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def regime(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def hazard_refs(self) -> Sequence[str] | None: ...


def coverage(session: Session) -> Coverage:
    """Return the hazards that need a plan and have none, unconfirmed tiers, and wrong plans."""
    hazards = list(
        session.execute(
            select(
                Hazard.id,
                Hazard.ref,
                Hazard.name,
                Hazard.kind,
                Hazard.tier,
                Hazard.status,
                Hazard.information_received_on,
            )
        )
    )
    return coverage_of(hazards, list(session.scalars(select(Plan))))


def coverage_of(hazards: Iterable[HazardFacts], plans: Iterable[PlanFacts]) -> Coverage:
    """Return the coverage of these hazards by these plans (now, or as they stood on a day)."""
    live = sorted((h for h in hazards if h.status not in NEEDS_NO_PLAN), key=lambda h: h.ref)
    plans = sorted(plans, key=lambda p: p.ref)
    covered = _covering(plans)
    gaps: list[CoverageGap] = []
    unconfirmed: list[tuple[str, str]] = []
    for hazard in live:
        if hazard.kind == "establishment" and not hazard.tier:
            unconfirmed.append((hazard.ref, hazard.name))
        regime = needs_plan(hazard)
        if regime is not None and hazard.ref not in covered[regime]:
            dated = hazard.kind in ("establishment", "radiation_premises")
            received = hazard.information_received_on if dated else None
            gaps.append(
                CoverageGap(hazard.id, hazard.ref, hazard.name, hazard.kind, regime, received)
            )
    upper = {h.ref for h in live if h.kind == "establishment" and h.tier == "upper"}
    unknown = {ref for ref, _ in unconfirmed}
    warnings = []
    for plan in plans:
        if plan.regime != Regime.COMAH_EXTERNAL or plan.status in STATUSES_WITHOUT_DUTIES:
            continue
        refs = set(plan.hazard_refs or ())
        if not refs:
            message = "covers no establishment: record the upper-tier establishments it is for"
        elif not refs & (upper | unknown):
            message = (
                "covers only lower-tier or closed establishments: an external emergency plan "
                "is required for upper-tier establishments (COMAH 2015 reg. 13)"
            )
        else:
            continue
        warnings.append(PlanCoverageWarning(plan.ref, plan.title, message))
    return Coverage(tuple(gaps), tuple(unconfirmed), tuple(warnings))


def covering_plans(session: Session, hazard: Hazard) -> list[Plan]:
    """Return the plans that cover ``hazard`` (withdrawn ones too, marked by their status)."""
    plans = session.scalars(select(Plan).order_by(Plan.regime, Plan.ref))
    return [plan for plan in plans if hazard.ref in (plan.hazard_refs or ())]


def needs_plan(hazard: HazardFacts | Hazard) -> Regime | None:
    """Return the plan regime ``hazard`` needs by law, or None (lower tier, unknown, closed)."""
    if hazard.status in NEEDS_NO_PLAN:
        return None
    if hazard.kind in ("pipeline", "radiation_premises") or (
        hazard.kind == "establishment" and hazard.tier == "upper"
    ):
        return NEEDED_REGIME[hazard.kind]
    return None
