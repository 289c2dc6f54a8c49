"""Who is in a footprint on the Halton demo, against an independent geopandas overlay."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.domain.whatif.inputs import parse_inputs
from resilience.domain.whatif.run import run_whatif
from resilience.domain.whatif.threat_zones import footprints_of
from resilience.spatial.crs import BNG, WGS84
from resilience.storage.models import Hazard, Receptor, Ward

SITE = "HAL-COMAH-01"


@pytest.fixture
def demo(session: Session) -> Session:
    load_demo(session)
    # Populations for all but one ward, so that the estimate and its gaps are both exercised.
    for i, ward in enumerate(session.scalars(select(Ward).order_by(Ward.code))):
        ward.population = None if i == 0 else 4000 + 250 * i
    session.commit()
    return session


def _inputs(session: Session, wind_from: str) -> dict[str, str]:
    hazard = session.scalars(select(Hazard).where(Hazard.ref == SITE)).one()
    point = hazard.geometry.representative_point()
    return {
        "lat": f"{point.y:.6f}", "lon": f"{point.x:.6f}", "substance": "chlorine",
        "rate": "5", "rate_unit": "kg/s", "duration_min": "60", "height_m": "0",
        "wind_speed": "2", "wind_from": wind_from, "stability": "E", "terrain": "urban",
    }  # fmt: skip


@pytest.mark.parametrize("wind_from", ["270", "45", "180"])
def test_wards_and_places_match_a_geopandas_overlay(demo: Session, wind_from: str) -> None:
    inputs = parse_inputs(_inputs(demo, wind_from))
    result = run_whatif(demo, inputs)
    footprints = footprints_of(inputs)
    wards = gpd.GeoDataFrame(
        {"ward_code": [w.code for w in demo.scalars(select(Ward))],
         "population": [w.population for w in demo.scalars(select(Ward))]},
        geometry=[w.geometry for w in demo.scalars(select(Ward))], crs=WGS84,
    ).to_crs(BNG)  # fmt: skip
    places = demo.scalars(select(Receptor)).all()
    receptors = gpd.GeoDataFrame(
        {"ref": [p.ref for p in places]}, geometry=[p.geometry for p in places], crs=WGS84
    ).to_crs(BNG)
    shapes = {z.key: z.area_bng for z in footprints.zones if not z.area_bng.is_empty}
    shapes["sector"] = footprints.sector_bng
    by_key = {z["key"]: z for z in result["zones"]} | {"sector": result["sector"]}
    checked_places = 0
    for key, shape in shapes.items():
        zone = gpd.GeoDataFrame({"zone": [key]}, geometry=[shape], crs=BNG)
        overlay = gpd.overlay(wards, zone, how="intersection")
        overlay["overlap"] = overlay.geometry.area
        expected = {
            code: area for code, area in zip(overlay["ward_code"], overlay["overlap"], strict=True)
            if area >= 1.0
        }  # fmt: skip
        got = {
            w["ward_code"]: w["overlap_m2"]
            for w in by_key[key]["people"]["wards"]
            if w["ward_code"] != "OUTSIDE"
        }
        assert set(got) == set(expected), key
        for code, area in expected.items():
            assert got[code] == pytest.approx(area, abs=0.1), (key, code)
        inside = set(receptors[receptors.intersects(shape)]["ref"])
        assert by_key[key]["people"]["receptor_count"] == len(inside), key
        checked_places += len(inside)
        ward_area = dict(zip(wards["ward_code"], wards.geometry.area, strict=True))
        pops = {
            c: None if pd.isna(v) else float(v)
            for c, v in zip(wards["ward_code"], wards["population"], strict=True)
        }
        expected_people = sum(
            pops[c] * a / ward_area[c] for c, a in expected.items() if pops[c] is not None
        )
        known = [c for c in expected if pops[c] is not None]
        population = by_key[key]["people"]["population"]
        if known:
            assert population == pytest.approx(expected_people, abs=len(expected))
            assert by_key[key]["people"]["population_complete"] == (len(known) == len(expected))
        else:
            assert population is None  # no ward population loaded: no estimate, never 0
    warned = {row["receptor_id"] for row in result["warn_list"]}
    assert warned == set(receptors[receptors.intersects(footprints.sector_bng)]["ref"])
    zones_order = ["red", "orange", "yellow", "sector"]
    keys = [(zones_order.index(r["zone"]), r["distance_m"]) for r in result["warn_list"]]
    assert keys == sorted(keys)
    assert checked_places > 0 or wind_from != "270"
