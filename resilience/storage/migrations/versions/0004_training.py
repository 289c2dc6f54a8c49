"""Training: sessions, invitations and attendance.

Revision ID: 0004_training
Revises: 0001
Create Date: 2026-11-28 10:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_training"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("hazard_refs", sa.JSON(), nullable=False),
        sa.Column("trainer", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "audience IN ('members', 'responders', 'both')",
            name=op.f("ck_training_sessions_audience"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'cancelled')", name=op.f("ck_training_sessions_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_training_sessions_times")),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name=op.f("ck_training_sessions_capacity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_sessions_starts_at"), ["starts_at"], unique=False
        )

    tables: tuple[tuple[str, str, list[sa.schema.SchemaItem]], ...] = (
        (
            "training_invitations",
            "invitation_once",
            [
                sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
                sa.Column("invited_by", sa.String(length=254), nullable=False),
            ],
        ),
        (
            "attendance",
            "attendance_once",
            [
                sa.Column("outcome", sa.String(length=10), nullable=False),
                sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
                sa.Column("recorded_by", sa.String(length=254), nullable=False),
                sa.CheckConstraint(
                    "outcome IN ('attended', 'absent', 'apologies')",
                    name=op.f("ck_attendance_outcome"),
                ),
            ],
        ),
    )
    for table, unique, extra in tables:
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("session_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(
                ["session_id"],
                ["training_sessions.id"],
                name=op.f(f"fk_{table}_session_id_training_sessions"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["users.id"],
                name=op.f(f"fk_{table}_user_id_users"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("session_id", "user_id", name=unique),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_session_id"), ["session_id"])
            batch_op.create_index(batch_op.f(f"ix_{table}_user_id"), ["user_id"])


def downgrade() -> None:
    for table in ("attendance", "training_invitations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_user_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_session_id"))
        op.drop_table(table)
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_sessions_starts_at"))
    op.drop_table("training_sessions")
