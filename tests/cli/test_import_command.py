"""`resilience import` and `export`: every format in, every format out, bad input refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, Polygon
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from resilience.cli import main
from resilience.storage.models import Establishment, Receptor, Ward, Zone
from tests.register_snapshot import snapshot
from tests.support.builders import write_geojson

RUNCORN = Point(-2.7440, 53.3262)
WIDNES = Point(-2.7180, 53.3660)


def _import(runner: CliRunner, layer: str, path: Path) -> tuple[int, str, str]:
    result = runner.invoke(main, ["import", layer, str(path)])
    return result.exit_code, result.stdout, result.stderr


def _two_sites(path: Path, name_b: str = "Widnes works") -> Path:
    return write_geojson(
        path,
        [
            (
                {
                    "site_id": "S1",
                    "name": "Runcorn works",
                    "tier": "upper",
                    "inner_m": 200,
                    "middle_m": 500,
                    "outer_m": 1000,
                    "piz_m": 800,
                },
                RUNCORN,
            ),
            ({"site_id": "S2", "name": name_b, "tier": "Lower tier"}, WIDNES),
        ],
    )


def test_geojson_import_creates_then_updates_by_identifier(
    runner: CliRunner, tmp_path: Path, session: Session
) -> None:
    code, out, err = _import(runner, "establishments", _two_sites(tmp_path / "sites.geojson"))
    assert (code, err) == (0, "")
    assert "2 establishments added" in out

    code, out, _ = _import(
        runner, "establishments", _two_sites(tmp_path / "sites.geojson", "Renamed")
    )
    assert code == 0
    assert "0 establishments added, 1 updated, 1 unchanged" in out
    names = dict(session.execute(select(Establishment.ref, Establishment.name)).all())
    assert names == {"S1": "Runcorn works", "S2": "Renamed"}
    tiers = dict(session.execute(select(Establishment.ref, Establishment.tier)).all())
    assert tiers == {"S1": "upper", "S2": "lower"}
    # S1 has distances: its three bands and PIZ were derived; S2 has none.
    kinds = session.scalars(select(Zone.kind).join(Zone.hazard).where(Establishment.ref == "S1"))
    assert sorted(kinds) == ["inner", "middle", "outer", "piz"]
    assert session.scalar(select(func.count()).select_from(Zone)) == 4


def test_csv_with_easting_northing_is_reprojected(
    runner: CliRunner, tmp_path: Path, session: Session
) -> None:
    path = tmp_path / "places.csv"
    # Ordnance Survey's grid position of a point in Runcorn; computed with pyproj independently.
    lonlat = gpd.GeoSeries([RUNCORN], crs="EPSG:4326").to_crs("EPSG:27700")[0]
    path.write_text(
        "receptor_id,name,kind,easting,northing\n"
        f"R1,Weston school,school,{lonlat.x:.2f},{lonlat.y:.2f}\n"
    )
    code, _, err = _import(runner, "receptors", path)
    assert (code, err) == (0, "")
    stored = session.scalars(select(Receptor)).one().geometry
    assert stored.distance(RUNCORN) < 1e-6  # under a metre in degrees


def test_csv_with_lat_lon(runner: CliRunner, tmp_path: Path, session: Session) -> None:
    path = tmp_path / "places.csv"
    path.write_text("receptor_id,name,kind,lat,lon\nR1,Home,care_home,53.3262,-2.7440\n")
    assert _import(runner, "receptors", path)[0] == 0
    assert session.scalars(select(Receptor.kind)).one() == "care_home"


def test_geopackage_and_zipped_shapefile(
    runner: CliRunner, tmp_path: Path, session: Session
) -> None:
    frame = gpd.GeoDataFrame(
        {"ward_code": ["E1", "E2"], "ward_name": ["North", "South"]},
        geometry=[
            Polygon([(-2.76, 53.33), (-2.72, 53.33), (-2.72, 53.36)]),
            Polygon([(-2.76, 53.33), (-2.72, 53.33), (-2.72, 53.30)]),
        ],
        crs="EPSG:4326",
    )
    bng = frame.to_crs("EPSG:27700")
    gpkg = tmp_path / "wards.gpkg"
    bng.to_file(gpkg, layer="wards", driver="GPKG")
    assert _import(runner, "wards", gpkg)[0] == 0
    first = {w.code: w.geometry for w in session.scalars(select(Ward))}
    assert first["E1"].equals_exact(frame.geometry[0], 1e-7)

    shp_folder = tmp_path / "shp"
    shp_folder.mkdir()
    bng.assign(ward_name=["Northern", "South"]).to_file(shp_folder / "wards.shp")
    archive = tmp_path / "wards.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for member in shp_folder.iterdir():
            zipped.write(member, member.name)
    code, out, _ = _import(runner, "wards", archive)
    assert code == 0 and "1 updated, 1 unchanged" in out
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Ward)) == 2


BAD_INPUTS = {
    "png_named_geojson": ("sites.geojson", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    "invalid_json": ("sites.geojson", b'{"type": "FeatureCollection", "features": [}'),
    "no_identifier": (
        "sites.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "A"},
                        "geometry": {"type": "Point", "coordinates": [-2.74, 53.32]},
                    }
                ],
            }
        ).encode(),
    ),
    "self_intersecting": (
        "sites.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"site_id": "X", "name": "Bow tie"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [-2.75, 53.32],
                                    [-2.74, 53.33],
                                    [-2.74, 53.32],
                                    [-2.75, 53.33],
                                    [-2.75, 53.32],
                                ]
                            ],
                        },
                    }
                ],
            }
        ).encode(),
    ),
    "eastings_as_lonlat": ("sites.csv", b"site_id,name,lat,lon\nX,Works,381000,351000\n"),
    "bad_number": ("sites.csv", b"site_id,name,lat,lon,inner_m\nX,Works,53.32,-2.74,abc\n"),
    "not_utf8": (
        "sites.csv",
        "site_id,name,lat,lon\nX,Caf\u00e9 works,53.32,-2.74\n".encode("cp1252"),
    ),
    "zip_without_shp": ("sites.zip", None),
    "empty_file": ("sites.geojson", b""),
    "no_features": ("sites.geojson", b'{"type": "FeatureCollection", "features": []}'),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_and_changes_nothing(
    case: str, runner: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    assert _import(runner, "establishments", _two_sites(tmp_path / "good.geojson"))[0] == 0
    before = snapshot(engine)
    name, content = BAD_INPUTS[case]
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zipped:
            zipped.writestr("readme.txt", "no shapefile here")
    else:
        path.write_bytes(content)

    code, out, err = _import(runner, "establishments", path)

    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert name in err
    assert snapshot(engine) == before


def test_error_names_the_row_and_field(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("site_id,name,lat,lon,tier\nA,One,53.32,-2.74,upper\nB,Two,53.33,-2.74,top\n")
    code, _, err = _import(runner, "establishments", path)
    assert code == 2
    assert "sites.csv: row 3: field 'tier'" in err


def test_a_late_bad_feature_stores_nothing(
    runner: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    features = [({"site_id": f"S{i}", "name": f"Site {i}"}, RUNCORN) for i in range(50)]
    features.append(({"site_id": "S50", "name": "Bad", "middle_m": 100, "inner_m": 300}, RUNCORN))
    code, _, err = _import(
        runner, "establishments", write_geojson(tmp_path / "s.geojson", features)
    )
    assert code == 2 and "feature 51" in err
    assert snapshot(engine)["hazards"] == []


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
def test_export_round_trips_through_import(
    fmt: str, runner: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    assert _import(runner, "establishments", _two_sites(tmp_path / "sites.geojson"))[0] == 0
    exported = tmp_path / f"export.{fmt}"
    result = runner.invoke(main, ["export", "establishments", "--format", fmt, "-o", str(exported)])
    assert result.exit_code == 0, result.stderr
    before = snapshot(engine)
    code, out, _ = _import(runner, "establishments", exported)
    assert code == 0 and "2 unchanged" in out
    after = snapshot(engine)
    # Nothing changed but the audit trail, which records that the import happened.
    assert after.pop("audit_events")[len(before["audit_events"]) :][0][3] == "import"
    before.pop("audit_events")
    assert after == before


def test_a_file_without_names_updates_the_distances_of_stored_sites(
    runner: CliRunner, tmp_path: Path, session: Session, engine: Engine
) -> None:
    assert _import(runner, "establishments", _two_sites(tmp_path / "sites.geojson"))[0] == 0
    distances = write_geojson(
        tmp_path / "distances.geojson",
        [({"site_id": "S2", "inner_m": 300, "middle_m": 600, "outer_m": 1200}, WIDNES)],
    )
    code, out, err = _import(runner, "establishments", distances)
    assert (code, err) == (0, ""), err
    assert "1 updated" in out
    session.expire_all()
    row = session.scalars(select(Establishment).where(Establishment.ref == "S2")).one()
    assert (row.name, row.tier, row.outer_m) == ("Widnes works", "lower", 1200)

    # A new site in such a file is refused, by its feature and field, and nothing is stored.
    before = snapshot(engine)
    mixed = write_geojson(
        tmp_path / "mixed.geojson",
        [
            ({"site_id": "S1", "outer_m": 1500}, RUNCORN),
            ({"site_id": "S9", "outer_m": 900}, WIDNES),
        ],
    )
    code, _, err = _import(runner, "establishments", mixed)
    assert code == 2
    assert "feature 2" in err and "'S9' is not in the register yet" in err and "name" in err
    assert snapshot(engine) == before
