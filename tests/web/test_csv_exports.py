"""Every CSV the web app serves is spreadsheet-safe: formulas are text, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.csv_export import spreadsheet_cell, spreadsheet_csv
from resilience.domain.register.edits import after_change
from resilience.storage.models import AuditEvent, Plan, Zone
from tests.support.builders import make_establishment, make_pipeline, make_receptor, make_ward
from tests.support.requests import url

# What a spreadsheet would run, each with the way it must come out.
FORMULAS = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "@SUM(A1)": "'@SUM(A1)",
    "+1+1": "'+1+1",
    "-1+1": "'-1+1",
    "\tTabbed": "'\tTabbed",
    "\rReturned": "'\rReturned",
}
LINK, SUM, PLUS, MINUS, TAB, CR = FORMULAS


def test_text_cells_are_escaped_and_numbers_are_not() -> None:
    for given, written in FORMULAS.items():
        assert spreadsheet_cell(given) == written
    assert spreadsheet_cell(-2.73) == "-2.73"
    assert spreadsheet_cell(-884) == "-884"
    assert spreadsheet_cell(None) == "" and spreadsheet_cell(float("nan")) == ""
    assert spreadsheet_cell("plain") == "plain"
    text = spreadsheet_csv(("a", "b"), [("=1", -1), ("x", 2.5)])
    assert text == "a,b\r\n'=1,-1\r\nx,2.5\r\n"


def _rows(body: bytes) -> list[list[str]]:
    """Return the rows of a served CSV, after checking every line ends in CRLF."""
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert text.count("\n") == text.count("\r\n"), "a line ends without CR"
    return list(csv.reader(io.StringIO(text, newline="")))


def _column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


def _assert_escaped(rows: list[list[str]], expected: set[str]) -> None:
    cells = {cell for row in rows for cell in row}
    assert expected <= cells, expected - cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


@pytest.fixture
def formula_register(session: Session) -> None:
    """Store records whose text is formulas, as old or hostile data might hold."""
    site = make_establishment(
        "EST-F", name=LINK, operator=SUM, address=PLUS, postcode=MINUS, substances=TAB, inner_m=300
    )
    pipe = make_pipeline("PIPE-F", name=MINUS, operator=CR, inner_m=50)
    ward = make_ward("W-F", name=LINK, lad_name=SUM, population=1200)
    receptor = make_receptor("REC-F", name=PLUS, address=TAB, location_note=CR, capacity=30)
    session.add_all([site, pipe, ward, receptor])
    session.flush()
    after_change(session, [site, pipe, ward])
    for zone in session.scalars(select(Zone)):
        zone.source = LINK
    session.add(
        AuditEvent(actor=LINK, action=SUM, entity=PLUS, ref=MINUS, before=None, after={"x": 1})
    )
    session.add(
        Plan(
            ref=SUM,
            title=LINK,
            regime="comah_external",
            owner=TAB,
            status="adopted",
            adopted_on=date(2020, 1, 1),
        )
    )
    session.commit()


@pytest.mark.usefixtures("formula_register")
@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("establishments", {FORMULAS[LINK], FORMULAS[SUM], FORMULAS[PLUS], FORMULAS[MINUS]}),
        ("pipelines", {FORMULAS[MINUS], FORMULAS[CR]}),
        ("wards", {FORMULAS[LINK], FORMULAS[SUM]}),
        ("receptors", {FORMULAS[PLUS], FORMULAS[TAB], FORMULAS[CR]}),
        ("zones", {FORMULAS[LINK]}),
    ],
)
def test_layer_exports_escape_formulas_and_keep_numbers(
    client: FlaskClient, layer: str, expected: set[str]
) -> None:
    response = client.get(f"/transfer/export/{layer}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response.data)
    _assert_escaped(rows, expected)
    if layer in ("establishments", "receptors"):
        # Points: the longitude west of Greenwich is a negative number, written as one.
        longitudes = _column(rows, "lon")
        assert longitudes and all(float(value) < 0 for value in longitudes)
    if layer == "wards":
        assert _column(rows, "population") == ["1200"]
    if layer == "zones":
        assert all(float(value) > 0 for value in _column(rows, "area_m2"))


@pytest.mark.usefixtures("formula_register")
def test_the_exposure_download_escapes_a_ward_name(client: FlaskClient) -> None:
    response = client.get("/establishments/EST-F/exposure.csv")
    assert response.status_code == 200
    rows = _rows(response.data)
    assert rows[0] == [
        "zone_id",
        "ward_code",
        "ward_name",
        "overlap_m2",
        "ward_share",
        "zone_share",
        "population",
    ]
    assert FORMULAS[LINK] in _column(rows, "ward_name")
    _assert_escaped(rows, {FORMULAS[LINK]})
    assert all(float(value) > 0 for value in _column(rows, "overlap_m2"))
    # Numbers keep the contract's places.
    assert all(len(value.split(".")[1]) == 6 for value in _column(rows, "zone_share"))


@pytest.mark.usefixtures("formula_register")
def test_the_audit_csv_escapes_every_text_field(client_as: Callable[[str], FlaskClient]) -> None:
    response = client_as("admin").get("/admin/audit.csv")
    assert response.status_code == 200
    rows = _rows(response.data)
    mine = [row for row in rows[1:] if row[1:] and row[5] == FORMULAS[MINUS]]
    assert len(mine) == 1
    assert mine[0][2:6] == [FORMULAS[LINK], FORMULAS[SUM], FORMULAS[PLUS], FORMULAS[MINUS]]
    assert mine[0][0].isdigit()


@pytest.mark.usefixtures("formula_register")
def test_the_duties_csv_escapes_text_and_keeps_negative_days_a_number(
    client: FlaskClient, app: Flask
) -> None:
    response = client.get(url(app, "plans.duties_csv", as_of="2026-12-01"))
    assert response.status_code == 200, response.text
    rows = _rows(response.data)
    _assert_escaped(rows, {FORMULAS[LINK], FORMULAS[SUM], FORMULAS[TAB]})
    plan_days = [
        days
        for days, plan in zip(_column(rows, "days_left"), _column(rows, "plan_id"), strict=True)
        if plan  # a hazard with no plan at all is due today (days_left 0) and has no plan_id
    ]
    assert plan_days and all(int(value) < 0 for value in plan_days)  # adopted 2020: overdue
