"""REPPIR 2019 reg. 12(3): the dates the regulator agreed in writing that a plan's review and
test may take place by, after three years, each with its letter kept as a plan letter.

Revision ID: 0014_reppir_extension
Revises: 0013_prepare_basis
Create Date: 2026-12-04 20:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_reppir_extension"
down_revision = "0013_prepare_basis"
branch_labels = None
depends_on = None

_PURPOSES = "purpose IN ('agreed_period', 'prepare_basis', 'reppir_extension')"


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_extended_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("exercise_extended_to", sa.Date(), nullable=True))
    with op.batch_alter_table("plan_letters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_letters_purpose"), type_="check")
        batch_op.create_check_constraint("purpose", _PURPOSES)


def downgrade() -> None:
    op.execute("DELETE FROM plan_letters WHERE purpose = 'reppir_extension'")
    with op.batch_alter_table("plan_letters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_plan_letters_purpose"), type_="check")
        batch_op.create_check_constraint("purpose", "purpose IN ('agreed_period', 'prepare_basis')")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("exercise_extended_to")
        batch_op.drop_column("review_extended_to")
