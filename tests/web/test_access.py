"""Every route against every role, from a table written out here: the exact answer each one gets.

The table is this test's own statement of who may do what (README, "Using it"), not read from the
app's permission table, so that a change to either shows here. Each row is a request and the
status it gets: signed out, then as administrator, officer, planner and member. 302 signed out
is the redirect to the sign-in page. A POST with no form data is refused (403) or answered as bad
input (400) without changing anything; CHANGES marks a request that would change the register
when allowed, which this sweep sends only to roles it must refuse (the feature tests make those
changes), and afterwards the register is checked to be unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.storage.models import (
    Exercise,
    Hazard,
    Invitation,
    Plan,
    PlanReview,
    TrainingSession,
    User,
    WhatIfScenario,
)
from tests.support.builders import make_session

ROLES = ("admin", "officer", "planner", "member")
CHANGES = 0  # allowed, and would change something: not sent to the roles allowed it
EST = "/establishments/HAL-COMAH-01"
PLAN = "/plans/PLAN-RUNCORN-SITE"  # OFFICIAL-SENSITIVE
PUBLIC_PLAN = "/plans/PLAN-MAJOR-INCIDENT"  # OFFICIAL
C = CHANGES

# method, path: signed out, admin, officer, planner, member
TABLE: list[tuple[str, str, tuple[int, int, int, int, int]]] = [
    # Signing in and out, one's own account, notifications and calendar link.
    ("GET", "/login", (200, 200, 200, 200, 200)),
    ("POST", "/login", (400, 400, 400, 400, 400)),
    ("GET", "/logout", (302, 200, 200, 200, 200)),
    ("POST", "/logout", (302, C, C, C, C)),
    ("GET", "/account/password", (302, 200, 200, 200, 200)),
    ("POST", "/account/password", (302, 400, 400, 400, 400)),
    ("GET", "/notifications", (302, 200, 200, 200, 200)),
    ("POST", "/notifications/1/read", (302, 404, 404, 404, 404)),
    ("POST", "/notifications/read-all", (302, 302, 302, 302, 302)),
    ("POST", "/calendar/link", (302, 302, 302, 302, 302)),
    ("GET", "/calendar/not-a-token.ics", (404, 404, 404, 404, 404)),
    # Home: members are sent to their briefing.
    ("GET", "/", (302, 200, 200, 200, 302)),
    # The register: everyone reads; officers and administrators change it.
    ("GET", "/establishments/", (302, 200, 200, 200, 200)),
    ("GET", "/pipelines/", (302, 200, 200, 200, 200)),
    ("GET", "/wards/", (302, 200, 200, 200, 200)),
    ("GET", "/receptors/", (302, 200, 200, 200, 200)),
    ("GET", EST, (302, 200, 200, 200, 200)),
    ("GET", f"{EST}/exposure.csv", (302, 200, 200, 200, 200)),
    ("GET", "/establishments/new", (302, 200, 200, 403, 403)),
    ("POST", "/establishments/new", (302, 400, 400, 403, 403)),
    ("GET", f"{EST}/edit", (302, 200, 200, 403, 403)),
    ("POST", f"{EST}/edit", (302, 400, 400, 403, 403)),
    ("GET", f"{EST}/delete", (302, 200, 200, 403, 403)),
    ("POST", f"{EST}/delete", (302, C, C, 403, 403)),
    # Import and export: exports hold OFFICIAL-SENSITIVE detail, members get none.
    ("GET", "/transfer/", (302, 200, 200, 403, 403)),
    ("POST", "/transfer/", (302, 400, 400, 403, 403)),
    ("GET", "/transfer/export/establishments.csv", (302, 200, 200, 200, 403)),
    ("GET", "/transfer/export/pipelines.geojson", (302, 200, 200, 200, 403)),
    # Maps: everyone; their assets need no sign-in.
    ("GET", "/maps/", (302, 200, 200, 200, 200)),
    ("GET", "/maps/overview.html", (302, 200, 200, 200, 200)),
    ("GET", "/maps/establishments/HAL-COMAH-01", (302, 200, 200, 200, 200)),
    ("GET", "/maps/download/html/establishments/HAL-COMAH-01", (302, 200, 200, 200, 200)),
    ("GET", "/maps/static/map.js", (200, 200, 200, 200, 200)),
    ("GET", "/maps/layers/wards.json?bbox=-2.8,53.3,-2.6,53.4&zoom=12", (302, 200, 200, 200, 200)),
    ("GET", "/maps/layers/wards.json?bbox=nowhere&zoom=12", (302, 400, 400, 400, 400)),
    (
        "GET",
        "/maps/layers/zones_outer.json?bbox=-2.8,53.3,-2.6,53.4&zoom=9",
        (302, 200, 200, 200, 200),
    ),
    ("GET", "/static/app.js", (200, 200, 200, 200, 200)),
    # Members' briefing and the reports: every role.
    ("GET", "/members/", (302, 200, 200, 200, 200)),
    ("GET", "/members/sites/HAL-COMAH-01", (302, 200, 200, 200, 200)),
    ("GET", "/members/overview.png", (302, 200, 200, 200, 200)),
    ("GET", "/members/maps/HAL-COMAH-01.png", (302, 200, 200, 200, 200)),
    ("GET", "/reports/", (302, 200, 200, 200, 200)),
    ("GET", "/reports/annual", (302, 200, 200, 200, 200)),
    ("GET", "/reports/annual.pdf", (302, 200, 200, 200, 200)),
    ("GET", "/reports/annual.docx", (302, 200, 200, 200, 200)),
    ("GET", "/reports/sites/HAL-COMAH-01/briefing-pack.pdf", (302, 200, 200, 200, 200)),
    ("GET", "/reports/training/1/briefing-pack.pdf", (302, 200, 200, 200, 200)),
    # Plans: everyone reads (members without OFFICIAL-SENSITIVE detail); officers change plans
    # and their versions; planners too record reviews, exercises and lessons.
    ("GET", "/plans/", (302, 200, 200, 200, 200)),
    ("GET", PLAN, (302, 200, 200, 200, 200)),
    ("GET", PUBLIC_PLAN, (302, 200, 200, 200, 200)),
    ("GET", "/plans/new", (302, 200, 200, 403, 403)),
    ("POST", "/plans/new", (302, 400, 400, 403, 403)),
    ("GET", f"{PLAN}/edit", (302, 200, 200, 403, 403)),
    ("POST", f"{PLAN}/edit", (302, 400, 400, 403, 403)),
    ("GET", f"{PLAN}/versions", (302, 200, 200, 403, 403)),
    ("POST", f"{PLAN}/versions", (302, 400, 400, 403, 403)),
    # No version 1 exists; a member is refused an OFFICIAL-SENSITIVE plan's documents first.
    ("GET", f"{PLAN}/versions/1", (302, 404, 404, 404, 403)),
    ("GET", f"{PUBLIC_PLAN}/versions/1", (302, 404, 404, 404, 404)),
    ("GET", f"{PLAN}/letters", (302, 200, 200, 403, 403)),
    ("POST", f"{PLAN}/letters", (302, 400, 400, 403, 403)),
    ("GET", f"{PLAN}/letters/1", (302, 404, 404, 404, 403)),
    ("GET", f"{PUBLIC_PLAN}/letters/1", (302, 404, 404, 404, 404)),
    ("GET", f"{PLAN}/extensions", (302, 200, 200, 403, 403)),
    ("POST", f"{PLAN}/extensions", (302, 400, 400, 403, 403)),
    # No version 1 exists: those who may record a consultation find none to record it on.
    ("GET", f"{PLAN}/consultations/1", (302, 404, 404, 403, 403)),
    ("POST", f"{PLAN}/consultations/1", (302, 404, 404, 403, 403)),
    ("GET", f"{PLAN}/consultations/1/1/delete", (302, 404, 404, 403, 403)),
    ("POST", f"{PLAN}/consultations/1/1/delete", (302, 404, 404, 403, 403)),
    ("GET", f"{PLAN}/reviews/new", (302, 200, 200, 200, 403)),
    ("POST", f"{PLAN}/reviews/new", (302, 400, 400, 400, 403)),
    ("GET", f"{PLAN}/reviews/1/delete", (302, 200, 200, 200, 403)),
    ("POST", f"{PLAN}/reviews/1/delete", (302, C, C, C, 403)),
    ("GET", "/exercises/", (302, 200, 200, 200, 200)),
    ("GET", "/exercises/1", (302, 200, 200, 200, 200)),
    ("GET", "/exercises/new", (302, 200, 200, 200, 403)),
    ("POST", "/exercises/new", (302, 400, 400, 400, 403)),
    ("GET", "/exercises/1/edit", (302, 200, 200, 200, 403)),
    ("POST", "/exercises/1/edit", (302, 400, 400, 400, 403)),
    ("GET", "/exercises/1/delete", (302, 200, 200, 200, 403)),
    ("POST", "/exercises/1/delete", (302, C, C, C, 403)),
    ("POST", "/exercises/1/lessons", (302, 400, 400, 400, 403)),
    ("POST", "/exercises/1/lessons/1/close", (302, 400, 400, 400, 403)),
    ("GET", "/organisations/", (302, 200, 200, 200, 403)),
    ("POST", "/organisations/", (302, 400, 400, 400, 403)),
    # Duties: everyone reads; local policy is the administrators'.
    ("GET", "/duties/", (302, 200, 200, 200, 200)),
    ("GET", "/duties/calendar", (302, 200, 200, 200, 200)),
    ("GET", "/duties/duties.csv", (302, 200, 200, 200, 200)),
    ("GET", "/settings/policy", (302, 200, 403, 403, 403)),
    ("POST", "/settings/policy", (302, 400, 403, 403, 403)),
    # Training: everyone reads sessions; staff plan them; the refresher policy is the admins'.
    ("GET", "/training/", (302, 200, 200, 200, 200)),
    ("GET", "/training/1", (302, 200, 200, 200, 200)),
    ("GET", "/training/due", (302, 200, 200, 200, 403)),
    ("GET", "/training/new", (302, 200, 200, 200, 403)),
    ("POST", "/training/new", (302, 400, 400, 400, 403)),
    ("GET", "/training/1/edit", (302, 200, 200, 200, 403)),
    ("POST", "/training/1/edit", (302, 400, 400, 400, 403)),
    ("GET", "/training/1/invite", (302, 200, 200, 200, 403)),
    ("POST", "/training/1/invite", (302, 302, 302, 302, 403)),  # nobody chosen: none invited
    ("POST", "/training/1/invitations/1/withdraw", (302, C, C, C, 403)),
    ("GET", "/training/1/attendance", (302, 200, 200, 200, 403)),
    ("POST", "/training/1/attendance", (302, 400, 400, 400, 403)),
    ("GET", "/training/policy", (302, 200, 403, 403, 403)),
    ("POST", "/training/policy", (302, 400, 403, 403, 403)),
    # People, reminders and the audit trail: administrators only.
    ("GET", "/admin/users", (302, 200, 403, 403, 403)),
    ("GET", "/admin/users/new", (302, 200, 403, 403, 403)),
    ("POST", "/admin/users/new", (302, 400, 403, 403, 403)),
    ("GET", "/admin/users/1", (302, 200, 403, 403, 403)),
    ("POST", "/admin/users/1", (302, 400, 403, 403, 403)),
    ("POST", "/admin/users/1/unlock", (302, 302, 403, 403, 403)),  # not locked: nothing to do
    ("GET", "/admin/reminders", (302, 200, 403, 403, 403)),
    ("GET", "/admin/audit", (302, 200, 403, 403, 403)),
    ("GET", "/admin/audit.csv", (302, 200, 403, 403, 403)),
    # What if it leaks: everyone but members may run one and keep it as a scenario.
    ("GET", "/whatif/", (302, 200, 200, 200, 403)),
    ("GET", "/whatif/download.csv", (302, 400, 400, 400, 403)),
    ("GET", "/whatif/scenarios", (302, 200, 200, 200, 403)),
    ("POST", "/whatif/scenarios", (302, 400, 400, 400, 403)),
    ("GET", "/whatif/scenarios/1", (302, 404, 404, 404, 403)),  # none saved
    ("GET", "/whatif/scenarios/1/download.csv", (302, 404, 404, 404, 403)),
]


def _answer(client: FlaskClient, method: str, path: str) -> tuple[int, str]:
    response = client.open(path, method=method, data={})
    response.close()  # static files and downloads are streamed; close them
    return response.status_code, response.headers.get("Location", "")


def _register_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    tables = (Hazard, Plan, PlanReview, Exercise, TrainingSession, Invitation, User, WhatIfScenario)
    return {t.__name__: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def test_the_table_has_every_route_and_method(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    in_table = {
        (adapter.match(path.partition("?")[0], method=method)[0], method)
        for method, path, _ in TABLE
    }
    in_app = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert sorted(in_app - in_table) == []
    assert len({(method, path) for method, path, _ in TABLE}) == len(TABLE)  # no row twice


def test_every_role_gets_exactly_the_answer_in_the_table(
    client_as: Callable[[str], FlaskClient], anonymous: FlaskClient, session: Session
) -> None:
    clients = {role: client_as(role) for role in ROLES}  # the admin is user 1
    load_demo(session)
    make_session(session)
    session.commit()
    before = _register_counts(session)
    failures = []
    for method, path, (signed_out, *by_role) in TABLE:
        status, location = _answer(anonymous, method, path)
        if status != signed_out or (status == 302 and not location.startswith("/login")):
            failures.append(f"signed out {method} {path}: {status} {location}, not {signed_out}")
        for role, expected in zip(ROLES, by_role, strict=True):
            if expected == CHANGES:
                continue
            status, _ = _answer(clients[role], method, path)
            if status != expected:
                failures.append(f"{role} {method} {path}: {status}, not {expected}")
    assert failures == []
    assert _register_counts(session) == before


@pytest.mark.parametrize("role", ["member"])
def test_members_cannot_reach_edit_pages(
    role: str, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    client = client_as(role)
    assert client.get("/establishments/HAL-COMAH-01").status_code == 200
    for url in (
        "/establishments/new",
        "/establishments/HAL-COMAH-01/edit",
        "/establishments/HAL-COMAH-01/delete",
        "/transfer/",
        "/transfer/export/pipelines.geojson",
        "/admin/users",
        "/admin/audit",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/establishments/HAL-COMAH-01/delete").status_code == 403
