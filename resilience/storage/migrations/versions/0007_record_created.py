"""When each site, pipeline and plan entered the register, for point-in-time reports.

Existing rows take the time of their first "create" event in the audit trail; a row with no such
event keeps NULL, which means "in the register before its records began" (counted in every period).

Revision ID: 0007_record_created
Revises: 0001
Create Date: 2026-12-02 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_record_created"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("hazards", "plans")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(
            f"UPDATE {table} SET created_at = (SELECT min(audit_events.at) FROM audit_events"
            f" WHERE audit_events.entity = '{table}' AND audit_events.action = 'create'"
            f" AND audit_events.ref = {table}.ref)"
        )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("created_at")
