"""The words an emergency planning officer uses, not the database's (issue #12 item 13)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.storage.models import Ward
from tests.support.html import parse

JARGON = (
    "Identifier (",
    "site_id)",
    ", derived)",
    "Outside every loaded ward",
    "(none loaded)",
    "comah establishments",
    "display_name",
)


def test_pages_use_plain_words_and_explain_empty_people_columns(
    client: FlaskClient, session: Session
) -> None:
    load_demo(session)
    session.execute(update(Ward).values(population=None))
    session.commit()
    for path in (
        "/establishments/",
        "/establishments/new",
        "/establishments/HAL-COMAH-01",
        "/maps/establishments/HAL-COMAH-01",
        "/maps/",
    ):
        text = parse(client.get(path).text).text
        for words in JARGON:
            assert words not in text, f"{path}: {words!r}"
    record = parse(client.get("/establishments/HAL-COMAH-01").text).text
    assert "Not loaded" in record
    assert "People are not estimated" in record and "import ward populations" in record
    assert "worked out from its distances" in record
    assert "COMAH establishments: " in parse(client.get("/establishments/").text).text
    # Nothing to colour wards by: the map does not offer it.
    assert "Colour wards by population" not in parse(client.get("/maps/").text).text


def test_population_colouring_is_offered_once_populations_are_loaded(
    client: FlaskClient, session: Session
) -> None:
    load_demo(session)
    session.execute(update(Ward).values(population=1000))
    session.commit()
    assert "Colour wards by population" in parse(client.get("/maps/").text).text


def test_annual_report_names_its_sources_by_reference(
    client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    load_demo(session)
    session.commit()
    response = client_as("officer").get("/reports/annual.pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    assert "(plans)" not in text and "(hazards)" not in text and "#1 " not in text
    assert "Plans: PLAN-" in " ".join(text.split())
