"""Radiation premises (REPPIR 2019) as a kind of hazard, with the detailed emergency planning
zone the council determines (reg. 8) and the outline planning zone (reg. 9) as distances.

Revision ID: 0015_radiation_premises
Revises: 0011_exercise_evidence
Create Date: 2026-12-04 21:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_radiation_premises"
down_revision = "0011_exercise_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("depz_m", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("opz_m", sa.Float(), nullable=True))
        batch_op.drop_constraint(op.f("ck_hazards_kind"), type_="check")
        batch_op.create_check_constraint(
            "kind", "kind IN ('establishment', 'pipeline', 'radiation_premises')"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM zone_exposures WHERE zone_id IN (SELECT zones.id FROM zones JOIN hazards "
        "ON hazards.id = zones.hazard_id WHERE hazards.kind = 'radiation_premises')"
    )
    op.execute(
        "DELETE FROM zones WHERE hazard_id IN "
        "(SELECT id FROM hazards WHERE kind = 'radiation_premises')"
    )
    op.execute("DELETE FROM hazards WHERE kind = 'radiation_premises'")
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_hazards_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('establishment', 'pipeline')")
        batch_op.drop_column("opz_m")
        batch_op.drop_column("depz_m")
