"""Loading the Halton demonstration data set from the repository's sites/ and plans/ folders."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.accounts import add_or_update_user, find_user
from resilience.domain.layers import ESTABLISHMENTS, PIPELINES, RECEPTORS, WARDS
from resilience.domain.register_imports import ImportSummary
from resilience.domain.register_transfer import import_file
from resilience.errors import InputError
from resilience.storage.models import Plan

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
    session.flush()
    return f"{name}: {len(entries)} plans loaded"
