"""Why an external plan need not be prepared: a 1999 plan treated as prepared (COMAH 2015
reg. 13(5)) or the competent authority's exemption (reg. 15), with the decision's date, its
reasons, and its letter kept as a plan letter.

Revision ID: 0013_prepare_basis
Revises: 0009_plan_letters
Create Date: 2026-12-04 20:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_prepare_basis"
down_revision = "0009_plan_letters"
branch_labels = None
depends_on = None

_BASES = "prepare_basis IS NULL OR prepare_basis IN ('treated_as_prepared', 'exempted')"


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepare_basis", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("basis_decided_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("basis_reasons", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_check_constraint("prepare_basis", _BASES)
    with op.batch_alter_table("plan_letters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_letters_purpose"), type_="check")
        batch_op.create_check_constraint("purpose", "purpose IN ('agreed_period', 'prepare_basis')")


def downgrade() -> None:
    op.execute("DELETE FROM plan_letters WHERE purpose = 'prepare_basis'")
    with op.batch_alter_table("plan_letters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_letters_purpose"), type_="check")
        batch_op.create_check_constraint("purpose", "purpose IN ('agreed_period')")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plans_prepare_basis"), type_="check")
        batch_op.drop_column("basis_reasons")
        batch_op.drop_column("basis_decided_on")
        batch_op.drop_column("prepare_basis")
