"""Migration 0011: exercises recorded before it keep their type and organisations, and each plan
learns the type of its last exercise and its last one beyond a discussion from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from resilience.storage.database import alembic_config, make_engine, migrate

BEFORE = "0014_reppir_extension"


def test_exercises_recorded_before_the_migration_carry_over(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, BEFORE)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO plans (id, ref, title, regime, owner, marking, status, "
                "extension_agreed, adopted_on, last_exercised_on, hazard_refs, note) VALUES "
                "(1, 'PLAN-A', 'A', 'comah_external', '', 'OFFICIAL', 'adopted', false, "
                "'2021-01-31', '2024-02-29', '[]', ''), "
                "(2, 'PLAN-B', 'B', 'cca_local', '', 'OFFICIAL', 'adopted', false, "
                "'2021-01-31', '2022-08-31', '[]', ''), "
                "(3, 'PLAN-C', 'C', 'reppir', '', 'OFFICIAL', 'adopted', false, "
                "'2021-01-31', NULL, '[]', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO exercises (id, title, exercise_type, status, planned_on, held_on, "
                "organisations, hazard_refs, note) VALUES "
                "(1, 'Live', 'live', 'held', NULL, '2023-08-31', 'Cheshire Police', '[]', ''), "
                "(2, 'Talk', 'discussion_based', 'held', NULL, '2024-02-29', '', '[]', ''), "
                "(3, 'Next', 'live', 'planned', '2027-05-31', NULL, '', '[]', ''), "
                "(4, 'Table', 'table_top', 'held', NULL, '2022-08-31', '', '[]', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO exercise_plans (exercise_id, plan_id) VALUES "
                "(1, 1), (2, 1), (3, 1), (3, 3), (4, 2)"
            )
        )

    migrate(engine)

    with engine.connect() as connection:
        plans = connection.execute(
            text(
                "SELECT ref, last_exercise_type, last_non_discussion_exercise_on "
                "FROM plans ORDER BY ref"
            )
        ).all()
        exercises = connection.execute(
            text(
                "SELECT title, exercise_type, organisations, objectives FROM exercises ORDER BY id"
            )
        ).all()
    assert [(ref, kind, _day(on)) for ref, kind, on in plans] == [
        ("PLAN-A", "discussion_based", date(2023, 8, 31)),
        ("PLAN-B", "table_top", date(2022, 8, 31)),
        ("PLAN-C", None, None),  # only planned exercises
    ]
    assert [tuple(row) for row in exercises] == [
        ("Live", "live", "Cheshire Police", ""),
        ("Talk", "discussion_based", "", ""),
        ("Next", "live", "", ""),
        ("Table", "table_top", "", ""),
    ]


def _day(value: object) -> date | None:
    """Return a date column's value as a date (SQLite gives text to a raw query)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def test_a_sqlite_register_keeps_every_plans_records_through_the_table_rebuilds(
    tmp_path: Path,
) -> None:
    # SQLite rebuilds a table to change its constraints (0013 does so to plans); with foreign
    # keys enforced, dropping the old table used to delete the plans' reviews and exercise links.
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    command.upgrade(alembic_config(engine), "0009_plan_letters")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO plans (id, ref, title, regime, owner, marking, status, "
                "extension_agreed, adopted_on, last_exercised_on, hazard_refs, note) VALUES "
                "(1, 'PLAN-A', 'A', 'comah_external', '', 'OFFICIAL', 'adopted', 0, "
                "'2021-01-31', '2024-02-29', '[]', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO exercises (id, title, exercise_type, status, held_on, "
                "organisations, hazard_refs, note) VALUES "
                "(1, 'Talk', 'discussion_based', 'held', '2024-02-29', '', '[]', '')"
            )
        )
        connection.execute(text("INSERT INTO exercise_plans (exercise_id, plan_id) VALUES (1, 1)"))
        connection.execute(
            text(
                "INSERT INTO plan_reviews (id, plan_id, reviewed_on, reviewer, outcome, "
                "changes_made, recorded_at) VALUES "
                "(1, 1, '2024-01-15', 'Sam Jones', 'no_change', '', '2024-01-15 09:00:00')"
            )
        )

    migrate(engine)

    with engine.connect() as connection:
        links = connection.execute(text("SELECT count(*) FROM exercise_plans")).scalar()
        reviews = connection.execute(text("SELECT count(*) FROM plan_reviews")).scalar()
        kind = connection.execute(text("SELECT last_exercise_type FROM plans")).scalar()
        enforced = connection.execute(text("PRAGMA foreign_keys")).scalar()
    engine.dispose()
    assert (links, reviews, kind) == (1, 1, "discussion_based")
    assert enforced == 1
