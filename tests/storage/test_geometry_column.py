from __future__ import annotations

from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from resilience.storage.models import Hazard, Ward
from tests.support.builders import make_establishment, make_pipeline, make_ward


def test_geometries_come_back_exactly_as_stored(session: Session) -> None:
    polygon = MultiPolygon([Polygon([(-2.75, 53.32), (-2.74, 53.32), (-2.74, 53.33)])])
    session.add_all(
        [
            make_establishment("A", geometry=Point(-2.7440123456789, 53.3262987654321)),
            make_pipeline("P", geometry=LineString([(-2.7, 53.3), (-2.71, 53.31)])),
            make_ward("W", geometry=polygon),
        ]
    )
    session.commit()
    session.expunge_all()

    stored = {h.ref: h.geometry for h in session.scalars(select(Hazard))}
    assert stored["A"].equals_exact(Point(-2.7440123456789, 53.3262987654321), 0)
    assert stored["P"].geom_type == "LineString"
    ward = session.scalars(select(Ward)).one()
    assert ward.geometry.equals_exact(polygon, 0)
    assert (ward.min_lon, ward.min_lat, ward.max_lon, ward.max_lat) == polygon.bounds


def test_postgis_holds_native_geometry(session: Session) -> None:
    session.add(make_establishment("A"))
    session.commit()
    if session.bind is None or session.get_bind().dialect.name != "postgresql":
        # On SQLite the column is WKB; a spatial SQL function would not exist to ask.
        kind = session.execute(text("SELECT typeof(geometry) FROM hazards")).scalar_one()
        assert kind == "blob"
        return
    srid, geometry_type = session.execute(
        text("SELECT ST_SRID(geometry), GeometryType(geometry) FROM hazards")
    ).one()
    assert (srid, geometry_type) == (4326, "POINT")
