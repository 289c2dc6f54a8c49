"""The local duty policy: the settings an administrator stores, and the DutyPolicy they make.

Nothing here commits (the caller's unit of work does). A setting the duty rules refuse raises
InputError whose ``field`` is the setting's key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.duties.rules import (
    COMAH_PREPARE_EXTENDED_MONTHS,
    DISCUSSION_DISCHARGES_STATUTORY_TEST,
    OVERDUE_REMINDER_EVERY_DAYS,
    REMINDER_LEAD_DAYS,
    RULE_FOR,
    DutyKind,
    DutyPolicy,
    Regime,
)
from resilience.errors import InputError
from resilience.storage.models import PolicySetting, utcnow

log = logging.getLogger(__name__)

MAX_INTERVAL_MONTHS = 120
MAX_LEAD_DAYS = 366
EXTENDED_KEY = "comah_prepare_extended_months"
LEAD_DAYS_KEY = "reminder_lead_days"
OVERDUE_EVERY_KEY = "overdue_reminder_every_days"
DISCUSSION_KEY = "discussion_exercise_discharges_statutory_test"
# Shown beside the setting on the policy page: why the default is what it is.
DISCUSSION_REASON = (
    "COMAH 2015 reg. 14 and REPPIR 2019 reg. 12 require each external plan to be tested; this "
    "app does not decide what kind of exercise a test must be. REPPIR asks that a test involve "
    "everyone with a role in the plan as far as needed to show that the plan is effective, "
    "which a discussion alone may not do. By default any held exercise counts, and the duties "
    "pages flag a statutory test that was discussion-based only; a council may decide that "
    "such an exercise does not discharge the duty."
)


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
    discussion_discharges_statutory_test: bool = DISCUSSION_DISCHARGES_STATUTORY_TEST

    @classmethod
    def of(cls, policy: DutyPolicy) -> PolicyChoice:
        """Return the choices a policy embodies."""
        return cls(
            intervals=dict(policy.interval_months),
            comah_prepare_extended_months=policy.comah_prepare_extended_months,
            reminder_lead_days=policy.reminder_lead_days,
            overdue_reminder_every_days=policy.overdue_reminder_every_days,
            discussion_discharges_statutory_test=policy.discussion_discharges_statutory_test,
        )

    def settings(self) -> dict[str, str]:
        """Return the choices as setting key -> stored text."""
        values = {interval_key(*key): str(months) for key, months in self.intervals.items()}
        values[EXTENDED_KEY] = str(self.comah_prepare_extended_months)
        values[LEAD_DAYS_KEY] = ",".join(str(days) for days in self.reminder_lead_days)
        values[OVERDUE_EVERY_KEY] = str(self.overdue_reminder_every_days)
        values[DISCUSSION_KEY] = "yes" if self.discussion_discharges_statutory_test else "no"
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
        discussion_discharges_statutory_test=choice.discussion_discharges_statutory_test,
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
        discussion_discharges_statutory_test={"yes": True, "no": False}.get(
            settings.get(DISCUSSION_KEY, ""), defaults.discussion_discharges_statutory_test
        ),
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
