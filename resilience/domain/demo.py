"""Loading the Halton demonstration data set from the repository's sites/ and plans/ folders."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.accounts.users import add_or_update_user, find_user
from resilience.domain.plans.exercises import EXERCISE_TYPES, follow_records
from resilience.domain.plans.organisations import add_organisation, all_organisations
from resilience.domain.plans.reviews import REVIEW_OUTCOMES
from resilience.domain.register.imports import ImportSummary
from resilience.domain.register.layers import ESTABLISHMENTS, PIPELINES, RECEPTORS, WARDS
from resilience.domain.register.transfer import import_file
from resilience.errors import InputError
from resilience.storage.models import Exercise, Hazard, Lesson, Organisation, Plan, PlanReview

DEMO_ROOT = Path(__file__).resolve().parents[2]
DEMO_FILES = (
    (WARDS, "sites/wards/halton_wards.geojson"),
    (ESTABLISHMENTS, "sites/establishments.geojson"),
    (PIPELINES, "sites/pipelines.geojson"),
    (RECEPTORS, "sites/receptors.geojson"),
)
PLAN_FIELDS = (
    "title",
    "regime",
    "owner",
    "marking",
    "status",
    "notified_on",
    "extension_agreed",
    "adopted_on",
    "last_reviewed_on",
    "last_exercised_on",
)


def load_demo(session: Session, root: Path = DEMO_ROOT) -> list[str]:
    """Load (or refresh) the demo data set; returns one line per file. Nothing commits here."""
    lines: list[str] = []
    for layer, relative in DEMO_FILES:
        summary: ImportSummary = import_file(session, layer, root / relative, name=relative)
        lines.append(str(summary))
    lines.append(load_plans(session, root / "plans" / "plans.yaml"))
    # The demonstration sites and plans stand for a register kept for years: mark them as held
    # from before the register's records began, so past periods' reports include them.
    for record in [*session.scalars(select(Hazard)), *session.scalars(select(Plan))]:
        if record.created_at is not None:
            record.created_at = None
    session.flush()
    return lines


DEMO_USERS = {
    "admin": "admin@demo.invalid",
    "officer": "officer@demo.invalid",
    "planner": "planner@demo.invalid",
    "member": "member@demo.invalid",
}
DEMO_PASSWORDS_FILE = "demo-passwords.txt"


def ensure_demo_users(session: Session, instance: Path) -> list[str]:
    """Create one demonstration account per role, once; returns how to sign in.

    The passwords are random, made on first use and kept (readable by the owner only) in the
    instance folder, so a demo never ships with a known password.
    """
    path = instance / DEMO_PASSWORDS_FILE
    if path.exists():
        return [f"Demo accounts: see {path}"]
    lines = []
    for role, email in DEMO_USERS.items():
        if find_user(session, email) is not None:
            continue
        password = secrets.token_urlsafe(12)
        add_or_update_user(session, email, role, password, display_name=f"Demo {role}")
        lines.append(f"{email}  {password}  ({role})")
    if not lines:
        return []
    path.write_text("Demo accounts (e-mail, password, role):\n" + "\n".join(lines) + "\n")
    path.chmod(0o600)
    return ["Demo accounts, also kept in " + str(path) + ":", *lines]


def load_plans(session: Session, path: Path) -> str:
    """Create or update the plans of a plans YAML file, matched on plan_id."""
    name = f"plans/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise InputError(f"not valid YAML: {error}", file=name) from None
    entries: list[dict[str, Any]] = data.get("plans") or []
    existing = {p.ref: p for p in session.scalars(select(Plan))}
    for number, entry in enumerate(entries, start=1):
        ref = str(entry.get("plan_id") or "").strip()
        if not ref:
            raise InputError("is empty", file=name, location=f"plan {number}", field="plan_id")
        values = {k: entry.get(k) for k in PLAN_FIELDS if k in entry}
        for key in ("notified_on", "adopted_on", "last_reviewed_on", "last_exercised_on"):
            if values.get(key) is not None and not isinstance(values[key], date):
                raise InputError(
                    "is not a date (YYYY-MM-DD)", file=name, location=f"plan {number}", field=key
                )
        values["hazard_refs"] = list(entry.get("covers") or [])
        plan = existing.get(ref) or Plan(ref=ref)
        for key, value in values.items():
            setattr(plan, key, value)
        session.add(plan)
        existing[ref] = plan
    session.flush()
    records = load_plan_records(session, data, existing, name)
    return f"{name}: {len(entries)} plans loaded" + (f", {records}" if records else "")


def _date_of(entry: dict[str, Any], key: str, name: str, where: str) -> date | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, date):
        raise InputError("is not a date (YYYY-MM-DD)", file=name, location=where, field=key)
    return value


def _text_of(entry: dict[str, Any], key: str, name: str, where: str) -> str:
    text = str(entry.get(key) or "").strip()
    if not text:
        raise InputError("is empty", file=name, location=where, field=key)
    return text


def load_organisations(
    session: Session, data: dict[str, Any], name: str
) -> dict[str, Organisation]:
    """Add the file's organisations to the list where not already there (matched on name, in
    any case); return the whole list by folded name."""
    listed = {o.name.casefold(): o for o in all_organisations(session)}
    for number, entry in enumerate(data.get("organisations") or [], start=1):
        where = f"organisation {number}"
        title = _text_of(entry, "name", name, where)
        if title.casefold() in listed:
            continue
        try:
            added = add_organisation(session, title, str(entry.get("kind") or ""))
        except InputError as error:
            raise error.located(file=name, location=where) from None
        listed[added.name.casefold()] = added
    return listed


def load_plan_records(
    session: Session, data: dict[str, Any], plans: dict[str, Plan], name: str
) -> str:
    """Create or update the reviews (under each plan) and the exercises with their lessons.

    Reviews are matched on their plan and date, exercises on their title, lessons on their
    exercise and description; each plan's last review and exercise then follow the records.
    """
    reviews = {(r.plan_id, r.reviewed_on): r for r in session.scalars(select(PlanReview))}
    count = 0
    for number, entry in enumerate(data.get("plans") or [], start=1):
        plan = plans[str(entry["plan_id"]).strip()]
        for index, item in enumerate(entry.get("reviews") or [], start=1):
            where = f"plan {number}, review {index}"
            reviewed_on = _date_of(item, "reviewed_on", name, where)
            if reviewed_on is None:
                raise InputError("is empty", file=name, location=where, field="reviewed_on")
            outcome = _text_of(item, "outcome", name, where)
            if outcome not in dict(REVIEW_OUTCOMES):
                allowed = ", ".join(dict(REVIEW_OUTCOMES))
                raise InputError(
                    f"is not one of: {allowed}", file=name, location=where, field="outcome"
                )
            review = reviews.get((plan.id, reviewed_on)) or PlanReview(
                plan=plan, reviewed_on=reviewed_on
            )
            review.reviewer = _text_of(item, "reviewer", name, where)
            review.outcome = outcome
            review.changes_made = str(item.get("changes_made") or "").strip()
            session.add(review)
            count += 1
    listed = load_organisations(session, data, name)
    exercises = {e.title: e for e in session.scalars(select(Exercise))}
    entries: list[dict[str, Any]] = data.get("exercises") or []
    for number, entry in enumerate(entries, start=1):
        where = f"exercise {number}"
        title = _text_of(entry, "title", name, where)
        kind = _text_of(entry, "type", name, where)
        if kind not in dict(EXERCISE_TYPES):
            allowed = ", ".join(dict(EXERCISE_TYPES))
            raise InputError(f"is not one of: {allowed}", file=name, location=where, field="type")
        held_on = _date_of(entry, "held_on", name, where)
        planned_on = _date_of(entry, "planned_on", name, where)
        if (held_on or planned_on) is None:
            raise InputError("needs held_on or planned_on", file=name, location=where)
        unknown = [ref for ref in entry.get("plans") or [] if ref not in plans]
        if unknown:
            raise InputError(f"unknown plan {unknown[0]}", file=name, location=where, field="plans")
        exercise = exercises.get(title) or Exercise(title=title)
        exercise.exercise_type = kind
        exercise.status = "held" if held_on else "planned"
        exercise.held_on, exercise.planned_on = held_on, planned_on
        exercise.organisations = str(entry.get("organisations") or "").strip()
        exercise.hazard_refs = list(entry.get("covers") or [])
        exercise.note = str(entry.get("note") or "").strip()
        exercise.objectives = str(entry.get("objectives") or "").strip()
        exercise.plans = [plans[ref] for ref in sorted(set(entry.get("plans") or []))]
        taking_part = [str(n).strip() for n in entry.get("participants") or []]
        missing = [n for n in taking_part if n.casefold() not in listed]
        if missing:
            raise InputError(
                f"{missing[0]} is not in the file's organisations",
                file=name,
                location=where,
                field="participants",
            )
        exercise.participants = sorted(
            {listed[n.casefold()] for n in taking_part}, key=lambda o: o.name
        )
        session.add(exercise)
        lessons = {lesson.description: lesson for lesson in exercise.lessons}
        for index, item in enumerate(entry.get("lessons") or [], start=1):
            at = f"{where}, lesson {index}"
            description = _text_of(item, "description", name, at)
            due_on = _date_of(item, "due_on", name, at)
            if due_on is None:
                raise InputError("is empty", file=name, location=at, field="due_on")
            lesson = lessons.get(description) or Lesson(description=description)
            lesson.owner = _text_of(item, "owner", name, at)
            lesson.due_on = due_on
            lesson.closed_on = _date_of(item, "closed_on", name, at)
            lesson.closure_note = str(item.get("closure_note") or "").strip()
            if lesson not in exercise.lessons:
                exercise.lessons.append(lesson)
    for plan in plans.values():
        follow_records(session, plan)
    session.flush()
    if not count and not entries:
        return ""
    return f"{count} reviews and {len(entries)} exercises loaded"
