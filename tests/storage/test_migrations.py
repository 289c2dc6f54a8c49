from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from resilience.storage.database import migrate
from resilience.storage.models import Base


def _not_postgis_own(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # PostGIS's GiST indexes are made by the migration for PostgreSQL only, not by the models,
    # and the extension brings its own table of coordinate systems.
    if type_ == "table" and name == "spatial_ref_sys":
        return False
    return not (type_ == "index" and name is not None and name.endswith("_geometry"))


# SQLAlchemy cannot reflect PostGIS's type by itself; the column is checked in test_geometry_column.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")
def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _not_postgis_own})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    migrate(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"hazards", "zones", "zone_exposures", "wards", "receptors", "plans", "users"} <= set(
        before
    )


def test_spatial_lookups_have_an_index_on_each_backend(engine: Engine) -> None:
    # Wards are found around a zone by their bounding box on both backends; PostgreSQL also has a
    # GiST index on the geometry of every spatial table, which SQLite has no equivalent of.
    assert "ix_wards_min_lon" in {i["name"] for i in inspect(engine).get_indexes("wards")}
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            found = connection.execute(
                text("SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE '%_geometry'")
            ).all()
        else:
            found = connection.execute(
                text("SELECT tbl_name, sql FROM sqlite_master WHERE name LIKE '%_geometry'")
            ).all()
    definitions = {table: definition for table, definition in found}
    if engine.dialect.name == "postgresql":
        assert set(definitions) == {"hazards", "zones", "wards", "receptors"}
        for table, definition in definitions.items():
            assert definition.endswith(f"ON public.{table} USING gist (geometry)"), definition
    else:
        assert definitions == {}
