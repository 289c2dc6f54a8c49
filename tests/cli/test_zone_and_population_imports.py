"""Zones imported as supplied, and ward populations: through `resilience import`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from shapely.geometry import Point, box
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from resilience.cli import main
from resilience.domain.demo import load_demo
from resilience.domain.register.edits import save_record
from resilience.domain.register.layers import ESTABLISHMENTS
from resilience.domain.register.listings import exposure_rows
from resilience.storage.models import Establishment, Ward, Zone, ZoneExposure
from tests.register_snapshot import snapshot
from tests.support.builders import write_geojson


def _demo(session: Session) -> None:
    load_demo(session)
    session.commit()


def test_populations_give_estimated_people(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    _demo(session)
    path = tmp_path / "population.csv"
    path.write_text("ward_code,population\nE05013184,8000\nE05013171,6000\n")
    result = runner.invoke(main, ["import", "populations", str(path)])
    assert result.exit_code == 0, result.stderr
    session.expire_all()
    assert session.scalars(select(Ward.population).where(Ward.code == "E05013184")).one() == 8000
    site = session.scalars(select(Establishment).where(Establishment.ref == "HAL-COMAH-01")).one()
    inner = exposure_rows(session, site)[0]
    expected = sum(
        {"E05013184": 8000, "E05013171": 6000}[line.ward_code] * (line.ward_share or 0)
        for line in inner.lines
        if line.ward_code != "OUTSIDE"
    )
    assert inner.total_population is not None
    assert abs(inner.total_population - expected) < 1e-6 and expected > 0


def test_population_for_an_unknown_ward_is_refused(
    runner: CliRunner, session: Session, tmp_path: Path, engine: Engine
) -> None:
    _demo(session)
    before = snapshot(engine)
    path = tmp_path / "population.csv"
    path.write_text("ward_code,population\nE05013184,8000\nE99999999,10\n")
    result = runner.invoke(main, ["import", "populations", str(path)])
    assert result.exit_code == 2
    assert "population.csv" in result.stderr and "E99999999" in result.stderr
    assert snapshot(engine) == before


def test_imported_zone_is_kept_as_supplied(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    _demo(session)
    square = box(-2.76, 53.31, -2.73, 53.335)  # HSE's polygon, as given: not a buffer
    path = write_geojson(
        tmp_path / "hse_zones.geojson",
        [
            ({"site_id": "HAL-COMAH-01", "kind": "outer", "source": "HSE PADHI+"}, square),
            ({"site_id": "HAL-COMAH-01", "kind": "evacuation"}, Point(-2.744, 53.326).buffer(0.01)),
        ],
    )
    result = runner.invoke(main, ["import", "zones", str(path)])
    assert result.exit_code == 0, result.stderr
    site = session.scalars(select(Establishment).where(Establishment.ref == "HAL-COMAH-01")).one()
    zones = {z.kind: z for z in site.zones}
    assert zones["outer"].origin == "imported" and zones["outer"].geometry.equals_exact(
        square, 1e-12
    )
    assert zones["evacuation"].origin == "imported"
    rows = session.scalars(
        select(ZoneExposure).where(ZoneExposure.zone_id == zones["outer"].id)
    ).all()
    assert {r.ward_code for r in rows} >= {"E05013184"}

    # Editing the distances re-derives the other zones but keeps what HSE supplied.
    values = {
        "ref": site.ref,
        "name": site.name,
        "geometry": site.geometry,
        "inner_m": 250.0,
        "middle_m": 650.0,
        "outer_m": 1400.0,
        "piz_m": 900.0,
    }
    save_record(session, ESTABLISHMENTS, values, existing=site)
    session.commit()
    session.expire_all()
    outer = session.scalars(
        select(Zone).where(Zone.hazard_id == site.id, Zone.kind == "outer")
    ).one()
    assert outer.origin == "imported" and outer.geometry.equals_exact(square, 1e-12)


def test_zone_for_an_unknown_site_is_refused(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    _demo(session)
    path = write_geojson(
        tmp_path / "zones.geojson",
        [({"site_id": "NOPE", "kind": "outer"}, box(-2.75, 53.32, -2.74, 53.33))],
    )
    result = runner.invoke(main, ["import", "zones", str(path)])
    assert result.exit_code == 2
    assert "zones.geojson: feature 1: field 'site_id'" in result.stderr
