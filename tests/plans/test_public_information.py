"""Public information in the PIZ (issue #14 item 7) and the date the operator's information for
the external plan arrived (item 3): recorded with the establishment, the operator's duty shown
apart from the council's, and the plan due six months after the information."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.clock import SettableClock
from resilience.domain.duties.coverage import coverage, plan_due_after
from resilience.domain.duties.dashboard import register_duties
from resilience.domain.duties.partners import (
    PUBLIC_INFORMATION_BASIS,
    next_supply_due,
    partner_duties,
    partner_duties_of,
)
from resilience.domain.duties.rules import DEFAULT_POLICY, DutyKind, Status
from resilience.storage.models import Establishment, Hazard
from tests.plans.pages import field_error
from tests.support.builders import make_establishment
from tests.support.date_boxes import boxes
from tests.support.html import parse

TODAY = date(2026, 12, 3)
SITE = Point(-2.73, 53.33)


@pytest.fixture
def today(app: Flask) -> date:
    app.config["CLOCK"] = SettableClock(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    return TODAY


@pytest.mark.parametrize(
    ("supplied", "due"),
    [
        (date(2024, 2, 29), date(2029, 2, 28)),  # no 29 February in 2029: the month's end
        (date(2023, 8, 31), date(2028, 8, 31)),
        (date(2024, 2, 28), date(2029, 2, 28)),
        (date(2022, 11, 30), date(2027, 11, 30)),
    ],
)
def test_public_information_is_next_due_five_years_on(supplied: date, due: date) -> None:
    assert next_supply_due(supplied) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 8, 31), date(2027, 2, 28)),  # 31 August + 6 months: end of February
        (date(2023, 8, 31), date(2024, 2, 29)),  # ... of a leap year
        (date(2024, 2, 29), date(2024, 8, 29)),
        (date(2026, 3, 31), date(2026, 9, 30)),
    ],
)
def test_the_plan_is_due_six_months_after_the_operators_information(
    received: date, due: date
) -> None:
    assert plan_due_after(received) == due


def test_only_upper_tier_operators_that_are_open_have_the_duty() -> None:
    sites = [
        make_establishment(
            "UP-1", id=1, tier="upper", status="operational", kind="establishment",
            public_information_supplied_on=date(2024, 2, 29), liaison_officer="",
        ),
        make_establishment(
            "UP-OLD", id=2, tier="upper", status="operational", kind="establishment",
            public_information_supplied_on=date(2021, 6, 1), liaison_officer="",
        ),
        make_establishment(
            "UP-NONE", id=3, tier="upper", status="operational", kind="establishment",
            public_information_supplied_on=None, liaison_officer="",
        ),
        make_establishment("LOW-1", id=4, tier="lower", status="operational", kind="establishment"),
        make_establishment("SHUT-1", id=5, tier="upper", status="closed", kind="establishment"),
    ]  # fmt: skip
    duties = partner_duties_of(sites, TODAY)
    assert [(d.hazard_ref, d.due_on, d.status, d.days_left) for d in duties] == [
        ("UP-OLD", date(2026, 6, 1), Status.OVERDUE, -185),
        ("UP-NONE", TODAY, Status.DUE_SOON, 0),  # nothing recorded: due now, never missing
        ("UP-1", date(2029, 2, 28), Status.OK, 818),
    ]
    assert {d.basis for d in duties} == {PUBLIC_INFORMATION_BASIS}
    assert not any(d.statutory for d in duties)  # the interval is local policy
    assert duties[2].due_words == "28 February 2029 (on track)"
    assert duties[1].due_words == "Now: no date is recorded"


def test_a_known_arrival_date_makes_the_missing_plan_due_six_months_on(session: Session) -> None:
    session.add_all(
        [
            make_establishment(
                "UP-DATED", tier="upper", information_received_on=date(2026, 8, 31), geometry=SITE
            ),
            make_establishment("UP-UNDATED", tier="upper", geometry=SITE),
        ]
    )
    session.flush()
    gaps = {gap.hazard_ref: gap for gap in coverage(session).gaps}
    assert gaps["UP-DATED"].information_received_on == date(2026, 8, 31)
    rows = {r.hazard_ref: r for r in register_duties(session, TODAY, DEFAULT_POLICY) if r.is_gap}
    dated, undated = rows["UP-DATED"], rows["UP-UNDATED"]
    assert (dated.duty, dated.due_on, dated.days_left) == (DutyKind.PREPARE, date(2027, 2, 28), 87)
    assert dated.status is Status.DUE_SOON
    assert (undated.due_on, undated.days_left) == (TODAY, 0)
    # The operator's duty is never among the council's duties.
    assert {r.duty for r in register_duties(session, TODAY, DEFAULT_POLICY)} == {DutyKind.PREPARE}


def _form(**dates: str) -> dict[str, str]:
    data = {
        "ref": "PIZ-UT",
        "name": "Chlorine Works",
        "operator": "Acme Chemicals Ltd",
        "tier": "upper",
        "status": "operational",
        "latitude": "53.33",
        "longitude": "-2.73",
        "liaison_officer": dates.pop("liaison_officer", ""),
    }
    for name in ("information_received_on", "public_information_supplied_on"):
        data.update(boxes(name, dates.get(name, "")))
    return data


def test_an_officer_records_the_dates_and_sees_the_operators_duty_apart(
    client: FlaskClient,
    client_as: Callable[[str], FlaskClient],
    session: Session,
    today: date,
) -> None:
    response = client.post(
        "/establishments/new",
        data=_form(
            information_received_on="2026-08-31",
            public_information_supplied_on="2024-02-29",
            liaison_officer="Officer@Test.Invalid",
        ),
    )
    assert response.status_code == 302, response.text
    stored = session.scalars(select(Hazard).where(Hazard.ref == "PIZ-UT")).one()
    assert stored.information_received_on == date(2026, 8, 31)
    assert stored.public_information_supplied_on == date(2024, 2, 29)
    assert stored.liaison_officer == "officer@test.invalid"

    page = parse(client.get("/establishments/PIZ-UT").text)
    partners = page.by_id("partners-duties")
    assert partners.one("h2").text == "Partners' duties"
    for shown in (
        "Acme Chemicals Ltd",
        "29 February 2024",
        "28 February 2029 (on track)",
        "COMAH 2015 reg. 18",
        "officer@test.invalid",
    ):
        assert shown in partners.text
    # The council's duty: the plan is due six months after the operator's information.
    gap = page.by_id("coverage-gap")
    assert "28 February 2027" in gap.text and "31 August 2026" in gap.text
    assert "29 February 2024" not in gap.text  # the operator's date is not the council's duty
    assert not gap.is_inside(partners) and "28 February 2027" not in partners.text

    form = parse(client.get("/establishments/PIZ-UT/edit").text)
    assert form.by_id("public_information_supplied_on-day")["value"] == "29"
    assert form.by_id("information_received_on-year")["value"] == "2026"

    # An elected member sees the operator's duty, not the officer's e-mail address.
    member = client_as("member")
    for path in ("/establishments/PIZ-UT", "/duties/"):
        shown = parse(member.get(path).text)
        assert "28 February 2029" in shown.by_id("partners-duties").text
        assert "officer@test.invalid" not in shown.text


def test_the_dashboard_shows_partners_duties_apart_from_the_councils(
    client: FlaskClient, session: Session, today: date
) -> None:
    session.add(
        make_establishment(
            "PIZ-OLD",
            name="Old Leaflet Works",
            tier="upper",
            public_information_supplied_on=date(2021, 6, 1),
            geometry=SITE,
        )
    )
    session.commit()
    page = parse(client.get("/duties/").text)
    assert page.by_id("partners-duties").one("h2").text == "Partners' duties"
    table = page.by_id("partners-duties-table")
    row = table.one("tr", **{"data-hazard": "PIZ-OLD"})
    assert row["data-status"] == "overdue"
    assert "1 June 2026" in row.text and "1 June 2021" in row.text
    council = page.by_id("duties")
    assert not council.find_all("tr", **{"data-duty": "public_information"})
    # Counted with the council's duties: only the missing plan, not the operator's leaflet.
    assert page.by_id("duty-counts").text.startswith("On 3 December 2026: 0 overdue, 1 due")
    assert partner_duties(session, TODAY)[0].hazard_ref == "PIZ-OLD"

    # The home page lists it apart from what the council must do, under its own heading.
    home = parse(client.get("/").text)
    apart = home.by_id("partners-overdue")
    assert apart.text == "Partners' duties overdue (1)"
    items = [li.text for li in home.find_all("li") if "Old Leaflet Works" in li.text]
    # The council's own duty (the missing plan) and the operator's, each once.
    assert sorted(items) == [
        "No external emergency plan covers Old Leaflet Works: a plan must be prepared "
        "(statutory, COMAH 2015 reg. 13)",
        "Old Leaflet Works: safety information to the public in its PIZ, due 1 June 2026 "
        "(185 days overdue)",
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-12-04", "The date cannot be in the future"),
        ("2024-02-30", "The date the public information was last supplied must be a real date"),
    ],
)
def test_a_future_or_impossible_piz_date_is_refused_beside_its_field(
    client: FlaskClient, session: Session, today: date, typed: str, message: str
) -> None:
    session.add(make_establishment("PIZ-UT", name="Chlorine Works", tier="upper", geometry=SITE))
    session.commit()
    response = client.post(
        "/establishments/PIZ-UT/edit",
        data=_form(public_information_supplied_on=typed, information_received_on="2026-08-31"),
    )
    assert response.status_code == 400
    page = parse(response.text)
    assert field_error(page, "public_information_supplied_on") == message
    session.expire_all()
    stored = session.scalars(select(Establishment).where(Establishment.ref == "PIZ-UT")).one()
    assert stored.public_information_supplied_on is None
    assert stored.information_received_on is None  # nothing stored, not even the good date
    assert stored.operator == ""


def test_a_future_arrival_date_and_an_unknown_liaison_officer_are_refused(
    client: FlaskClient, session: Session, today: date
) -> None:
    response = client.post("/establishments/new", data=_form(information_received_on="2027-01-01"))
    assert response.status_code == 400
    page = parse(response.text)
    assert field_error(page, "information_received_on") == "The date cannot be in the future"
    response = client.post("/establishments/new", data=_form(liaison_officer="nobody@test.invalid"))
    assert response.status_code == 400
    assert "No account signs in as" in field_error(parse(response.text), "liaison_officer")
    assert session.scalars(select(Hazard).where(Hazard.ref == "PIZ-UT")).one_or_none() is None


def test_a_lower_tier_site_has_no_partners_duty(
    client_as: Callable[[str], FlaskClient], session: Session, today: date
) -> None:
    session.add(make_establishment("LOW-1", name="Small Store", tier="lower", geometry=SITE))
    session.commit()
    page = parse(client_as("member").get("/establishments/LOW-1").text)
    assert "only the operator of an upper-tier establishment" in page.text
