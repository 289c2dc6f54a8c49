"""Radiation premises (REPPIR 2019): the register's list, record page, form and import, their
detailed emergency planning zone (reg. 8) and outline planning zone (reg. 9) with the wards and
people in them, and the off-site plan the council must prepare for them (reg. 11)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import geopandas as gpd
from click.testing import CliRunner
from flask.testing import FlaskClient
from shapely.geometry import Point, Polygon, mapping
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from resilience.cli import main
from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.dashboard import register_duties
from resilience.domain.duties.rules import DEFAULT_POLICY, DutyKind, Regime
from resilience.domain.register.edits import after_change
from resilience.scheduling.reminder_text import details, headline
from resilience.scheduling.reminders import due_reminders
from resilience.spatial.crs import BNG, WGS84
from resilience.storage.models import Plan, RadiationPremises, Zone, ZoneExposure
from tests.register_snapshot import snapshot
from tests.scheduling.builders import STAFF, add_council
from tests.support.builders import RUNCORN, make_radiation_premises, make_ward
from tests.support.date_boxes import boxes
from tests.support.html import parse

TODAY = date(2026, 12, 3)


def _premises(session: Session, **values: object) -> RadiationPremises:
    values.setdefault("operator", "Isotope Services Ltd")
    premises = make_radiation_premises("RAD-1", name="Runcorn Isotopes", **values)
    session.add_all([make_ward("W1", name="Mersey", population=8000), premises])
    session.flush()
    after_change(session, [premises])  # its zones and their exposure, as a save derives them
    session.commit()
    return premises


def _upload(client: FlaskClient, name: str, data: bytes, kind: str = "radiation-premises"):  # type: ignore[no-untyped-def]
    return client.post(
        "/transfer/",
        data={"layer": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_officer_adds_premises_and_its_zones_follow(
    client: FlaskClient, session: Session
) -> None:
    form = parse(client.get("/radiation-premises/new").text)
    assert {"depz_m", "opz_m", "operator", "status"} <= {
        tag["name"]
        for tag in form.find_all("input") + form.find_all("select")
        if "name" in tag.attrs
    }
    response = client.post(
        "/radiation-premises/new",
        data={
            "ref": "RAD-NEW",
            "name": "Widnes Radiography",
            "operator": "Scan Ltd",
            "status": "operational",
            "latitude": str(RUNCORN[1]),
            "longitude": str(RUNCORN[0]),
            "depz_m": "800",
            "opz_m": "3000",
        },
    )
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/radiation-premises/RAD-NEW"
    premises = session.scalars(select(RadiationPremises)).one()
    assert (premises.kind, premises.operator) == ("radiation_premises", "Scan Ltd")
    areas = {zone.kind: zone.area_m2 for zone in premises.zones}
    assert sorted(areas) == ["depz", "opz"]
    # Discs buffered in British National Grid metres, not degrees.
    assert abs(areas["depz"] / (math.pi * 800**2) - 1) < 0.001
    assert abs(areas["opz"] / (math.pi * 3000**2) - 1) < 0.001

    listing = parse(client.get("/radiation-premises/").text)
    assert "Widnes Radiography" in listing.text and "Scan Ltd" in listing.text
    page = parse(client.get("/radiation-premises/RAD-NEW").text)
    assert "Radiation premises RAD-NEW" in page.text
    assert "Detailed emergency planning zone" in page.text
    assert "Outline planning zone" in page.text


def test_the_register_menu_links_to_radiation_premises(client: FlaskClient) -> None:
    page = parse(client.get("/radiation-premises/").text)
    assert "/radiation-premises/" in page.links()
    assert page.one("h1").text.strip() == "Radiation premises"


def test_editing_the_depz_moves_the_zone_and_its_exposure(
    client: FlaskClient, session: Session
) -> None:
    _premises(session, depz_m=500.0)
    form = parse(client.get("/radiation-premises/RAD-1/edit").text)
    values = {a["name"]: a.get("value", "") for a in form.find_all("input") if "name" in a.attrs}
    values.update({"depz_m": "1200", "status": "operational"})
    response = client.post("/radiation-premises/RAD-1/edit", data=values)
    assert response.status_code == 302, response.text
    session.expire_all()
    zone = session.scalars(select(Zone).where(Zone.kind == "depz")).one()
    assert abs(zone.area_m2 / (math.pi * 1200**2) - 1) < 0.001
    rows = session.scalars(select(ZoneExposure).where(ZoneExposure.zone_id == zone.id)).all()
    assert {row.ward_code for row in rows} >= {"W1"}
    page = parse(client.get("/radiation-premises/RAD-1").text)
    assert "Estimated people in the detailed emergency planning zone" in page.text
    exposure = client.get("/radiation-premises/RAD-1/exposure.csv").text.splitlines()
    assert exposure[0].startswith("zone_id,ward_code")
    assert any(line.startswith("RAD-1:depz,W1,Mersey,") for line in exposure)
    ward = parse(client.get("/wards/W1").text)
    assert "/radiation-premises/RAD-1" in ward.links()


def test_a_depz_imported_as_the_polygon_the_council_determined(
    client: FlaskClient, session: Session
) -> None:
    _premises(session, depz_m=500.0)
    # Extended (reg. 8(1)) to take in a whole community: kept exactly as given.
    shape = Polygon([(-2.76, 53.315), (-2.73, 53.315), (-2.73, 53.335), (-2.76, 53.335)])
    zones = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"site_id": "RAD-1", "kind": "depz", "source": "Council, 2026"},
                "geometry": mapping(shape),
            }
        ],
    }
    response = _upload(client, "depz.geojson", json.dumps(zones).encode(), kind="zones")
    assert response.status_code == 302, response.text
    session.expire_all()
    zone = session.scalars(select(Zone).where(Zone.kind == "depz")).one()
    assert zone.origin == "imported"
    expected = gpd.GeoSeries([shape], crs=WGS84).to_crs(BNG).area[0]
    assert abs(zone.area_m2 - expected) < 1
    assert session.scalars(select(ZoneExposure.ward_code).where(ZoneExposure.zone_id == zone.id))


def test_import_csv_then_geojson_and_export(client: FlaskClient, session: Session) -> None:
    csv_file = (
        b"premises_id,name,operator,status,lat,lon,depz_m,opz_m\n"
        b"RAD-A,Hospital Physics,NHS Trust,operational,53.32,-2.74,300,\n"
        b"RAD-B,Nuclear Fuels,Fuels plc,proposed,53.33,-2.73,,2000\n"
    )
    response = _upload(client, "premises.csv", csv_file)
    assert response.status_code == 302, response.text
    stored = {p.ref: p for p in session.scalars(select(RadiationPremises))}
    assert sorted(stored) == ["RAD-A", "RAD-B"]
    assert [z.kind for z in stored["RAD-A"].zones] == ["depz"]
    assert [z.kind for z in stored["RAD-B"].zones] == ["opz"]

    site = Polygon([(-2.745, 53.325), (-2.74, 53.325), (-2.74, 53.328), (-2.745, 53.328)])
    features = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"premises_id": "RAD-A", "name": "Hospital Physics", "opz_m": 1500},
                "geometry": mapping(site),
            }
        ],
    }
    response = _upload(client, "premises.geojson", json.dumps(features).encode())
    assert response.status_code == 302, response.text
    session.expire_all()
    updated = session.scalars(select(RadiationPremises).where(RadiationPremises.ref == "RAD-A"))
    premises = updated.one()
    assert premises.geometry.geom_type == "Polygon" and premises.depz_m == 300
    assert sorted(z.kind for z in premises.zones) == ["depz", "opz"]

    exported = client.get("/transfer/export/radiation-premises.csv")
    assert exported.status_code == 200
    header = exported.text.splitlines()[0].removeprefix("\ufeff")
    assert header.startswith("premises_id,name,operator")
    assert "depz_m" in header and "opz_m" in header
    assert "Nuclear Fuels" in exported.text


def test_bad_rows_are_refused_by_row_and_field_and_nothing_is_stored(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    before = snapshot(engine)
    csv_file = (
        b"premises_id,name,lat,lon,depz_m,opz_m\n"
        b",No Ref,53.32,-2.74,300,\n"
        b"RAD-2,,53.32,-2.74,300,\n"
        b"RAD-3,Zero DEPZ,53.32,-2.74,0,\n"
        b"RAD-4,Negative OPZ,53.32,-2.74,,-5\n"
        b"RAD-5,Text DEPZ,53.32,-2.74,far,\n"
        b"RAD-6,Good,53.32,-2.74,300,2000\n"
    )
    response = _upload(client, "premises.csv", csv_file)
    assert response.status_code == 400
    error = parse(response.text).text_by_id["file-error"]
    assert "premises.csv" in error
    assert "row 2: field 'premises_id'" in error
    assert "row 3: field 'name'" in error
    assert "row 4: field 'depz_m': 0 is not a positive distance" in error
    assert "row 5: field 'opz_m': -5 is below the minimum 0" in error
    assert "row 6: field 'depz_m'" in error
    assert "row 7" not in error
    assert snapshot(engine) == before

    no_position = b"premises_id,name,lat,lon\nRAD-7,Nowhere,,\n"
    response = _upload(client, "nowhere.csv", no_position)
    assert response.status_code == 400
    error = parse(response.text).text_by_id["file-error"]
    assert "nowhere.csv: row 2" in error and "position" in error
    no_geometry = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"premises_id": "RAD-8", "name": "N"},
                "geometry": None,
            }
        ],
    }
    response = _upload(client, "nowhere.geojson", json.dumps(no_geometry).encode())
    assert response.status_code == 400
    error = parse(response.text).text_by_id["file-error"]
    assert "nowhere.geojson" in error and "feature 1" in error and "geometry" in error
    assert snapshot(engine) == before
    assert session.scalars(select(RadiationPremises)).all() == []


def test_a_form_refuses_a_depz_that_is_not_a_positive_distance(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    before = snapshot(engine)
    response = client.post(
        "/radiation-premises/new",
        data={
            "ref": "RAD-X",
            "name": "Bad",
            "status": "operational",
            "latitude": str(RUNCORN[1]),
            "longitude": str(RUNCORN[0]),
            "depz_m": "-1",
        },
    )
    assert response.status_code == 400
    errors = parse(response.text).text_by_id
    assert "depz_m-error" in errors
    assert snapshot(engine) == before


def test_premises_without_a_reppir_plan_is_a_prepare_duty_under_reg_11(
    client: FlaskClient, session: Session
) -> None:
    _premises(session)
    gaps = coverage(session).gaps
    assert [(g.hazard_ref, g.regime, g.basis) for g in gaps] == [
        ("RAD-1", Regime.REPPIR, "statutory, REPPIR 2019 reg. 11")
    ]
    rows = [r for r in register_duties(session, TODAY, DEFAULT_POLICY) if r.is_gap]
    assert [(r.hazard_ref, r.duty, r.due_on, r.days_left, r.basis) for r in rows] == [
        ("RAD-1", DutyKind.PREPARE, TODAY, 0, "statutory, REPPIR 2019 reg. 11")
    ]
    assert rows[0].plan_title == "No off-site emergency plan covers Runcorn Isotopes"
    page = parse(client.get("/radiation-premises/RAD-1").text)
    assert "REPPIR 2019 reg. 11" in page.by_id("coverage-gap").text
    assert "/plans/new?regime=reppir&hazard=RAD-1" in page.links()
    assert "REPPIR 2019 reg. 11" in parse(client.get("/duties/").text).text

    # The plan form offers the premises; a reppir plan covering it closes the gap.
    form = parse(client.get("/plans/new?regime=reppir&hazard=RAD-1").text)
    assert "Establishments, pipelines and radiation premises it covers" in form.text
    assert "Runcorn Isotopes (RAD-1)" in form.text
    session.add(
        Plan(
            ref="REPPIR-1",
            title="Runcorn Isotopes off-site plan",
            regime="reppir",
            owner="Emergency Planning Team",
            status="draft",
            hazard_refs=["RAD-1"],
        )
    )
    session.commit()
    assert coverage(session).gaps == ()
    page = parse(client.get("/radiation-premises/RAD-1").text)
    assert "Runcorn Isotopes off-site plan" in page.text


def test_a_closed_premises_needs_no_plan(session: Session) -> None:
    _premises(session, status="closed")
    assert coverage(session).gaps == ()


def test_a_member_reads_but_may_not_change(
    client_as: Callable[[str], FlaskClient], session: Session, engine: Engine
) -> None:
    _premises(session, depz_m=500.0)
    member = client_as("member")
    assert member.get("/radiation-premises/").status_code == 200
    page = parse(member.get("/radiation-premises/RAD-1").text)
    assert "Runcorn Isotopes" in page.text
    assert "/radiation-premises/RAD-1/edit" not in page.links()
    before = snapshot(engine)
    assert member.post("/radiation-premises/RAD-1/edit", data={"name": "X"}).status_code == 403
    assert member.post("/radiation-premises/RAD-1/delete").status_code == 403
    assert member.post("/radiation-premises/new", data={"ref": "R"}).status_code == 403
    assert snapshot(engine) == before


def test_an_identifier_of_another_kind_of_hazard_is_refused(
    client: FlaskClient, session: Session
) -> None:
    from tests.support.builders import make_establishment

    session.add(make_establishment("SHARED-1", geometry=Point(*RUNCORN)))
    session.commit()
    csv_file = b"premises_id,name,lat,lon\nSHARED-1,Clash,53.32,-2.74\n"
    response = _upload(client, "premises.csv", csv_file)
    assert response.status_code == 400
    error = parse(response.text).text_by_id["file-error"]
    assert "'SHARED-1' is already the identifier of a establishment" in error


def test_the_maps_draw_radiation_premises_and_their_zones(
    client: FlaskClient, session: Session
) -> None:
    _premises(session, depz_m=500.0, opz_m=2000.0)
    overview = client.get("/maps/")
    assert overview.status_code == 200
    page = parse(overview.text)
    assert "/maps/radiation-premises/RAD-1" in page.links()
    assert "Radiation premises (REPPIR 2019)" in overview.text  # the key and the popup
    assert "Detailed emergency planning zone" in overview.text
    assert "Outline planning zone" in overview.text

    response = client.get("/maps/radiation-premises/RAD-1")
    assert response.status_code == 200
    page = parse(response.text)
    assert "Detailed emergency planning zone" in page.text
    assert "/radiation-premises/RAD-1" in page.links()
    record = parse(client.get("/radiation-premises/RAD-1").text)
    assert "/maps/radiation-premises/RAD-1" in record.links()
    assert client.get("/maps/download/html/radiation-premises/RAD-1").status_code == 200


def test_briefings_plans_and_reports_name_it_as_radiation_premises(
    client: FlaskClient, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    _premises(session, depz_m=500.0, opz_m=2000.0, substances="Sealed sources")
    session.add(
        Plan(
            ref="REPPIR-1",
            title="Runcorn Isotopes off-site plan",
            regime="reppir",
            owner="Emergency Planning Team",
            status="adopted",
            adopted_on=date(2025, 1, 1),
            hazard_refs=["RAD-1"],
        )
    )
    session.commit()
    member = client_as("member")
    card = parse(member.get("/members/sites/RAD-1").text).text
    assert "Radiation premises (REPPIR 2019) · RAD-1" in card
    assert "Work with ionising radiation there: Sealed sources." in card
    assert "people live" in card  # counted in its outline planning zone
    assert member.get("/members/maps/RAD-1.png").status_code == 200

    plan = parse(client.get("/plans/REPPIR-1").text)
    assert "/radiation-premises/RAD-1" in plan.links()
    reports = parse(client.get("/reports/").text)
    assert "Radiation premises" in reports.text


def test_a_depz_for_an_establishment_is_refused_and_nothing_is_stored(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    from tests.support.builders import make_establishment

    session.add(make_establishment("EST-9", geometry=Point(*RUNCORN)))
    session.commit()
    before = snapshot(engine)
    shape = Polygon([(-2.76, 53.315), (-2.73, 53.315), (-2.73, 53.335), (-2.76, 53.335)])
    zones = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"site_id": "EST-9", "kind": "depz"},
                "geometry": mapping(shape),
            }
        ],
    }
    response = _upload(client, "zones.geojson", json.dumps(zones).encode(), kind="zones")
    assert response.status_code == 400
    error = parse(response.text).text_by_id["file-error"]
    assert "zones.geojson: feature 1: field 'kind'" in error
    assert "not a radiation premises" in error
    assert snapshot(engine) == before


def test_the_command_imports_and_exports_radiation_premises(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "premises.csv"
    source.write_text("premises_id,name,lat,lon,depz_m\nRAD-C,Clinic,53.32,-2.74,0\n")
    refused = runner.invoke(main, ["import", "radiation-premises", str(source)])
    assert refused.exit_code == 2
    assert "premises.csv: row 2: field 'depz_m'" in refused.stderr
    source.write_text("premises_id,name,lat,lon,depz_m\nRAD-C,Clinic,53.32,-2.74,400\n")
    done = runner.invoke(main, ["import", "radiation-premises", str(source)])
    assert done.exit_code == 0, done.output
    assert "1 radiation premises added" in done.stdout
    exported = runner.invoke(main, ["export", "radiation-premises", "--format", "csv"])
    assert exported.exit_code == 0 and "RAD-C" in exported.stdout


def test_the_plan_is_due_eight_months_after_the_consequences_report(
    client: FlaskClient, session: Session
) -> None:
    response = client.post(
        "/radiation-premises/new",
        data={
            "ref": "RAD-D",
            "name": "Dated Premises",
            "status": "operational",
            "latitude": str(RUNCORN[1]),
            "longitude": str(RUNCORN[0]),
            **boxes("information_received_on", "2026-03-31"),
        },
    )
    assert response.status_code == 302, response.text
    # 31 March + 8 months = 30 November (the month's last day), REPPIR 2019 reg. 11(4).
    rows = [r for r in register_duties(session, TODAY, DEFAULT_POLICY) if r.is_gap]
    assert [(r.hazard_ref, r.due_on, r.days_left, r.basis) for r in rows] == [
        ("RAD-D", date(2026, 11, 30), -3, "statutory, REPPIR 2019 reg. 11")
    ]
    page = parse(client.get("/radiation-premises/RAD-D").text)
    gap = page.by_id("coverage-gap").text
    assert "eight months after the consequences report arrived" in gap
    assert "reg. 11(4)" in gap
    assert "Consequences report received" in page.text


def test_staff_are_reminded_of_the_off_site_plan_on_its_due_dates_occasions(
    session: Session,
) -> None:
    add_council(session)
    session.add(make_radiation_premises("RAD-R", name="Reminded Premises"))
    session.flush()
    premises = session.scalars(select(RadiationPremises)).one()
    premises.information_received_on = date(2026, 3, 2)  # plan due 2 November 2026: overdue
    session.commit()
    due = [r for r in due_reminders(session, TODAY, DEFAULT_POLICY) if r.is_gap]
    assert sorted(r.email for r in due) == sorted(STAFF)
    assert {(r.due_on, r.hazard_page, r.basis) for r in due} == {
        (date(2026, 11, 2), "/radiation-premises/RAD-R", "statutory, REPPIR 2019 reg. 11")
    }
    text = " ".join(details(due[0], TODAY))
    assert "eight months after the consequences report arrived (REPPIR 2019 reg. 11(4))" in text
    assert headline(due[0], TODAY).startswith("No off-site emergency plan covers Reminded Premises")
