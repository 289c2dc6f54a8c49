"""The reminder tables' migration matches their models, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from resilience.storage.models import Base

REMINDER_TABLES = frozenset(
    {"reminder_claims", "notifications", "user_calendar_tokens", "apscheduler_jobs"}
)


def _reminder_tables_only(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # The other tables are checked by tests/storage/test_migrations.py; this narrows the check to
    # the tables of migration 0002 so that it stands on its own while other branches land.
    table = getattr(obj, "table", obj)
    table_name = name if type_ == "table" else getattr(table, "name", None)
    return table_name in REMINDER_TABLES


# SQLAlchemy cannot reflect PostGIS's type; other tables' columns are reflected all the same.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")
def test_reminder_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _reminder_tables_only}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_reminder_tables_exist_with_the_claim_constraint(engine: Engine) -> None:
    inspector = inspect(engine)
    assert REMINDER_TABLES <= set(inspector.get_table_names())
    unique = {
        c["name"]: c["column_names"] for c in inspector.get_unique_constraints("reminder_claims")
    }
    assert unique["uq_reminder_claims_reminder"] == [
        "plan_ref",
        "duty",
        "due_on",
        "lead",
        "recipient",
    ]
