"""Files too large, too detailed or too deeply nested are refused, naming file and problem."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from resilience.cli import main
from resilience.errors import InputError
from resilience.spatial.vector_files import (
    MAX_FEATURES,
    MAX_VERTICES_PER_FEATURE,
    read_vector_file,
)
from tests.register_snapshot import snapshot


def _points_csv(path: Path, count: int) -> Path:
    with path.open("w") as out:
        out.write("receptor_id,name,kind,lat,lon\n")
        for i in range(count):
            out.write(
                f"R{i},Place {i},school,{53.3 + (i % 1000) * 1e-4},{-2.8 + (i // 1000) * 1e-4}\n"
            )
    return path


def _ring(vertices: int) -> list[list[float]]:
    """Return a closed ring of `vertices` points on a small circle near Runcorn."""
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = [[-2.744 + 0.01 * np.cos(a), 53.326 + 0.01 * np.sin(a)] for a in angles]
    return [*ring, ring[0]]


def test_more_features_than_the_limit_are_refused_quickly(
    runner: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    path = _points_csv(tmp_path / "places.csv", 400_000)
    before = snapshot(engine)
    started = time.monotonic()
    result = runner.invoke(main, ["import", "receptors", str(path)])
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "places.csv" in line
    assert "400,000 features" in line and f"{MAX_FEATURES:,}" in line
    assert elapsed < 60
    assert snapshot(engine) == before


def test_a_polygon_with_too_many_vertices_is_refused_by_feature(tmp_path: Path) -> None:
    small = {"type": "Polygon", "coordinates": [_ring(100)]}
    huge = {"type": "Polygon", "coordinates": [_ring(MAX_VERTICES_PER_FEATURE + 4)]}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "A"}, "geometry": small},
            {"type": "Feature", "properties": {"code": "B"}, "geometry": huge},
        ],
    }
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(collection))
    with pytest.raises(InputError) as raised:
        read_vector_file(path)
    message = str(raised.value)
    assert "wards.geojson" in message and "feature 2" in message and "geometry" in message
    assert f"{MAX_VERTICES_PER_FEATURE:,}" in message


@pytest.mark.parametrize("inside", [True, False])
def test_deeply_nested_json_is_not_valid_geojson(
    runner: CliRunner, engine: Engine, tmp_path: Path, inside: bool
) -> None:
    depth = 200_000
    nested = "[" * depth + "]" * depth
    text = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":'
        + nested
        + '},"geometry":{"type":"Point","coordinates":[-2.7,53.3]}}]}'
        if inside
        else nested
    )
    path = tmp_path / "deep.geojson"
    path.write_text(text)
    before = snapshot(engine)
    result = runner.invoke(main, ["import", "receptors", str(path)])
    assert result.exit_code == 2, result.output
    assert "deep.geojson" in result.stderr and "not valid GeoJSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(engine) == before


def test_web_messages_name_the_uploaded_file_not_a_server_path(client: FlaskClient) -> None:
    # SQLite header with the GeoPackage application id, then garbage: GDAL fails, naming a path.
    header = bytearray(b"SQLite format 3\x00" + bytes(84))
    header[68:72] = b"GPKG"
    response = client.post(
        "/transfer/",
        data={"layer": "wards", "file": (io.BytesIO(bytes(header) + b"x" * 4000), "my wards.gpkg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "my wards.gpkg" in response.text
    assert "/tmp" not in response.text and "tmp" not in response.text
