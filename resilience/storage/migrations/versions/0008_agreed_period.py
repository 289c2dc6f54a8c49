"""The period the competent authority agreed in writing for preparing an external plan.

COMAH 2015 reg. 13(2): six months from the operator's information, "or such longer period not
exceeding nine months agreed by the competent authority in writing". NULL: none agreed.

Revision ID: 0008_agreed_period
Revises: 0001
Create Date: 2026-12-03 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_agreed_period"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreed_prepare_by", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("agreed_prepare_by")
