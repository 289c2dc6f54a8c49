from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

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


def test_postgis_tables_have_spatial_indexes(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    names = {i["name"] for i in inspect(engine).get_indexes("wards")}
    assert "ix_wards_geometry" in names
