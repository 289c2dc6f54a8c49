"""Briefing cards: one site or pipeline on one screen, in plain language, for elected members.

Built from the same facts as the register's pages: zone exposure as ``exposure_rows`` gives it
(wards, area-weighted people, sensitive places) and the plans that cover the hazard with the
duties on them. Nothing here is marked above OFFICIAL: a card never carries a plan's document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.domain.duties.dashboard import DutyRow, plan_duty_rows
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import DutyPolicy, Regime, Status
from resilience.domain.plans.records import REGIME_LABELS
from resilience.domain.register.listings import (
    ZONE_LABELS,
    ZoneExposureView,
    exposure_rows,
    exposure_rows_of,
)
from resilience.storage.models import Exercise, Hazard, Plan

# Land-use planning bands do not overlap, so their people add up; the PIZ overlaps them.
BANDS = ("inner", "middle", "outer")


@dataclass(frozen=True)
class ZoneSummary:
    """One zone of a card: its size, the wards it touches, people and sensitive places."""

    kind: str
    label: str
    area_km2: float
    wards: tuple[str, ...]
    people: float | None
    people_complete: bool
    places: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class PlanSummary:
    """A plan that covers the hazard: what it is and when it was last reviewed and tested."""

    id: int
    ref: str
    title: str
    regime_label: str
    status: str
    adopted_on: date | None
    last_reviewed_on: date | None
    last_exercised_on: date | None
    last_exercise_title: str | None
    duties: tuple[DutyRow, ...]


@dataclass(frozen=True)
class BriefingCard:
    """Everything a member's card shows about one site or pipeline."""

    hazard_id: int
    ref: str
    name: str
    kind: str
    kind_label: str
    operator: str
    stored: str
    zones: tuple[ZoneSummary, ...]
    plans: tuple[PlanSummary, ...]
    location_note: str
    as_of: date
    wards: tuple[str, ...] = field(default=())

    @property
    def kind_heading(self) -> str:
        """Return the kind as the start of a sentence: 'COMAH establishment', 'Upper-tier ...'."""
        return self.kind_label[:1].upper() + self.kind_label[1:]

    @property
    def counted_kinds(self) -> tuple[str, ...]:
        """Return the zones whose people the card counts: the land-use planning bands, or a
        radiation premises' outermost zone (the outline planning zone holds the DEPZ)."""
        if self.kind != "radiation_premises":
            return BANDS
        kinds = {z.kind for z in self.zones}
        for kind in ("opz", "depz"):
            if kind in kinds:
                return (kind,)
        return ()

    @property
    def people_in_bands(self) -> float | None:
        """Return the estimated people inside the outer zone (inner + middle + outer bands), or
        inside a radiation premises' outermost planning zone."""
        counted = self.counted_kinds
        known = [z.people for z in self.zones if z.kind in counted and z.people is not None]
        return sum(known) if known else None

    @property
    def people_complete(self) -> bool:
        return all(z.people_complete for z in self.zones if z.kind in self.counted_kinds)

    @property
    def places_count(self) -> int:
        """Return how many distinct sensitive places lie in any zone."""
        return len({name for z in self.zones for names in z.places.values() for name in names})

    @property
    def worst_status(self) -> Status | None:
        """Return the most urgent duty status of the plans covering this hazard."""
        statuses = {d.status for p in self.plans for d in p.duties}
        for status in (Status.OVERDUE, Status.DUE_SOON, Status.OK):
            if status in statuses:
                return status
        return None

    @property
    def summary(self) -> list[str]:
        """Return the card's plain-language sentences, most important first."""
        # "Koura Ltd - Runcorn Site ... run by Koura Ltd" says the operator twice.
        named = not self.operator or self.operator.lower() in self.name.lower()
        run_by = "." if named else f" run by {self.operator}."
        lines = [f"{self.name} is {article(self.kind_label)} {self.kind_label}{run_by}"]
        lines.append(self.stored)
        if self.zones:
            ward_text = plural(len(self.wards), "ward")
            people = self.people_in_bands
            if people is None:
                lines.append(
                    f"Its planning zones reach into {ward_text}; no ward populations are "
                    "loaded, so the number of people living in them is not known."
                )
            else:
                about = "at least about" if not self.people_complete else "about"
                lines.append(
                    f"Its planning zones reach into {ward_text}, where {about} "
                    f"{round_people(people)} people live."
                )
            if self.places_count:
                lines.append(
                    f"{plural(self.places_count, 'sensitive place')} (schools, care homes and "
                    f"the like) {'lies' if self.places_count == 1 else 'lie'} within its zones."
                )
        else:
            lines.append("No zones are recorded for it yet.")
        if not self.plans:
            lines.append("No emergency plan in the register covers it.")
        for plan in self.plans:
            lines.append(plan_sentence(plan, self.as_of))
        return lines


def article(words: str) -> str:
    return "an" if words[:1].lower() in "aeiou" else "a"


def plural(count: int, noun: str) -> str:
    """Return e.g. '1 ward', '3 wards'."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def round_people(count: float) -> str:
    """Return an estimate of people rounded as a reader expects: 40, 1,200, 15,000."""
    value = round(count)
    if value >= 10_000:
        value = round(value, -3)
    elif value >= 1_000:
        value = round(value, -2)
    elif value >= 100:
        value = round(value, -1)
    return f"{value:,}"


def time_ago(then: date, as_of: date) -> str:
    """Return how long before ``as_of`` a day was, in words: '2 years and 3 months ago'."""
    if then > as_of:
        return "in the future"
    gap = relativedelta(as_of, then)
    if gap.years == 0 and gap.months == 0:
        return "this month" if then.month == as_of.month else "less than a month ago"
    parts = []
    if gap.years:
        parts.append(plural(gap.years, "year"))
    if gap.months:
        parts.append(plural(gap.months, "month"))
    return " and ".join(parts) + " ago"


def plan_sentence(plan: PlanSummary, as_of: date) -> str:
    """Return the one sentence a member needs about a plan: when it was last tested."""
    if plan.adopted_on is None:
        return f"The {plan.title} is being prepared (status: {plan.status})."
    if plan.last_exercised_on is None:
        tested = "has not been exercised since it was adopted"
    else:
        tested = (
            f"was last exercised in {plan.last_exercised_on:%B %Y} "
            f"({time_ago(plan.last_exercised_on, as_of)})"
        )
    return f"The {plan.title} {tested}."


def stored_text(hazard: Hazard) -> str:
    """Return what a hazard holds or carries, in one sentence."""
    if hazard.kind == "radiation_premises":
        if not hazard.substances.strip():
            return "The work with ionising radiation done there is not recorded in the register."
        return f"Work with ionising radiation there: {hazard.substances.strip().rstrip('.')}."
    if hazard.kind == "pipeline":
        if not hazard.substance:
            return "What it carries is not recorded."
        details = []
        if hazard.diameter_mm:
            details.append(f"{hazard.diameter_mm:,.0f} mm across")
        if hazard.pressure_bar:
            details.append(f"at up to {hazard.pressure_bar:,.0f} bar")
        extra = f" ({', '.join(details)})" if details else ""
        return f"It carries {hazard.substance.lower()}{extra}."
    if not hazard.substances.strip():
        return "The dangerous substances held there are not recorded in the register."
    return f"It holds {hazard.substances.strip().rstrip('.')}."


def kind_label(hazard: Hazard) -> str:
    """Return e.g. 'upper-tier COMAH establishment' or 'major accident hazard pipeline'."""
    if hazard.kind == "pipeline":
        return "major accident hazard pipeline"
    if hazard.kind == "radiation_premises":
        return "radiation premises (REPPIR 2019)"
    if hazard.tier in ("upper", "lower"):
        return f"{hazard.tier}-tier COMAH establishment"
    return "COMAH establishment"


def zone_summary(view: ZoneExposureView) -> ZoneSummary:
    """Return the card's view of one zone's exposure table."""
    wards = tuple(sorted(line.ward_name for line in view.lines if line.ward_code != "OUTSIDE"))
    places = {
        kind: tuple(sorted(r.name for r in rs)) for kind, rs in sorted(view.receptors.items())
    }
    return ZoneSummary(
        kind=view.zone.kind,
        label=ZONE_LABELS.get(view.zone.kind, view.zone.kind),
        area_km2=view.zone.area_m2 / 1_000_000,
        wards=wards,
        people=view.total_population,
        people_complete=view.population_complete,
        places=places,
    )


def plans_covering(plans: Iterable[Plan], ref: str) -> list[Plan]:
    """Return the plans whose hazard list names ``ref``, by title."""
    return sorted((p for p in plans if ref in (p.hazard_refs or [])), key=lambda p: p.title)


def last_exercise(exercises: Sequence[Exercise], plan: Plan, ref: str) -> Exercise | None:
    """Return the latest held exercise that tested ``plan`` or named the hazard."""
    held = [
        e
        for e in exercises
        if e.status == "held"
        and e.held_on is not None
        and (plan.id in {p.id for p in e.plans} or ref in (e.hazard_refs or []))
    ]
    return max(held, key=lambda e: (e.on, e.id), default=None)


def plan_summary(
    plan: Plan, ref: str, exercises: Sequence[Exercise], as_of: date, policy: DutyPolicy
) -> PlanSummary:
    """Return a plan as a card shows it, with its duties on ``as_of``."""
    exercise = last_exercise(exercises, plan, ref)
    duties = tuple(plan_duty_rows(plan, as_of, policy))
    return PlanSummary(
        id=plan.id,
        ref=plan.ref,
        title=plan.title,
        regime_label=REGIME_LABELS.get(Regime(plan.regime), plan.regime),
        status=plan.status,
        adopted_on=plan.adopted_on,
        last_reviewed_on=plan.last_reviewed_on,
        last_exercised_on=plan.last_exercised_on,
        last_exercise_title=exercise.title if exercise is not None else None,
        duties=duties,
    )


def briefing_card(
    session: Session,
    hazard: Hazard,
    as_of: date,
    *,
    plans: Sequence[Plan] | None = None,
    exercises: Sequence[Exercise] | None = None,
    policy: DutyPolicy | None = None,
    exposure: Sequence[ZoneExposureView] | None = None,
) -> BriefingCard:
    """Return the briefing card of one hazard on ``as_of`` (``exposure``: its exposure rows,
    when the caller has read them for many hazards at once)."""
    if plans is None:
        plans = list(session.scalars(select(Plan)))
    if exercises is None:
        exercises = load_exercises(session)
    policy = policy or stored_policy(session)
    views = exposure if exposure is not None else exposure_rows(session, hazard)
    zones = tuple(zone_summary(view) for view in views)
    wards = tuple(sorted({ward for zone in zones for ward in zone.wards}))
    return BriefingCard(
        hazard_id=hazard.id,
        ref=hazard.ref,
        name=hazard.name,
        kind=hazard.kind,
        kind_label=kind_label(hazard),
        operator=hazard.operator,
        stored=stored_text(hazard),
        zones=zones,
        plans=tuple(
            plan_summary(p, hazard.ref, exercises, as_of, policy)
            for p in plans_covering(plans, hazard.ref)
        ),
        location_note=hazard.location_note,
        as_of=as_of,
        wards=wards,
    )


def load_exercises(session: Session) -> list[Exercise]:
    """Return every exercise with the plans it tested."""
    return list(session.scalars(select(Exercise).options(selectinload(Exercise.plans))))


def briefing_cards(
    session: Session, as_of: date, refs: Iterable[str] | None = None
) -> list[BriefingCard]:
    """Return the cards of the establishments, then the pipelines and radiation premises, each
    by name.

    With ``refs``, only those hazards (unknown references are skipped).
    """
    query = select(Hazard).options(selectinload(Hazard.zones))
    if refs is not None:
        query = query.where(Hazard.ref.in_(list(refs)))
    hazards = sorted(
        session.scalars(query), key=lambda h: (h.kind != "establishment", h.name.lower(), h.ref)
    )
    plans = list(session.scalars(select(Plan)))
    exercises = load_exercises(session)
    policy = stored_policy(session)
    exposure = exposure_rows_of(session, hazards)
    return [
        briefing_card(
            session,
            h,
            as_of,
            plans=plans,
            exercises=exercises,
            policy=policy,
            exposure=exposure[h.id],
        )
        for h in hazards
    ]
