"""What a test was: the organisations list, who took part in each exercise, what of the plan it
tested, and on each plan the type of its last exercise and its last one beyond a discussion.

Existing exercises keep their type and their free-text organisations and have no objectives
recorded; each plan's two new dates are worked out from the held exercises already stored.

Revision ID: 0011_exercise_evidence
Revises: 0014_reppir_extension
Create Date: 2026-12-04 20:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_exercise_evidence"
down_revision = "0014_reppir_extension"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "kind IN ('operator', 'emergency_service', 'other')",
            name=op.f("ck_organisations_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "exercise_participants",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_participants_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_exercise_participants_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "exercise_id", "organisation_id", name=op.f("pk_exercise_participants")
        ),
    )
    with op.batch_alter_table("exercise_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_participants_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        # A server default fills the column for existing exercises; altering it away would make
        # SQLite rebuild the table, and dropping it would cascade to the exercises' lessons.
        batch_op.add_column(sa.Column("objectives", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_exercise_type", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("last_non_discussion_exercise_on", sa.Date(), nullable=True))
    _follow_held_exercises()


def _follow_held_exercises() -> None:
    """Set each exercised plan's last exercise type and last exercise beyond a discussion."""
    connection = op.get_bind()
    held = connection.execute(
        sa.text(
            "SELECT exercise_plans.plan_id, exercises.held_on, exercises.exercise_type, "
            "exercises.id FROM exercises JOIN exercise_plans "
            "ON exercise_plans.exercise_id = exercises.id WHERE exercises.status = 'held'"
        )
    ).all()
    # As domain/plans/exercises.py orders them: the latest day; on one day, more than a
    # discussion first.
    latest: dict[int, tuple[object, bool, int, str]] = {}
    beyond: dict[int, object] = {}
    for plan_id, held_on, exercise_type, exercise_id in held:
        key = (held_on, exercise_type != "discussion_based", exercise_id)
        if plan_id not in latest or key > latest[plan_id][:3]:
            latest[plan_id] = (*key, exercise_type)
        if exercise_type != "discussion_based" and (
            plan_id not in beyond or held_on > beyond[plan_id]
        ):
            beyond[plan_id] = held_on
    update = sa.text(
        "UPDATE plans SET last_exercise_type = :kind, last_non_discussion_exercise_on = :beyond "
        "WHERE id = :plan_id"
    )
    for plan_id, (*_, exercise_type) in latest.items():
        connection.execute(
            update, {"kind": exercise_type, "beyond": beyond.get(plan_id), "plan_id": plan_id}
        )


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("last_non_discussion_exercise_on")
        batch_op.drop_column("last_exercise_type")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_column("objectives")
    with op.batch_alter_table("exercise_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_participants_organisation_id"))
    op.drop_table("exercise_participants")
    op.drop_table("organisations")
