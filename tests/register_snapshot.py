"""A fingerprint of everything stored, to prove that a failed import changed nothing."""

from __future__ import annotations

from sqlalchemy import Engine, select

from resilience.storage.models import Base


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Return every row of every table, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in connection.execute(select(table))),
            )
            for table in Base.metadata.sorted_tables
        }
