"""Fixtures of the plan tests: adopted plans stored through the shared builder, and a client
that may change things."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience.storage.models import Plan
from tests.support.builders import ADOPTED_PLAN, add_plan


@pytest.fixture
def stored_plan(session: Session) -> Callable[..., Plan]:
    """Return a function that stores an adopted plan (committed, so the app sees it)."""

    def store(ref: str = "PLAN-1", **values: Any) -> Plan:
        plan = add_plan(session, ref, **{**ADOPTED_PLAN, **values})
        session.commit()
        return plan

    return store


@pytest.fixture
def editor(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    """Return a client signed in as an administrator, who may make every change."""
    return client_as("admin")
