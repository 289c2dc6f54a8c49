"""Statutory and local-policy duties on emergency plans: what is due, when, and under which rule.

Pure domain code, no I/O. The rules are those of DESIGN.md §2; ``basis`` texts are part of the
``resilience duties`` contract and must not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from resilience.errors import InputError


class Regime(StrEnum):
    """The legal regime a plan is prepared under."""

    COMAH_EXTERNAL = "comah_external"
    PIPELINE = "pipeline"
    REPPIR = "reppir"
    CCA_LOCAL = "cca_local"


class DutyKind(StrEnum):
    """What has to be done to a plan."""

    PREPARE = "prepare"
    REVIEW = "review"
    EXERCISE = "exercise"


class PrepareBasis(StrEnum):
    """Why an external plan need not be prepared under COMAH 2015 reg. 13(1).

    TREATED_AS_PREPARED: reg. 13(5), the 1999 off-site plan "remains materially unchanged" and
    complies, "in which case it is to be treated as an external emergency plan prepared under
    this regulation": no prepare duty, but it is reviewed and tested (reg. 14) like any other.
    EXEMPTED: reg. 13(1) is "subject to regulation 15", the competent authority's exemption
    (docs/legal-basis.md): no external plan, so none to review or test either.
    """

    TREATED_AS_PREPARED = "treated_as_prepared"
    EXEMPTED = "exempted"


class Status(StrEnum):
    """Where a duty stands on a given day."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"


@dataclass(frozen=True)
class DutyRule:
    """One row of the DESIGN.md §2 table: the interval, the basis text, and whether it is law."""

    regime: Regime
    duty: DutyKind
    months: int
    basis: str
    statutory: bool


# The §2 table, character for character. `months` is the default (and, for statutory rows,
# the longest allowed) interval from the anchor date.
RULES: tuple[DutyRule, ...] = (
    DutyRule(Regime.COMAH_EXTERNAL, DutyKind.PREPARE, 6, "statutory, COMAH 2015 reg. 13", True),
    DutyRule(Regime.COMAH_EXTERNAL, DutyKind.REVIEW, 36, "statutory, COMAH 2015 reg. 14", True),
    DutyRule(Regime.COMAH_EXTERNAL, DutyKind.EXERCISE, 36, "statutory, COMAH 2015 reg. 14", True),
    DutyRule(Regime.PIPELINE, DutyKind.REVIEW, 36, "statutory, PSR 1996 reg. 25", True),
    DutyRule(Regime.PIPELINE, DutyKind.EXERCISE, 36, "local policy (good practice)", False),
    DutyRule(Regime.REPPIR, DutyKind.REVIEW, 36, "statutory, REPPIR 2019 reg. 12", True),
    DutyRule(Regime.REPPIR, DutyKind.EXERCISE, 36, "statutory, REPPIR 2019 reg. 12", True),
    DutyRule(
        Regime.CCA_LOCAL,
        DutyKind.REVIEW,
        36,
        "local policy (CCA 2004 s.2 duty to maintain plans)",
        False,
    ),
    DutyRule(Regime.CCA_LOCAL, DutyKind.EXERCISE, 36, "local policy", False),
)
RULE_FOR: Mapping[tuple[Regime, DutyKind], DutyRule] = MappingProxyType(
    {(rule.regime, rule.duty): rule for rule in RULES}
)

# COMAH 2015 reg. 13(2): "such longer period not exceeding nine months agreed by the competent
# authority in writing" -- nine months from notification in total, not six plus nine.
COMAH_PREPARE_EXTENDED_MONTHS = 9

# The exercise type that is a discussion only (DESIGN.md §1: seminar or workshop).
DISCUSSION_BASED = "discussion_based"
# Local policy: the regulations do not say what kind of exercise a test must be; by default a
# discussion-based one counts (and the duties pages flag it).
DISCUSSION_DISCHARGES_STATUTORY_TEST = True

DUE_SOON_DAYS = 90
REMINDER_LEAD_DAYS: tuple[int, ...] = (90, 30, 7)
OVERDUE_REMINDER_EVERY_DAYS = 7


@dataclass(frozen=True)
class DutyPolicy:
    """The configurable intervals and windows; the defaults reproduce DESIGN.md §2 exactly.

    ``interval_months`` holds overrides keyed by (regime, duty); after construction it holds the
    whole table. Statutory intervals may be shortened (a council may review more often than the
    law requires) but never lengthened; local-policy intervals may be set to any positive value.
    """

    interval_months: Mapping[tuple[Regime, DutyKind], int] = field(default_factory=dict, hash=False)
    comah_prepare_extended_months: int = COMAH_PREPARE_EXTENDED_MONTHS
    due_soon_days: int = DUE_SOON_DAYS
    reminder_lead_days: tuple[int, ...] = REMINDER_LEAD_DAYS
    overdue_reminder_every_days: int = OVERDUE_REMINDER_EVERY_DAYS
    # Whether a discussion-based exercise is the last test of a statutory exercise duty.
    discussion_discharges_statutory_test: bool = DISCUSSION_DISCHARGES_STATUTORY_TEST

    def __post_init__(self) -> None:
        """Merge the overrides over the table; raise ValueError if a rule would be broken."""
        merged = {key: rule.months for key, rule in RULE_FOR.items()}
        for key, months in self.interval_months.items():
            rule = RULE_FOR.get(key)
            if rule is None:
                raise ValueError(f"no duty rule for regime {key[0]!s}, duty {key[1]!s}")
            _check_interval(rule.regime, rule.duty, months, rule.months if rule.statutory else None)
            merged[key] = months
        _check_interval(
            Regime.COMAH_EXTERNAL,
            DutyKind.PREPARE,
            self.comah_prepare_extended_months,
            COMAH_PREPARE_EXTENDED_MONTHS,
        )
        if self.due_soon_days < 0:
            raise ValueError(f"due_soon_days must be 0 or more, not {self.due_soon_days}")
        if any(days <= 0 for days in self.reminder_lead_days):
            raise ValueError(f"reminder lead days must be positive: {self.reminder_lead_days}")
        if self.overdue_reminder_every_days <= 0:
            raise ValueError(
                "overdue_reminder_every_days must be positive, "
                f"not {self.overdue_reminder_every_days}"
            )
        # Frozen: the merged table replaces the overrides once, here.
        object.__setattr__(self, "interval_months", MappingProxyType(merged))

    def months_for(self, regime: Regime, duty: DutyKind) -> int:
        """Return the interval in months for a (regime, duty) row; KeyError if there is none."""
        return self.interval_months[(regime, duty)]


def _check_interval(regime: Regime, duty: DutyKind, months: int, statutory_max: int | None) -> None:
    """Raise ValueError if an interval is not positive or lengthens a statutory one."""
    if months <= 0:
        raise ValueError(f"{regime} {duty}: interval must be a positive number of months")
    if statutory_max is not None and months > statutory_max:
        raise ValueError(
            f"{regime} {duty}: the statutory interval is at most {statutory_max} months; "
            f"a policy cannot lengthen it to {months}"
        )


DEFAULT_POLICY = DutyPolicy()


@dataclass(frozen=True)
class PlanDates:
    """The dates that decide a plan's duties; ``None`` where a date is not known."""

    plan_id: str
    regime: Regime
    adopted_on: date | None = None
    last_reviewed_on: date | None = None
    last_exercised_on: date | None = None
    notified_on: date | None = None
    extension_agreed: bool = False
    # COMAH 2015 reg. 13(2): the date by which the competent authority agreed in writing that
    # the plan be prepared, within notified_on + 6 to + 9 months; it replaces the + 6 months.
    agreed_prepare_by: date | None = None
    # Why the plan need not be prepared (reg. 13(5) or 15), if it need not.
    prepare_basis: PrepareBasis | None = None
    # REPPIR 2019 reg. 12(1) and (3): the date the regulator agreed in writing that the review
    # (or the test) may take place by, after the three years. A review or test due later than it
    # anyway (one recorded since) is due as usual: the extension was for the one it replaced.
    review_extended_to: date | None = None
    exercise_extended_to: date | None = None
    # The type of the exercise on last_exercised_on (None where not known, as from a file), and
    # the last exercise that was more than a discussion: the last test of a statutory duty where
    # local policy does not count a discussion-based exercise.
    last_exercise_type: str | None = None
    last_non_discussion_exercise_on: date | None = None


# The window reg. 13(2) allows an agreed period: six months, or longer up to nine.
AGREED_PERIOD_MONTHS = (6, 9)


@dataclass(frozen=True)
class Duty:
    """One thing due on one plan, as the `resilience duties` command reports it."""

    plan_id: str
    duty: DutyKind
    due_on: date
    status: Status
    days_left: int
    basis: str
    statutory: bool


def status_on(due_on: date, as_of: date, due_soon_days: int = DUE_SOON_DAYS) -> Status:
    """Return overdue after the due date, due_soon within ``due_soon_days`` of it, else ok."""
    if as_of > due_on:
        return Status.OVERDUE
    if (due_on - as_of).days <= due_soon_days:
        return Status.DUE_SOON
    return Status.OK


def check_plan(plan: PlanDates) -> None:
    """Return None for a consistent plan; raise InputError (naming the field) otherwise."""
    if not plan.plan_id.strip():
        raise InputError("plan_id is empty", field="plan_id")
    if plan.agreed_prepare_by is not None:
        _check_agreed_period(plan)
    if plan.prepare_basis is not None:
        _check_prepare_basis(plan)
    if plan.regime is not Regime.REPPIR and (plan.review_extended_to or plan.exercise_extended_to):
        raise InputError(
            "only the regulator of a REPPIR plan can agree a longer interval "
            f"(REPPIR 2019 reg. 12(3)), not of a {plan.regime} plan",
            field="extended_to",
        )
    if plan.adopted_on is None:
        # Reviews and exercises are of an adopted plan; dates for them without an adoption
        # date mean the row is wrong, and guessing which date is wrong would hide that.
        if plan.last_reviewed_on is not None:
            raise InputError(
                "last_reviewed_on is set but adopted_on is empty", field="last_reviewed_on"
            )
        if plan.last_exercised_on is not None:
            raise InputError(
                "last_exercised_on is set but adopted_on is empty", field="last_exercised_on"
            )


def _check_agreed_period(plan: PlanDates) -> None:
    """Raise InputError unless ``agreed_prepare_by`` is an agreed period reg. 13(2) allows."""
    agreed = plan.agreed_prepare_by
    assert agreed is not None
    field_name = "agreed_prepare_by"
    if plan.regime is not Regime.COMAH_EXTERNAL:
        raise InputError(
            f"an agreed date is only for a comah_external plan (COMAH 2015 reg. 13(2)), "
            f"not {plan.regime}",
            field=field_name,
        )
    if plan.adopted_on is not None:
        raise InputError(
            "an agreed date is for preparing a plan, and this plan is adopted",
            field=field_name,
        )
    if plan.notified_on is None:
        raise InputError(
            "an agreed date needs notified_on: the period runs from the operator's information",
            field=field_name,
        )
    shortest, longest = (plan.notified_on + relativedelta(months=m) for m in AGREED_PERIOD_MONTHS)
    if agreed < shortest:
        raise InputError(
            f"{agreed.isoformat()} is earlier than notified_on + 6 months "
            f"({shortest.isoformat()}): the plan is due by then anyway",
            field=field_name,
        )
    if agreed > longest:
        raise InputError(
            f"{agreed.isoformat()} is later than notified_on + 9 months "
            f"({longest.isoformat()}), the longest period reg. 13(2) allows",
            field=field_name,
        )


def _check_prepare_basis(plan: PlanDates) -> None:
    """Raise InputError unless the reason the plan need not be prepared fits the plan."""
    if plan.regime is not Regime.COMAH_EXTERNAL:
        raise InputError(
            "only a COMAH external plan can be treated as prepared or exempted "
            f"(COMAH 2015 reg. 13(5) and 15), not a {plan.regime} plan",
            field="prepare_basis",
        )
    if plan.agreed_prepare_by is not None:
        raise InputError(
            "a plan that need not be prepared has no agreed period for preparing it",
            field="agreed_prepare_by",
        )
    if plan.prepare_basis is PrepareBasis.TREATED_AS_PREPARED and plan.adopted_on is None:
        raise InputError(
            "a 1999 plan treated as prepared (reg. 13(5)) needs the date it was adopted: "
            "its reviews and tests run from it",
            field="adopted_on",
        )


def check_plans(plans: Iterable[PlanDates]) -> None:
    """Return None if all plans are consistent with unique plan_ids; raise InputError otherwise."""
    seen: set[str] = set()
    for plan in plans:
        check_plan(plan)
        if plan.plan_id in seen:
            raise InputError(f"duplicate plan_id '{plan.plan_id}'", field="plan_id")
        seen.add(plan.plan_id)


def plan_duties(plan: PlanDates, as_of: date, policy: DutyPolicy = DEFAULT_POLICY) -> list[Duty]:
    """Return the duties of one (consistent) plan on ``as_of``, unsorted."""
    if plan.prepare_basis is PrepareBasis.EXEMPTED:
        return []
    if plan.adopted_on is None:
        return [_prepare_duty(plan, as_of, policy)]
    extended_to = {
        DutyKind.REVIEW: plan.review_extended_to,
        DutyKind.EXERCISE: plan.exercise_extended_to,
    }
    adopted = plan.adopted_on
    anchors = {
        DutyKind.REVIEW: adopted if plan.last_reviewed_on is None else plan.last_reviewed_on,
        DutyKind.EXERCISE: adopted if (tested := last_test_on(plan, policy)) is None else tested,
    }
    duties = []
    for kind, anchor in anchors.items():
        due_on = anchor + relativedelta(months=policy.months_for(plan.regime, kind))
        agreed = extended_to[kind]
        if agreed is not None and agreed > due_on:
            due_on = agreed
        duties.append(_due(plan, RULE_FOR[(plan.regime, kind)], due_on, as_of, policy))
    return duties


def discussion_not_counted(plan: PlanDates, policy: DutyPolicy) -> bool:
    """Return whether the plan's last exercise was discussion-based and, its exercise duty being
    statutory, local policy does not count it as the test."""
    return (
        plan.last_exercise_type == DISCUSSION_BASED
        and RULE_FOR[(plan.regime, DutyKind.EXERCISE)].statutory
        and not policy.discussion_discharges_statutory_test
    )


def last_test_on(plan: PlanDates, policy: DutyPolicy = DEFAULT_POLICY) -> date | None:
    """Return the date of the exercise the plan's exercise duty counts from, or None."""
    if discussion_not_counted(plan, policy):
        return plan.last_non_discussion_exercise_on
    return plan.last_exercised_on


def _prepare_duty(plan: PlanDates, as_of: date, policy: DutyPolicy) -> Duty:
    """Return the prepare duty of a plan that has not been adopted."""
    if plan.agreed_prepare_by is not None:
        rule = RULE_FOR[(plan.regime, DutyKind.PREPARE)]
        return _due(plan, rule, plan.agreed_prepare_by, as_of, policy)
    if plan.regime is Regime.COMAH_EXTERNAL and plan.notified_on is not None:
        months = (
            policy.comah_prepare_extended_months
            if plan.extension_agreed
            else policy.months_for(plan.regime, DutyKind.PREPARE)
        )
        rule = RULE_FOR[(plan.regime, DutyKind.PREPARE)]
        return _duty(plan, rule, plan.notified_on, months, as_of, policy)
    # No date to count from: due today, so that an unprepared plan is never silently missing.
    # Its basis is the rule that requires the plan: reg. 13 for COMAH, else the review row.
    basis_duty = DutyKind.PREPARE if plan.regime is Regime.COMAH_EXTERNAL else DutyKind.REVIEW
    rule = RULE_FOR[(plan.regime, basis_duty)]
    return Duty(
        plan_id=plan.plan_id,
        duty=DutyKind.PREPARE,
        due_on=as_of,
        status=status_on(as_of, as_of, policy.due_soon_days),
        days_left=0,
        basis=rule.basis,
        statutory=rule.statutory,
    )


def _duty(
    plan: PlanDates, rule: DutyRule, anchor: date, months: int, as_of: date, policy: DutyPolicy
) -> Duty:
    """Return the duty that falls ``months`` after ``anchor`` (clamped to the month's end)."""
    return _due(plan, rule, anchor + relativedelta(months=months), as_of, policy)


def _due(plan: PlanDates, rule: DutyRule, due_on: date, as_of: date, policy: DutyPolicy) -> Duty:
    """Return ``rule``'s duty of ``plan``, due on ``due_on``, as it stands on ``as_of``."""
    return Duty(
        plan_id=plan.plan_id,
        duty=rule.duty,
        due_on=due_on,
        status=status_on(due_on, as_of, policy.due_soon_days),
        days_left=(due_on - as_of).days,
        basis=rule.basis,
        statutory=rule.statutory,
    )


def duty_order(duty: Duty) -> tuple[date, str, str]:
    """Return the sort key of the duties contract: due_on, then plan_id, then duty."""
    return (duty.due_on, duty.plan_id, duty.duty.value)


def due_duties(
    plans: Iterable[PlanDates], as_of: date, policy: DutyPolicy = DEFAULT_POLICY
) -> list[Duty]:
    """Return every plan's duties on ``as_of``, sorted; raise InputError on inconsistent plans."""
    plans = list(plans)
    check_plans(plans)
    duties = [duty for plan in plans for duty in plan_duties(plan, as_of, policy)]
    return sorted(duties, key=duty_order)
