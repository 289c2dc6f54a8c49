"""Fixtures of the plan tests: plans made by a factory, and a client that may change things."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience.storage.models import Plan


def make_plan(ref: str = "PLAN-1", **values: Any) -> Plan:
    """Return an adopted COMAH external plan unless told otherwise (not yet in a session)."""
    values.setdefault("title", f"Plan {ref}")
    values.setdefault("regime", "comah_external")
    values.setdefault("owner", "Emergency Planning Team")
    values.setdefault("marking", "OFFICIAL")
    values.setdefault("status", "adopted")
    values.setdefault("adopted_on", date(2021, 6, 30))
    values.setdefault("hazard_refs", [])
    return Plan(ref=ref, **values)


@pytest.fixture
def add_plan(session: Session) -> Callable[..., Plan]:
    """Return a function that stores a plan (committed, so the app sees it) and returns it."""

    def add(ref: str = "PLAN-1", **values: Any) -> Plan:
        plan = make_plan(ref, **values)
        session.add(plan)
        session.commit()
        return plan

    return add


@pytest.fixture
def editor(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    """Return a client signed in as an administrator, who may make every change."""
    return client_as("admin")
