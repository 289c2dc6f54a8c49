"""Establishments hold the date the operator's information for the external plan arrived
(COMAH 2015 reg. 13(2) counts from it), the date the operator last supplied safety information
to the public in its public information zone (reg. 18), and the officer who liaises with it.

Revision ID: 0012_public_information
Revises: 0009_plan_letters
Create Date: 2026-12-04 20:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_public_information"
down_revision = "0009_plan_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("information_received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("public_information_supplied_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("liaison_officer", sa.String(length=254), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_column("liaison_officer")
        batch_op.drop_column("public_information_supplied_on")
        batch_op.drop_column("information_received_on")
