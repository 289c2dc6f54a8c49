"""Letters kept with a plan as evidence of a decision: first, the period the competent authority
agreed in writing for preparing an external plan (COMAH 2015 reg. 13(2)).

Revision ID: 0009_plan_letters
Revises: 0003_plan_records
Create Date: 2026-12-03 19:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_plan_letters"
down_revision = "0003_plan_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint("purpose IN ('agreed_period')", name=op.f("ck_plan_letters_purpose")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_letters_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_letters")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_plan_letters_stored_name")),
    )
    with op.batch_alter_table("plan_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_letters_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_letters_plan_id"))
    op.drop_table("plan_letters")
