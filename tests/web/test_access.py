"""Every route against every role, from one table: who may read it, who may change through it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from resilience.domain.accounts.users import PERMISSIONS
from resilience.domain.demo import load_demo
from resilience.web.account.access import required_permission

ROLES = ("admin", "officer", "planner", "member")
# A value for every URL variable, naming records that the demo data set holds.
SAMPLE_ARGS = {
    "layer": "establishments",
    "ref": "HAL-COMAH-01",
    "fmt": "csv",
    "user_id": "1",
    "filename": "app.js",
    "token": "not-a-token",
    "id": "1",
    "exercise_id": "1",
    "version_id": "1",
    "lesson_id": "1",
    "session_id": "1",
    "notification_id": "1",
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        url = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE_ARGS.get(m.group(1), "1"), rule.rule
        )
        if "any(" in rule.rule:
            url = url.replace("/<any(establishments, pipelines, wards, receptors):layer>", "")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def _call(client: FlaskClient, method: str, url: str) -> int:
    response = client.open(url, method=method, data={})
    response.close()  # static files are streamed; close them
    return response.status_code


def test_every_route_checks_every_role(
    app: Flask, client_as: Callable[[str], FlaskClient], anonymous: FlaskClient, session: Session
) -> None:
    load_demo(session)
    session.commit()
    clients = {role: client_as(role) for role in ROLES}
    routes = _routes(app)
    assert len(routes) > 20
    failures = []
    for endpoint, method, url in routes:
        needed = required_permission(endpoint, method)
        status = _call(anonymous, method, url)
        if needed is not None and status != 302:
            failures.append(f"anonymous {method} {url}: {status}, expected a redirect to sign in")
        for role in ROLES:
            if method != "GET" and (needed is None or needed in PERMISSIONS[role]):
                continue  # allowed changes are exercised by the feature tests, not by empty posts
            status = _call(clients[role], method, url)
            allowed = needed is None or needed in PERMISSIONS[role]
            if not allowed and status != 403:
                failures.append(f"{role} {method} {url}: {status}, expected 403")
            if allowed and status in (401, 403):
                failures.append(f"{role} {method} {url}: {status}, expected access")
    assert failures == []


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
