"""The what-if pages through the app: the form, the result, bad input, downloads, scenarios."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.storage.models import AuditEvent, Hazard, WhatIfScenario
from tests.support.html import parse

SITE = "HAL-COMAH-01"


@pytest.fixture
def demo(session: Session) -> Session:
    load_demo(session)
    session.commit()
    return session


def _site_position(session: Session) -> tuple[float, float]:
    hazard = session.scalars(select(Hazard).where(Hazard.ref == SITE)).one()
    point = hazard.geometry.representative_point()
    return point.x, point.y


def _query(session: Session, **changes: str) -> str:
    lon, lat = _site_position(session)
    values = {
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "substance": "chlorine",
        "rate": "2",
        "rate_unit": "kg/s",
        "duration_min": "30",
        "height_m": "0",
        "wind_speed": "3",
        "wind_from": "W",
        "stability": "D",
        "terrain": "rural",
        "sector_deg": "20",
        "hazard_ref": SITE,
    }
    values.update(changes)
    return urlencode(values)


def test_officer_gets_the_form_from_an_establishment_with_its_position(
    demo: Session, client: FlaskClient
) -> None:
    response = client.get(f"/whatif/?layer=establishments&ref={SITE}")
    assert response.status_code == 200
    page = parse(response.text)
    lon, lat = _site_position(demo)
    assert float(page.find_all("input", id="lat")[0]["value"]) == pytest.approx(lat, abs=1e-6)
    assert float(page.find_all("input", id="lon")[0]["value"]) == pytest.approx(lon, abs=1e-6)
    assert "Screening estimate only" in page.text


def test_the_result_page_draws_zones_and_lists_who_is_in_them(
    demo: Session, client: FlaskClient
) -> None:
    response = client.get(f"/whatif/?{_query(demo)}")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Security-Policy"].count("'unsafe-inline'") == 2
    page = parse(response.text)
    assert "Screening estimate only" in page.text
    assert "fire service" in page.text
    text = response.text
    for key in ("zone_red", "zone_orange", "zone_yellow", "sector", "wind"):
        assert f'"{key}"' in text
    assert "Warn and inform" in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("wind_speed", "0.3", "calm air"),
        ("rate", "0", "more than 0"),
        ("rate", "-1", "more than 0"),
        ("duration_min", "0", "more than 0 minutes"),
        ("substance", "unobtainium", "Choose a substance"),
        ("stability", "G", "one of A, B, C, D, E or F"),
        ("lat", "51.5", "outside the area"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    demo: Session, client: FlaskClient, field: str, value: str, message: str
) -> None:
    before = demo.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get(f"/whatif/?{_query(demo, **{field: value})}")
    assert response.status_code == 400
    page = parse(response.text)
    assert message in page.text_by_id[f"{field}-error"]
    assert demo.scalar(select(func.count()).select_from(WhatIfScenario)) == 0
    assert demo.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_levels_out_of_order_are_refused(demo: Session, client: FlaskClient) -> None:
    query = _query(
        demo, substance="custom", custom_unit="mg/m3", custom_level_3="5", custom_level_2="10",
        custom_level_1="1",
    )  # fmt: skip
    response = client.get(f"/whatif/?{query}")
    assert response.status_code == 400
    assert "must be higher than level 2" in parse(response.text).text_by_id["custom_level_3-error"]


def test_members_may_not_run_a_whatif(
    demo: Session, client_as: Callable[[str], FlaskClient]
) -> None:
    member = client_as("member")
    assert member.get(f"/whatif/?{_query(demo)}").status_code == 403
    assert member.get("/whatif/scenarios").status_code == 403


def test_planners_may_run_one(demo: Session, client_as: Callable[[str], FlaskClient]) -> None:
    assert client_as("planner").get(f"/whatif/?{_query(demo)}").status_code == 200


def test_csv_geojson_and_kml_downloads(demo: Session, client: FlaskClient) -> None:
    query = _query(demo)
    csv_text = client.get(f"/whatif/download.csv?{query}").text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0][:3] == ["zone", "distance_m", "receptor_id"]
    assert rows[1][0].startswith("# Screening estimate only")
    geojson = json.loads(client.get(f"/whatif/download.geojson?{query}").text)
    assert [f["properties"]["zone"] for f in geojson["features"]] == [
        "red", "orange", "yellow", "sector",
    ]  # fmt: skip
    assert "Screening estimate only" in geojson["screening_estimate"]
    kml = client.get(f"/whatif/download.kml?{query}")
    assert kml.status_code == 200
    assert b"<Placemark>" in kml.data


def test_a_saved_scenario_keeps_its_results(demo: Session, client: FlaskClient) -> None:
    query = _query(demo)
    page = parse(client.get(f"/whatif/?{query}").text)
    token = page.find_all("input", name="csrf_token")[0]["value"]
    response = client.post(
        f"/whatif/scenarios?{query}", data={"csrf_token": token, "name": "Chlorine, west wind"}
    )
    assert response.status_code == 302, response.text
    scenario = demo.scalars(select(WhatIfScenario)).one()
    assert scenario.name == "Chlorine, west wind"
    assert scenario.author.startswith("officer")
    listing = parse(client.get("/whatif/scenarios").text)
    assert "Chlorine, west wind" in listing.text
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200
    assert scenario.results["computed_at"] in shown.text


def test_the_overview_offers_a_whatif_only_to_those_who_may_run_one(
    demo: Session, client_as: Callable[[str], FlaskClient]
) -> None:
    # The map's controls carry the what-if address (map.js then offers it on a click).
    for role, offered in (("officer", True), ("planner", True), ("member", False)):
        page = client_as(role).get("/maps/").text
        assert ('"whatif":"/whatif/"' in page) is offered, role
    officer_download = client_as("officer").get("/maps/overview.html").text
    assert '"whatif":"/whatif/"' not in officer_download  # a file kept offline links nowhere


def test_a_point_from_the_map_fills_the_form(demo: Session, client: FlaskClient) -> None:
    page = client.get("/whatif/?lat=53.33000&lon=-2.70000").text
    assert 'value="53.33000"' in page and 'value="-2.70000"' in page
