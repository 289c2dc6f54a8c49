"""Training sessions, invitations, attendance, and who is due a refresher under local policy.

Elected members are expected to train once per *municipal year*, which runs from the council's
annual meeting in May; council responders every three years. Both are local policy: the start
of the municipal year and each group's interval are settings an administrator may change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.clock import local_date
from resilience.date_text import long_date
from resilience.domain.duties.rules import DUE_SOON_DAYS, DutyPolicy, Status, status_on
from resilience.errors import InputError
from resilience.storage.models import Attendance, PolicySetting, TrainingSession, User

TOPICS = {
    "comah": "COMAH establishments",
    "pipelines": "Major accident hazard pipelines",
    "cca": "Civil Contingencies Act duties",
    "jesip": "JESIP joint working",
    "site_plan": "A specific site's emergency plan",
}
AUDIENCES = {
    "members": "Elected members",
    "responders": "Council responders",
    "both": "Members and responders",
}
OUTCOMES = {"attended": "Attended", "absent": "Did not attend", "apologies": "Sent apologies"}
# Who trains under which rule: elected members are members; every other role is a responder.
COHORTS = {"members": "Elected members", "responders": "Council responders"}
TRAINING_REMINDER_DUTY: Final = "training"  # the duty of a training reminder's claim key


def cohort_of(role: str) -> str:
    """Return the training group of a user's role: 'members' or 'responders'."""
    return "members" if role == "member" else "responders"


# --- local policy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingPolicy:
    """The local-policy rules for refresher training.

    ``year_start`` is the (month, day) the municipal year begins; the default, 1 May, stands for
    the annual meeting of the council, held in May: set it to the day of your annual meeting.
    A group's ``*_refresh_months`` of None means "once in every municipal year"; a number
    means "within that many months of the last session attended". Someone who has never
    attended is due by the end of the municipal year they joined in (once-a-year groups) or
    within ``first_training_months`` of joining (interval groups).
    """

    year_start: tuple[int, int] = (5, 1)
    member_refresh_months: int | None = None
    responder_refresh_months: int | None = 36
    first_training_months: int = 6
    due_soon_days: int = DUE_SOON_DAYS

    def __post_init__(self) -> None:
        """Raise InputError (naming the setting) if a value is out of range."""
        month, day = self.year_start
        if not 1 <= month <= 12:
            raise InputError(f"{month} is not a month (1-12)", field="year_start")
        # 29 February would make some years start on a day that does not exist.
        if not 1 <= day <= (28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
            raise InputError(f"{day} is not a day of month {month}", field="year_start")
        for name in ("member_refresh_months", "responder_refresh_months"):
            months = getattr(self, name)
            if months is not None and not 1 <= months <= 120:
                raise InputError("must be from 1 to 120 months", field=name)
        if not 1 <= self.first_training_months <= 60:
            raise InputError("must be from 1 to 60 months", field="first_training_months")
        if self.due_soon_days < 0:
            raise InputError("must be 0 or more", field="due_soon_days")

    def refresh_months(self, cohort: str) -> int | None:
        """Return a group's interval in months, or None for once per municipal year."""
        return self.member_refresh_months if cohort == "members" else self.responder_refresh_months

    def rule_text(self, cohort: str) -> str:
        """Return the rule for a group in words, e.g. 'once every municipal year (from 1 May)'."""
        months = self.refresh_months(cohort)
        if months is None:
            start = date(2001, *self.year_start)
            return f"once every municipal year (from {start.day} {start:%B})"
        if months % 12 == 0:
            years = months // 12
            return "every year" if years == 1 else f"every {years} years"
        return f"every {months} months"


DEFAULT_TRAINING_POLICY = TrainingPolicy()
POLICY_KEYS = {
    "year_start": "training.municipal_year_start",
    "member_refresh_months": "training.member_refresh_months",
    "responder_refresh_months": "training.responder_refresh_months",
    "first_training_months": "training.first_training_months",
}
ONCE_A_YEAR = "municipal_year"


def load_training_policy(session: Session) -> TrainingPolicy:
    """Return the training policy: stored settings over the defaults."""
    stored = {
        s.key: s.value
        for s in session.scalars(
            select(PolicySetting).where(PolicySetting.key.in_(POLICY_KEYS.values()))
        )
    }
    values: dict[str, object] = {}
    if (start := stored.get(POLICY_KEYS["year_start"])) is not None:
        month, _, day = start.partition("-")
        values["year_start"] = (int(month), int(day))
    for name in ("member_refresh_months", "responder_refresh_months"):
        if (raw := stored.get(POLICY_KEYS[name])) is not None:
            values[name] = None if raw == ONCE_A_YEAR else int(raw)
    if (raw := stored.get(POLICY_KEYS["first_training_months"])) is not None:
        values["first_training_months"] = int(raw)
    return TrainingPolicy(**values)  # type: ignore[arg-type]


def save_training_policy(session: Session, policy: TrainingPolicy, actor: str) -> None:
    """Store the policy's settings (audited as policy_settings); nothing commits here."""
    month, day = policy.year_start
    values = {
        POLICY_KEYS["year_start"]: f"{month:02d}-{day:02d}",
        POLICY_KEYS["first_training_months"]: str(policy.first_training_months),
    }
    for name in ("member_refresh_months", "responder_refresh_months"):
        months = getattr(policy, name)
        values[POLICY_KEYS[name]] = ONCE_A_YEAR if months is None else str(months)
    for key, value in values.items():
        setting = session.get(PolicySetting, key) or PolicySetting(key=key)
        setting.value = value
        setting.updated_by = actor
        session.add(setting)
    session.flush()


# --- municipal years and refresher dates (pure) ----------------------------------------------


@dataclass(frozen=True)
class MunicipalYear:
    """A municipal year: from its first day to its last, both inclusive."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """Return e.g. '2026/27'."""
        return f"{self.start.year}/{(self.start.year + 1) % 100:02d}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def municipal_year(day: date, policy: TrainingPolicy = DEFAULT_TRAINING_POLICY) -> MunicipalYear:
    """Return the municipal year that contains ``day``."""
    start = date(day.year, *policy.year_start)
    if day < start:
        start = date(day.year - 1, *policy.year_start)
    return MunicipalYear(start, date(start.year + 1, *policy.year_start) - timedelta(days=1))


def refresher_due_on(
    cohort: str,
    joined_on: date,
    attended_on: Iterable[date],
    as_of: date,
    policy: TrainingPolicy = DEFAULT_TRAINING_POLICY,
) -> date:
    """Return the day by which someone must next attend a session.

    Only sessions on or before ``as_of`` count. Once a year: a session in municipal year Y
    covers Y, so the next is due by the end of Y + 1. Interval: the last session plus the
    interval. Never attended: see TrainingPolicy.
    """
    past = [day for day in attended_on if day <= as_of]
    months = policy.refresh_months(cohort)
    if months is None:
        if past:
            covered = municipal_year(max(past), policy)
            return municipal_year(covered.end + timedelta(days=1), policy).end
        return municipal_year(joined_on, policy).end
    if past:
        return max(past) + relativedelta(months=months)
    return joined_on + relativedelta(months=policy.first_training_months)


@dataclass(frozen=True)
class TrainingDue:
    """Where one person stands with refresher training on a given day."""

    user_id: int
    name: str
    email: str
    role: str
    cohort: str
    last_attended_on: date | None
    last_session_id: int | None
    due_on: date
    status: Status
    days_left: int
    rule: str

    @property
    def reminder_ref(self) -> str:
        """Return the key the reminder system files this person's training under."""
        return f"TRAINING-{self.user_id}"

    @property
    def reason(self) -> str:
        """Return when this person last trained and when they are next due, in one sentence."""
        if self.last_attended_on is None:
            return f"No training attended yet; due by {long_date(self.due_on)}."
        last, due = long_date(self.last_attended_on), long_date(self.due_on)
        return f"Last attended {last}; next due by {due}."


def training_due(
    person: User,
    attended: Sequence[tuple[date, int]],
    as_of: date,
    policy: TrainingPolicy = DEFAULT_TRAINING_POLICY,
) -> TrainingDue:
    """Return one person's refresher status from the (day, session id) of sessions attended."""
    cohort = cohort_of(person.role)
    past = sorted(item for item in attended if item[0] <= as_of)
    joined_on = local_date(person.created_at)
    due_on = refresher_due_on(cohort, joined_on, [d for d, _ in past], as_of, policy)
    return TrainingDue(
        user_id=person.id,
        name=person.display_name or person.email,
        email=person.email,
        role=person.role,
        cohort=cohort,
        last_attended_on=past[-1][0] if past else None,
        last_session_id=past[-1][1] if past else None,
        due_on=due_on,
        status=status_on(due_on, as_of, policy.due_soon_days),
        days_left=(due_on - as_of).days,
        rule=policy.rule_text(cohort),
    )


def attended_sessions(session: Session) -> dict[int, list[tuple[date, int]]]:
    """Return, per user id, the (local day, session id) of every session they attended."""
    rows = session.execute(
        select(Attendance.user_id, TrainingSession.starts_at, TrainingSession.id)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(Attendance.outcome == "attended", TrainingSession.status == "planned")
    ).all()
    out: dict[int, list[tuple[date, int]]] = {}
    for user_id, starts_at, session_id in rows:
        out.setdefault(user_id, []).append((local_date(starts_at), session_id))
    return out


def who_is_due(
    session: Session, as_of: date, policy: TrainingPolicy | None = None
) -> list[TrainingDue]:
    """Return every active user's refresher status, soonest due first."""
    policy = policy or load_training_policy(session)
    attended = attended_sessions(session)
    people = session.scalars(select(User).where(User.active.is_(True))).all()
    dues = [training_due(p, attended.get(p.id, []), as_of, policy) for p in people]
    return sorted(dues, key=lambda d: (d.due_on, d.name.lower(), d.user_id))


@dataclass(frozen=True)
class RoleSummary:
    """How many people of one role are up to date, due soon or overdue."""

    role: str
    ok: int
    due_soon: int
    overdue: int

    @property
    def total(self) -> int:
        return self.ok + self.due_soon + self.overdue


def summary_by_role(dues: Iterable[TrainingDue]) -> list[RoleSummary]:
    """Return the counts of each status per role, roles in the order of accounts.ROLES."""
    from resilience.domain.accounts.users import ROLES

    counts: dict[str, dict[Status, int]] = {role: dict.fromkeys(Status, 0) for role in ROLES}
    for due in dues:
        counts.setdefault(due.role, dict.fromkeys(Status, 0))[due.status] += 1
    return [
        RoleSummary(role, c[Status.OK], c[Status.DUE_SOON], c[Status.OVERDUE])
        for role, c in counts.items()
        if sum(c.values())
    ]


# --- reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingReminder:
    """One refresher reminder to one person, keyed as the reminder claims table keys plan duties.

    ``key`` is (plan_ref, duty, due_on, lead, recipient) with plan_ref ``TRAINING-<user id>`` and
    duty ``training``, so the scheduler can claim, send and never repeat it exactly as it does a
    plan duty's reminder.
    """

    ref: str
    due_on: date
    lead: str
    send_on: date
    user_id: int
    email: str
    headline: str
    detail: str
    duty: str = TRAINING_REMINDER_DUTY

    @property
    def key(self) -> tuple[str, str, date, str, str]:
        return (self.ref, self.duty, self.due_on, self.lead, self.email.lower())


def training_reminders(
    session: Session,
    today: date,
    lead_policy: DutyPolicy | None = None,
    policy: TrainingPolicy | None = None,
) -> list[TrainingReminder]:
    """Return each person's refresher reminder due on ``today`` (its latest occasion, if any).

    Occasions are those of plan duties (``reminder_dates.reminder_occasions``: 90, 30 and 7
    days before, then weekly while overdue), from the same local policy.
    """
    from resilience.domain.duties.reminder_dates import reminder_occasions
    from resilience.domain.duties.rules import DEFAULT_POLICY

    out = []
    for due in who_is_due(session, today, policy):
        occasions = reminder_occasions(due.due_on, today, lead_policy or DEFAULT_POLICY)
        if not occasions:
            continue
        send_on, lead = occasions[-1]
        overdue = due.status is Status.OVERDUE
        out.append(
            TrainingReminder(
                ref=due.reminder_ref,
                due_on=due.due_on,
                lead=lead,
                send_on=send_on,
                user_id=due.user_id,
                email=due.email,
                headline=(
                    "Your refresher training is overdue"
                    if overdue
                    else f"Your refresher training is due by {long_date(due.due_on)}"
                ),
                detail=f"{due.reason} You train {due.rule} (local policy).",
            )
        )
    return out
