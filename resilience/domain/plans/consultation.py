"""Whom the council consulted on a version of an external emergency plan, and what is missing.

COMAH 2015 reg. 13(7) (as made): "In preparing an external emergency plan the local authority
must consult— (a) the operator; (b) the appropriate agency; (c) the designated authorities who
are liable to be required to respond to an emergency at the establishment; (d) if the
establishment is situated in England, the National Health Service Commissioning Board and Public
Health England, an executive agency of the Department of Health; and (e) such members of the
public and other persons as it considers appropriate."

The National Health Service Commissioning Board is NHS England; Public Health England's health
protection work passed to the UK Health Security Agency in 2021, so the app names UKHSA. The
list is England's (the app's deployments are English councils): (d) does not apply in Wales or
Scotland, where the appropriate agency is Natural Resources Wales or SEPA. Paragraph (e) is at
the council's discretion, so members of the public and other persons are recorded but never
missing.

Services: no Flask, nothing here commits. Bad input raises InputError naming the field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.clock import local_date
from resilience.date_text import long_date
from resilience.domain.duties.rules import Regime
from resilience.domain.plans.records import STATUSES_WITHOUT_DUTIES, plan_versions
from resilience.domain.record_dates import check_date
from resilience.domain.text_rules import checked_text
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanConsultation, PlanVersion
from resilience.storage.models.plans import CONSULTEE_KINDS

BASIS = "COMAH 2015 reg. 13(7)"


@dataclass(frozen=True)
class Consultee:
    """A kind of consultee: what the app calls it, and the words of reg. 13(7) that name it."""

    kind: str
    label: str
    paragraph: str
    words: str
    mandatory: bool


CONSULTEES: Mapping[str, Consultee] = {
    c.kind: c
    for c in (
        Consultee("operator", "The operator", "(a)", "the operator", True),
        Consultee(
            "appropriate_agency",
            "The appropriate agency (the Environment Agency in England)",
            "(b)",
            "the appropriate agency",
            True,
        ),
        Consultee(
            "designated_authority",
            "A designated authority liable to respond (an emergency service)",
            "(c)",
            "the designated authorities who are liable to be required to respond to an "
            "emergency at the establishment",
            True,
        ),
        Consultee(
            "nhs_england",
            "NHS England",
            "(d)",
            "the National Health Service Commissioning Board",
            True,
        ),
        Consultee(
            "ukhsa",
            "UK Health Security Agency (Public Health England in the regulation)",
            "(d)",
            "Public Health England, an executive agency of the Department of Health",
            True,
        ),
        Consultee(
            "public",
            "Members of the public",
            "(e)",
            "such members of the public [...] as it considers appropriate",
            False,
        ),
        Consultee(
            "other",
            "Another person the council considered appropriate",
            "(e)",
            "such [...] other persons as it considers appropriate",
            False,
        ),
    )
}
MANDATORY = tuple(kind for kind, c in CONSULTEES.items() if c.mandatory)


@dataclass(frozen=True)
class Deadline:
    """The last day a consultation on a version can be dated, and why."""

    day: date
    reason: str


def uploaded_on(version: PlanVersion) -> date:
    """Return the UK calendar day a version was uploaded."""
    return local_date(version.uploaded_at)


def consultation_deadline(
    plan: Plan, versions: Sequence[PlanVersion], version: PlanVersion
) -> Deadline | None:
    """Return the last day a consultation supporting ``version`` can be dated, or None while
    the version is not yet adopted (then only "not after today" applies).

    ``versions`` are the plan's versions, newest first. A consultation supports the adoption of
    the version it is recorded against: an earlier version's ends when the next one replaced it;
    the latest version's at the plan's adoption if that came on or after its upload, or at its
    upload if it was uploaded into an adopted plan.
    """
    position = next(i for i, v in enumerate(versions) if v.id == version.id)
    uploaded = uploaded_on(version)
    if position > 0:
        newer = versions[position - 1]
        when = uploaded_on(newer)
        return Deadline(when, f"version {newer.label} replaced it on {long_date(when)}")
    if plan.adopted_on is not None and plan.adopted_on >= uploaded:
        return Deadline(plan.adopted_on, f"the plan was adopted on {long_date(plan.adopted_on)}")
    if plan.adopted_on is not None and plan.status == "adopted":
        return Deadline(
            uploaded, f"version {version.label} was uploaded as adopted on {long_date(uploaded)}"
        )
    return None


def version_consultations(session: Session, version: PlanVersion) -> list[PlanConsultation]:
    """Return a version's consultations in the order of the regulation's list, then by date."""
    found = session.scalars(
        select(PlanConsultation).where(PlanConsultation.plan_version_id == version.id)
    )
    return sorted(found, key=_in_order)


def consultations_by_version(session: Session, plan: Plan) -> dict[int, list[PlanConsultation]]:
    """Return the consultations on each of a plan's versions, by version id."""
    found = session.scalars(
        select(PlanConsultation)
        .join(PlanVersion, PlanConsultation.plan_version_id == PlanVersion.id)
        .where(PlanVersion.plan_id == plan.id)
    )
    grouped: dict[int, list[PlanConsultation]] = defaultdict(list)
    for consultation in sorted(found, key=_in_order):
        grouped[consultation.plan_version_id].append(consultation)
    return dict(grouped)


def _in_order(consultation: PlanConsultation) -> tuple[int, date, int]:
    order = CONSULTEE_KINDS.index(consultation.consultee)
    return order, consultation.consulted_on, consultation.id


def missing_consultees(recorded: Iterable[str]) -> list[str]:
    """Return the mandatory kinds of consultee not among the ``recorded`` kinds, in order."""
    kinds = set(recorded)
    return [kind for kind in MANDATORY if kind not in kinds]


def store_consultation(
    session: Session,
    plan: Plan,
    version: PlanVersion,
    *,
    consultee: str,
    organisation: str,
    consulted_on: date | None,
    responded_on: date | None,
    response: str,
    recorded_by: str,
    today: date,
) -> PlanConsultation:
    """Return the recorded consultation on ``version`` of ``plan``.

    InputError (naming the field) for a missing or unknown consultee, a missing organisation, a
    missing date, one in the future or after the adoption the consultation supports, or a
    response dated before the consultation or in the future.
    """
    if version.plan_id != plan.id:
        raise ValueError(f"version {version.label} is not a version of plan {plan.ref}")
    if not consultee:
        raise InputError("Choose who was consulted", field="consultee")
    if consultee not in CONSULTEES:
        raise InputError(f"{consultee!r} is not a consultee of reg. 13(7)", field="consultee")
    organisation = checked_text(organisation.strip(), "organisation")
    if not organisation:
        raise InputError("Enter the name of who was consulted", field="organisation")
    if consulted_on is None:
        raise InputError("Enter the date of the consultation", field="consulted_on")
    check_date(consulted_on, "consulted_on")
    if consulted_on > today:
        raise InputError(
            f"The date of the consultation cannot be after today ({long_date(today)})",
            field="consulted_on",
        )
    deadline = consultation_deadline(plan, plan_versions(session, plan), version)
    if deadline is not None and consulted_on > deadline.day:
        raise InputError(
            "The consultation cannot be after the adoption it supports: " + deadline.reason,
            field="consulted_on",
        )
    if responded_on is not None:
        check_date(responded_on, "responded_on")
        if responded_on > today:
            raise InputError(
                f"The date of the response cannot be after today ({long_date(today)})",
                field="responded_on",
            )
        if responded_on < consulted_on:
            raise InputError(
                f"The response cannot be before the consultation ({long_date(consulted_on)})",
                field="responded_on",
            )
    consultation = PlanConsultation(
        version=version,
        consultee=consultee,
        organisation=organisation,
        consulted_on=consulted_on,
        responded_on=responded_on,
        response=checked_text(response.strip(), "response", multi_line=True),
        recorded_by=recorded_by,
    )
    session.add(consultation)
    session.flush()
    return consultation


def delete_consultation(session: Session, consultation: PlanConsultation) -> None:
    """Delete a consultation recorded in error; the version's warning then counts without it."""
    session.delete(consultation)
    session.flush()


# --- Warnings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationGap:
    """An adopted external plan whose latest version lacks a mandatory consultee."""

    plan_ref: str
    plan_title: str
    marking: str
    version_label: str | None
    missing: tuple[str, ...]

    @property
    def message(self) -> str:
        """Return what the warning says, after the plan's name."""
        names = "; ".join(_in_sentence(CONSULTEES[kind].label) for kind in self.missing)
        if self.version_label is None:
            return (
                f"is adopted but has no version uploaded, so no consultation ({BASIS}) is "
                f"recorded: missing {names}"
            )
        return (
            f"is adopted, and version {self.version_label} has no recorded consultation "
            f"({BASIS}) of: {names}"
        )


def _in_sentence(label: str) -> str:
    """Return a label as it reads inside a sentence: "the operator", but "NHS England"."""
    first, _, rest = label.partition(" ")
    return f"{first.lower()} {rest}" if first in ("The", "A", "An") else label


def _needs_consultation(plan: Plan) -> bool:
    return (
        plan.regime == Regime.COMAH_EXTERNAL.value
        and plan.adopted_on is not None
        and plan.status not in STATUSES_WITHOUT_DUTIES
    )


def consultation_gaps(
    session: Session, plans: Iterable[Plan] | None = None, as_of: date | None = None
) -> list[ConsultationGap]:
    """Return the adopted COMAH external plans (of ``plans``, else all) whose latest version
    lacks a consultation of a mandatory consultee, by plan title.

    With ``as_of``, as they stood at the end of that day: versions uploaded and consultations
    held by then (the annual report's view of its period's end).
    """
    if plans is None:
        plans = session.scalars(
            select(Plan).where(
                Plan.regime == Regime.COMAH_EXTERNAL.value, Plan.adopted_on.is_not(None)
            )
        )
    wanted = {plan.id: plan for plan in plans if _needs_consultation(plan)}
    if not wanted:
        return []
    latest: dict[int, PlanVersion] = {}
    for version in session.scalars(
        select(PlanVersion)
        .where(PlanVersion.plan_id.in_(wanted))
        .order_by(PlanVersion.uploaded_at.desc(), PlanVersion.id.desc())
    ):
        if as_of is None or uploaded_on(version) <= as_of:
            latest.setdefault(version.plan_id, version)
    recorded: dict[int, set[str]] = defaultdict(set)
    if latest:
        query = select(PlanConsultation.plan_version_id, PlanConsultation.consultee).where(
            PlanConsultation.plan_version_id.in_([v.id for v in latest.values()])
        )
        if as_of is not None:
            query = query.where(PlanConsultation.consulted_on <= as_of)
        rows = session.execute(query.distinct())
        for version_id, kind in rows:
            recorded[version_id].add(kind)
    gaps = []
    for plan_id, plan in wanted.items():
        newest = latest.get(plan_id)
        missing = missing_consultees(recorded[newest.id] if newest else ())
        if missing:
            label = newest.label if newest else None
            gaps.append(ConsultationGap(plan.ref, plan.title, plan.marking, label, tuple(missing)))
    return sorted(gaps, key=lambda gap: (gap.plan_title, gap.plan_ref))
