"""Positions outside the register's area are refused, on the form and in every import format,
with the field or row named and nothing stored; imports list every problem at once."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from flask.testing import FlaskClient
from shapely.geometry import Point
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.domain.register.service_area import degrees
from resilience.storage.models import Establishment
from tests.register_snapshot import snapshot
from tests.support.builders import make_establishment, make_ward, write_geojson
from tests.support.html import Node, parse

SWAPPED = {"latitude": "-2.73", "longitude": "53.36"}


def _demo(session: Session) -> None:
    load_demo(session)
    session.commit()


def _new_establishment(client: FlaskClient, **position: str) -> tuple[int, Node]:
    response = client.post(
        "/establishments/new",
        data={
            "ref": "NEW-1",
            "name": "New works",
            "tier": "lower",
            "status": "operational",
            **position,
        },
    )
    return response.status_code, parse(response.text)


def test_degrees_say_north_south_east_west() -> None:
    assert degrees(53.36, -2.76) == "53.36000° N, 2.76000° W"
    assert degrees(-33.9, 18.4, places=1) == "33.9° S, 18.4° E"


def test_the_form_refuses_swapped_numbers_and_says_so(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    _demo(session)
    before = snapshot(engine)
    status, page = _new_establishment(client, **SWAPPED)
    assert status == 400
    error = page.text_by_id["latitude-error"]
    assert "outside the area this register covers" in error
    assert "the numbers look swapped" in error
    assert snapshot(engine) == before


def test_the_form_refuses_a_point_far_away_without_wards_too(
    client: FlaskClient, session: Session
) -> None:
    # No wards loaded: Great Britain is the area. Paris is outside it, and not swapped.
    status, page = _new_establishment(client, latitude="48.85", longitude="2.35")
    assert status == 400
    error = page.text_by_id["latitude-error"]
    assert "Great Britain" in error and "swapped" not in error
    assert session.query(Establishment).count() == 0


def test_the_form_stores_a_point_inside_and_shows_it_west(
    client: FlaskClient, session: Session
) -> None:
    session.add(make_ward())
    session.commit()
    status, _ = _new_establishment(client, latitude="53.3262", longitude="-2.7440")
    assert status == 302
    page = parse(client.get("/establishments/NEW-1").text)
    assert "53.32620° N, 2.74400° W" in page.text


def _upload(client: FlaskClient, layer: str, name: str, data: bytes) -> tuple[int, Node]:
    response = client.post(
        "/transfer/",
        data={"layer": layer, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, parse(response.text)


def _upload_html(client: FlaskClient, layer: str, name: str, data: bytes) -> tuple[int, Node, str]:
    response = client.post(
        "/transfer/",
        data={"layer": layer, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, parse(response.text), response.text


def _geojson_bytes(tmp_path: Path, points: list[tuple[str, Point]]) -> bytes:
    path = write_geojson(
        tmp_path / "sites.geojson",
        [({"site_id": ref, "name": f"Site {ref}"}, point) for ref, point in points],
    )
    return path.read_bytes()


def _gpkg_bytes(tmp_path: Path, points: list[tuple[str, Point]]) -> bytes:
    frame = gpd.GeoDataFrame(
        {"site_id": [r for r, _ in points], "name": [f"Site {r}" for r, _ in points]},
        geometry=[p for _, p in points],
        crs="EPSG:4326",
    )
    path = tmp_path / "sites.gpkg"
    frame.to_file(path, driver="GPKG")
    return path.read_bytes()


def _shapefile_zip_bytes(tmp_path: Path, points: list[tuple[str, Point]]) -> bytes:
    frame = gpd.GeoDataFrame(
        {"site_id": [r for r, _ in points], "name": [f"Site {r}" for r, _ in points]},
        geometry=[p for _, p in points],
        crs="EPSG:4326",
    )
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "sites.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    return buffer.getvalue()


def _csv_bytes(_tmp_path: Path, points: list[tuple[str, Point]]) -> bytes:
    lines = ["site_id,name,lat,lon", *(f"{r},Site {r},{p.y},{p.x}" for r, p in points)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("maker", "name", "where"),
    [
        (_geojson_bytes, "sites.geojson", "feature 2"),
        (_gpkg_bytes, "sites.gpkg", "feature 2"),
        (_shapefile_zip_bytes, "sites.zip", "feature 2"),
        (_csv_bytes, "sites.csv", "row 3"),
    ],
)
def test_every_import_format_refuses_a_swapped_position_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    engine: Engine,
    tmp_path: Path,
    maker: object,
    name: str,
    where: str,
) -> None:
    _demo(session)
    before = snapshot(engine)
    points = [("GOOD-1", Point(-2.74, 53.33)), ("SWAP-1", Point(53.36, -2.73))]
    data = maker(tmp_path, points)  # type: ignore[operator]
    status, page = _upload(client, "establishments", name, data)
    assert status == 400
    error = page.text_by_id["file-error"]
    assert name in error and where in error
    assert "outside the area this register covers" in error
    assert "the numbers look swapped" in error
    assert snapshot(engine) == before


def test_an_import_lists_every_problem_and_stores_nothing(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    _demo(session)
    before = snapshot(engine)
    data = (
        b"receptor_id,name,kind,lat,lon\n"
        b"R1,School,volcano,53.32,-2.74\n"
        b"R2,Care home,care_home,-2.73,53.36\n"
        b",Nursery,nursery,53.33,-2.73\n"
    )
    status, page, html = _upload_html(client, "receptors", "places.csv", data)
    assert status == 400
    error = page.text_by_id["file-error"]
    assert "has 3 problems" in error
    assert "row 2: field 'kind'" in error
    assert "row 3: field 'lat/lon'" in error
    assert "row 4: field 'receptor_id'" in error
    summary = parse(html).one("div", cls="govuk-error-summary")
    assert len(summary.find_all("li")) == 4  # the count, then each problem
    assert snapshot(engine) == before


def test_a_long_list_of_problems_stops_at_50_and_says_how_many_more(
    client: FlaskClient, session: Session
) -> None:
    _demo(session)
    rows = "".join(f"R{n},Place {n},volcano,53.32,-2.74\n" for n in range(60))
    status, page = _upload(
        client, "receptors", "places.csv", ("receptor_id,name,kind,lat,lon\n" + rows).encode()
    )
    assert status == 400
    error = page.text_by_id["file-error"]
    assert "has 60 problems" in error
    assert error.count("field 'kind'") == 50
    assert "and 10 more problems" in error


def test_import_summaries_use_the_right_plurals(client: FlaskClient, session: Session) -> None:
    session.add(make_ward())
    session.add(make_establishment("EST-OLD"))
    session.commit()
    data = b"site_id,name,lat,lon\nEST-NEW,New works,53.33,-2.74\n"
    response = client.post(
        "/transfer/",
        data={"layer": "establishments", "file": (io.BytesIO(data), "one.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "1 establishment added, 0 updated, 0 unchanged" in parse(response.text).text


def test_unknown_wards_in_a_population_file_are_named_by_row(
    client: FlaskClient, session: Session, engine: Engine
) -> None:
    session.add(make_ward("W1"))
    session.commit()
    before = snapshot(engine)
    data = b"ward_code,population\nW1,100\nNOPE1,5\nW1X,7\n"
    status, page = _upload(client, "populations", "pop.csv", data)
    assert status == 400
    error = page.text_by_id["file-error"]
    assert "row 3: field 'ward_code': 'NOPE1'" in error
    assert "row 4: field 'ward_code': 'W1X'" in error
    assert snapshot(engine) == before


def test_download_rows_name_each_layer_and_its_columns(client: FlaskClient) -> None:
    table = parse(client.get("/transfer/").text).find_all("table")[-1]
    text = " ".join(table.texts())
    assert "Layer(" not in text and "FieldSpec(" not in text
    assert "COMAH establishments" in text and "Sensitive places" in text
    assert "site_id, name, operator" in text
    assert "GeoJSON" in text and "GeoPackage" in text
