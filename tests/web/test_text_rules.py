"""Text at the edge: control characters, over-long values and bad identifiers are refused, by
the forms and by imports alike, with the field named, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from shapely.geometry import Point
from sqlalchemy import Engine

from resilience.cli import main
from tests.register_snapshot import snapshot
from tests.support.builders import write_geojson

RUNCORN = Point(-2.7440, 53.3262)
SITE = {
    "ref": "NEW-1",
    "name": "New works",
    "tier": "lower",
    "status": "operational",
    "latitude": "53.3262",
    "longitude": "-2.7440",
}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "Works\r\nBcc: evil@example.org", "contains a line break (U+000D)"),
        ("operator", "Acme\x00 Ltd", "contains a control character (U+0000)"),
        ("name", "Works\u2028two", "contains a line break (U+2028)"),
        ("name", "x" * 301, "is 301 characters long: at most 300 are allowed"),
        ("substances", "chlorine " * 1200, "is 10,800 characters long: at most 10,000"),
        ("substances", "chlorine\x1b[31m", "contains a control character (U+001B)"),
    ],
)
def test_a_form_refuses_bad_text_beside_the_field(
    client: FlaskClient, engine: Engine, field: str, value: str, words: str
) -> None:
    before = snapshot(engine)
    response = client.post("/establishments/new", data={**SITE, field: value})
    assert response.status_code == 400
    assert words in response.text
    assert f'id="{field}-error"' in response.text
    assert snapshot(engine) == before


def test_a_multi_line_field_keeps_its_line_breaks(client: FlaskClient) -> None:
    response = client.post(
        "/establishments/new", data={**SITE, "substances": "Chlorine\r\nAmmonia\tbulk"}
    )
    assert response.status_code == 302, response.text


@pytest.mark.parametrize(
    ("properties", "words"),
    [
        ({"site_id": "S1", "name": "Works\nBcc: x@example.org"}, "field 'name': contains a line"),
        (
            {"site_id": "S1", "name": "W", "substances": "x" * 10_001},
            "field 'substances': is 10,001",
        ),
        ({"site_id": "S 1", "name": "Works"}, "field 'site_id': 'S 1' is not an identifier"),
        ({"site_id": "S\x1b1", "name": "Works"}, "field 'site_id': 'S\\x1b1' is not"),
        ({"site_id": "S" * 81, "name": "Works"}, "field 'site_id': is 81 characters long"),
    ],
)
def test_an_import_refuses_bad_text_naming_file_feature_and_field(
    runner: CliRunner, engine: Engine, tmp_path: Path, properties: dict[str, str], words: str
) -> None:
    path = write_geojson(
        tmp_path / "sites.geojson",
        [({"site_id": "S0", "name": "Good"}, RUNCORN), (properties, RUNCORN)],
    )
    before = snapshot(engine)
    result = runner.invoke(main, ["import", "establishments", str(path)])
    assert result.exit_code == 2
    assert "sites.geojson" in result.stderr and "feature 2" in result.stderr
    assert words in result.stderr
    assert snapshot(engine) == before


def test_a_plan_title_with_a_line_break_is_refused(client_as: object, engine: Engine) -> None:
    officer = client_as("officer")  # type: ignore[operator]
    before = snapshot(engine)
    response = officer.post(
        "/plans/new",
        data={
            "ref": "PLAN-X",
            "title": "Plan\r\nBcc: evil@example.org",
            "regime": "cca_local",
            "owner": "Emergency Planning Team",
            "marking": "OFFICIAL",
            "status": "draft",
        },
    )
    assert response.status_code == 400
    assert "Title contains a line break" in response.text
    assert snapshot(engine) == before
