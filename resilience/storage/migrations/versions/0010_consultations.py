"""Consultations on a plan version: whom the council consulted in preparing it, when, and their
response (COMAH 2015 reg. 13(7)).

Revision ID: 0010_consultations
Revises: 0009_plan_letters
Create Date: 2026-12-04 20:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_consultations"
down_revision = "0009_plan_letters"
branch_labels = None
depends_on = None

KINDS = (
    "'operator', 'appropriate_agency', 'designated_authority', 'nhs_england', 'ukhsa', "
    "'public', 'other'"
)


def upgrade() -> None:
    op.create_table(
        "plan_consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("consultee", sa.String(length=30), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("consulted_on", sa.Date(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(f"consultee IN ({KINDS})", name=op.f("ck_plan_consultations_consultee")),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_consultations_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_consultations")),
    )
    with op.batch_alter_table("plan_consultations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_consultations_plan_version_id"), ["plan_version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_consultations_plan_version_id"))
    op.drop_table("plan_consultations")
