"""The register's pages: lists, record pages, forms with errors next to fields, imports."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from werkzeug.http import parse_options_header

from resilience.domain.demo import load_demo
from resilience.storage.models import Establishment, Zone, ZoneExposure
from tests.register_snapshot import snapshot
from tests.support.html import parse


def _demo(session: Session) -> None:
    load_demo(session)
    session.commit()


def test_lists_show_every_record(client: FlaskClient, session: Session) -> None:
    _demo(session)
    for layer, count in (("establishments", 9), ("pipelines", 2), ("wards", 18), ("receptors", 8)):
        page = parse(client.get(f"/{layer}/").text)
        rows = page.find_all("tr", class_="govuk-table__row")
        assert len(rows) == count + 1, layer  # plus the header row


def test_record_page_says_what_is_illustrative_and_shows_exposure(
    client: FlaskClient, session: Session
) -> None:
    _demo(session)
    page = parse(client.get("/establishments/HAL-COMAH-01").text)
    assert "Illustrative location" in page.text
    assert "Not confirmed (no source states it)" in page.text
    for label in ("Inner zone", "Middle zone", "Outer zone", "Public information zone"):
        assert label in page.text
    assert "Mersey & Weston" in page.text


def test_ward_page_lists_the_zones_that_touch_it(client: FlaskClient, session: Session) -> None:
    _demo(session)
    page = parse(client.get("/wards/E05013184").text)  # Mersey & Weston: the Runcorn Site
    assert "INEOS Inovyn - Runcorn Site" in page.text
    assert "Outer zone" in page.text


def test_adding_an_establishment_derives_its_zones(client: FlaskClient, session: Session) -> None:
    response = client.post(
        "/establishments/new",
        data={
            "ref": "NEW-1",
            "name": "New works",
            "tier": "lower",
            "status": "operational",
            "latitude": "53.3262",
            "longitude": "-2.7440",
            "inner_m": "100",
            "middle_m": "200",
            "outer_m": "400",
        },
    )
    assert response.status_code == 302
    site = session.scalars(select(Establishment)).one()
    assert (site.ref, site.tier) == ("NEW-1", "lower")
    assert sorted(z.kind for z in site.zones) == ["inner", "middle", "outer"]


def test_form_errors_appear_next_to_their_fields(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    before = snapshot(engine)
    response = client.post(
        "/establishments/new",
        data={
            "ref": "bad ref!",
            "name": "",
            "latitude": "53.3",
            "longitude": "",
            "inner_m": "500",
            "middle_m": "200",
        },
    )
    assert response.status_code == 400
    page = parse(response.text)
    errors = {
        k.removesuffix("-error"): v for k, v in page.text_by_id.items() if k.endswith("-error")
    }
    assert "Enter the name" in errors["name"]
    assert "letters, digits" in errors["ref"]
    assert "both latitude and longitude" in errors["geometry_text"]
    assert "more than the inner zone distance" in errors["middle_m"]
    summary_links = [href for href in page.links() if href.startswith("#")]
    assert {"#name", "#ref", "#middle_m"} <= set(summary_links)
    assert snapshot(engine) == before


def test_editing_moves_the_zones_and_their_exposure(client: FlaskClient, session: Session) -> None:
    _demo(session)
    site = session.scalars(select(Establishment).where(Establishment.ref == "HAL-COMAH-09")).one()
    outer = next(z for z in site.zones if z.kind == "outer")
    rows_before = session.scalar(select(func.count()).where(ZoneExposure.zone_id == outer.id))
    form = parse(client.get("/establishments/HAL-COMAH-09/edit").text)
    values = {a["name"]: a.get("value", "") for a in form.find_all("input") if "name" in a.attrs}
    values.update(
        {
            "name": "ICoNiChem Widnes Ltd",
            "outer_m": "3000",
            "status": "operational",
            "tier": "",
            "substances": "",
            "address": "",
            "location_note": "",
            "source": "",
        }
    )
    response = client.post("/establishments/HAL-COMAH-09/edit", data=values)
    assert response.status_code == 302, response.text
    session.expire_all()
    outer = session.scalars(
        select(Zone)
        .join(Zone.hazard)
        .where(Establishment.ref == "HAL-COMAH-09", Zone.kind == "outer")
    ).one()
    assert abs(outer.area_m2 - 3.14159 * (3000**2 - 500**2)) / outer.area_m2 < 0.002
    rows_after = session.scalar(select(func.count()).where(ZoneExposure.zone_id == outer.id))
    assert rows_after is not None and rows_before is not None and rows_after > rows_before


def test_deleting_removes_the_zones(client: FlaskClient, session: Session) -> None:
    _demo(session)
    assert client.post("/pipelines/HAL-MAHP-GAS/delete").status_code == 302
    assert client.get("/pipelines/HAL-MAHP-GAS").status_code == 404
    kinds = session.scalars(
        select(Zone.kind).join(Zone.hazard).where(Zone.hazard.has(ref="HAL-MAHP-GAS"))
    )
    assert list(kinds) == []


def test_web_import_refuses_bad_files_with_400_and_changes_nothing(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    _demo(session)
    before = snapshot(engine)
    response = client.post(
        "/transfer/",
        data={
            "layer": "receptors",
            "file": (
                io.BytesIO(b"receptor_id,name,kind,lat,lon\nR1,School,school,abc,-2.7\n"),
                "places.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    error = parse(response.text).text_by_id["file-error"]
    assert "places.csv" in error and "row 2" in error and "lat" in error
    assert snapshot(engine) == before


def test_web_import_then_export(client: FlaskClient, session: Session) -> None:
    csv_file = b"receptor_id,name,kind,lat,lon\nR1,School,school,53.32,-2.74\n"
    response = client.post(
        "/transfer/",
        data={"layer": "receptors", "file": (io.BytesIO(csv_file), "places.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    exported = client.get("/transfer/export/receptors.csv")
    assert exported.status_code == 200
    assert "R1" in exported.text and "School" in exported.text
    assert parse_options_header(exported.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "receptors.csv"},
    )


def test_unknown_record_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/establishments/NOPE")
    assert response.status_code == 404
    assert "There is no establishment" in parse(response.text).text


def test_exposure_table_downloads_as_the_contract_csv(
    client: FlaskClient, session: Session
) -> None:
    _demo(session)
    response = client.get("/establishments/HAL-COMAH-01/exposure.csv")
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0] == "zone_id,ward_code,ward_name,overlap_m2,ward_share,zone_share,population"
    zone_ids = [line.split(",")[0] for line in lines[1:]]
    assert zone_ids == sorted(zone_ids)
    assert {"HAL-COMAH-01:inner", "HAL-COMAH-01:piz"} <= set(zone_ids)
    # The inner zone's shares of zone add up to the whole zone (wards plus OUTSIDE).
    inner = [line.split(",") for line in lines[1:] if line.startswith("HAL-COMAH-01:inner,")]
    assert abs(sum(float(cells[5]) for cells in inner) - 1) < 1e-5
