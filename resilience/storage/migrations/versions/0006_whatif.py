"""What if it leaks? Sensitive places' contacts, and saved what-if scenarios.

Revision ID: 0006_whatif
Revises: 0003_plan_records
Create Date: 2026-12-02 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_whatif"
down_revision = "0003_plan_records"  # scenarios may belong to an exercise
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receptors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("telephone", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("email", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("out_of_hours", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("usual_people", sa.Integer(), nullable=True))
    op.create_table(
        "whatif_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("hazard_ref", sa.String(length=80), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_whatif_scenarios_exercise_id_exercises"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatif_scenarios")),
    )
    with op.batch_alter_table("whatif_scenarios", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_whatif_scenarios_exercise_id"), ["exercise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_whatif_scenarios_hazard_ref"), ["hazard_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("whatif_scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_whatif_scenarios_hazard_ref"))
        batch_op.drop_index(batch_op.f("ix_whatif_scenarios_exercise_id"))
    op.drop_table("whatif_scenarios")
    with op.batch_alter_table("receptors", schema=None) as batch_op:
        batch_op.drop_column("usual_people")
        batch_op.drop_column("out_of_hours")
        batch_op.drop_column("email")
        batch_op.drop_column("telephone")
