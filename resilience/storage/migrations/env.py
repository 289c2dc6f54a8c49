"""Alembic environment: the engine is handed over by resilience.storage.database.alembic_config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from resilience.storage.models import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `resilience init` (no engine was given)")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
