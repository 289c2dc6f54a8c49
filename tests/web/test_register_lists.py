"""The register's lists at national scale: a page at a time, searchable, no geometry decoded."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from resilience.storage.models import Plan
from tests.support.builders import make_ward
from tests.support.html import Node, parse


def _wards(session: Session, count: int) -> None:
    session.add_all(make_ward(f"W{n:04d}", name=f"Ward {n:04d}") for n in range(count))
    session.commit()


def _rows(page: Node) -> int:
    return len(page.find_all("tr", class_="govuk-table__row")) - 1  # less the header row


def test_a_long_list_is_paged_and_searchable(client: FlaskClient, session: Session) -> None:
    _wards(session, 250)
    first = parse(client.get("/wards/").text)
    assert _rows(first) == 100
    assert "Electoral wards: 250, 1 to 100 shown" in first.text
    assert "/wards/?page=3" in first.links()
    last = parse(client.get("/wards/?page=3").text)
    assert _rows(last) == 50 and "201 to 250 shown" in last.text
    assert _rows(parse(client.get("/wards/?page=99").text)) == 50  # past the end: the last page
    found = parse(client.get("/wards/?q=ward%20012").text)
    assert _rows(found) == 10  # Ward 0120 to Ward 0129
    assert "matching “ward 012”: 10" in found.text
    assert "/wards/?q=ward+012&page=2" not in found.links()  # one page: no page links
    assert "Nothing matches" in parse(client.get("/wards/?q=zzz").text).text
    assert client.get("/wards/?page=two").status_code == 400


def test_a_list_page_reads_no_geometry(client: FlaskClient, session: Session, app: Flask) -> None:
    engine: Engine = app.extensions["engine"]
    _wards(session, 150)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/wards/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    ward_queries = [s for s in statements if "FROM wards" in s]
    assert ward_queries  # the page was read from the app's own database
    assert len(ward_queries) <= 3, ward_queries  # a count and one page, not a query per ward
    assert not any("geometry" in s.split("FROM")[0] for s in ward_queries)


def test_the_duties_page_shows_100_duties_a_page_and_counts_them_all(
    client: FlaskClient, session: Session
) -> None:
    session.add_all(
        Plan(
            ref=f"P{n:03d}",
            title=f"Plan {n:03d}",
            regime="cca_local",
            owner="EPT",
            status="adopted",
            adopted_on=date(2020, 1, 1),
        )
        for n in range(60)
    )  # two duties each: 120
    session.commit()
    first = parse(client.get("/duties/?owner=EPT").text)
    assert _rows(first) == 100
    assert "1 to 100 of 120" in first.text
    assert "120 overdue" in first.text  # the count is of every duty, not the page's
    second = parse(client.get("/duties/?owner=EPT&page=2").text)
    assert _rows(second) == 20
    assert "/duties/?owner=EPT&page=1#duties" in second.links()
