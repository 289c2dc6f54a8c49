"""The members' page reads the database a fixed number of times, however many sites there are
(issue #13: 3,918 statements per request nationally, one exposure query per site)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import Point
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.domain.register.edits import after_change
from tests.support.builders import make_establishment
from tests.support.html import parse


def _statements(app: Flask, client: FlaskClient, path: str) -> tuple[int, str]:
    engine: Engine = app.extensions["engine"]
    count = 0

    def record(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return count, response.text


def test_member_page_queries_do_not_grow_with_the_sites(
    app: Flask, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    member = client_as("member")
    before, _ = _statements(app, member, "/members/")
    sites = [
        make_establishment(
            f"EXTRA-{n}",
            name=f"Extra site {n}",
            tier="lower",
            inner_m=200,
            middle_m=400,
            outer_m=800,
            geometry=Point(-2.74 + n * 0.002, 53.33),
        )
        for n in range(20)
    ]
    session.add_all(sites)
    session.flush()
    after_change(session, sites)
    session.commit()
    after, text = _statements(app, member, "/members/")
    assert after <= before + 2, f"{before} statements before, {after} with 20 more sites"
    # 31 sites: 20 cards a page, the rest on page 2, any of them found by name.
    first = parse(text)
    assert "31 sites and pipelines, 1 to 20 shown" in first.text
    assert "/members/?page=2#sites" in first.links()
    second = parse(member.get("/members/?page=2").text)
    assert "21 to 31 shown" in second.text
    found = parse(member.get("/members/?q=extra+site+19").text)
    assert "Extra site 19" in found.text and "Extra site 18" not in found.text
