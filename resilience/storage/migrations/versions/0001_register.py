"""The register: hazards, zones and exposure, wards, sensitive places, plans, users, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 07:02:21.062360
"""

import sqlalchemy as sa
from alembic import op

import resilience.storage.geometry_type

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


SPATIAL_TABLES = ("hazards", "zones", "wards", "receptors")
APPEND_ONLY = "audit_events is append-only"


def upgrade() -> None:
    postgis = op.get_bind().dialect.name == "postgresql"
    if postgis:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_entity"), ["entity"], unique=False)

    op.create_table(
        "hazards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("geometry", resilience.storage.geometry_type.Geometry(), nullable=False),
        sa.Column("inner_m", sa.Float(), nullable=True),
        sa.Column("middle_m", sa.Float(), nullable=True),
        sa.Column("outer_m", sa.Float(), nullable=True),
        sa.Column("piz_m", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=True),
        sa.Column("substances", sa.Text(), nullable=False),
        sa.Column("substance", sa.String(length=200), nullable=False),
        sa.Column("diameter_mm", sa.Float(), nullable=True),
        sa.Column("pressure_bar", sa.Float(), nullable=True),
        sa.Column("location_note", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('establishment', 'pipeline')", name=op.f("ck_hazards_kind")),
        sa.CheckConstraint(
            "tier IS NULL OR tier IN ('upper', 'lower')", name=op.f("ck_hazards_tier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazards")),
        sa.UniqueConstraint("ref", name=op.f("uq_hazards_ref")),
    )
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazards_kind"), ["kind"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("regime", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("extension_agreed", sa.Boolean(), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("last_exercised_on", sa.Date(), nullable=True),
        sa.Column("hazard_refs", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')", name=op.f("ck_plans_marking")
        ),
        sa.CheckConstraint(
            "regime IN ('comah_external', 'pipeline', 'reppir', 'cca_local')",
            name=op.f("ck_plans_regime"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("ref", name=op.f("uq_plans_ref")),
    )
    op.create_table(
        "receptors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("geometry", resilience.storage.geometry_type.Geometry(), nullable=False),
        sa.Column("location_note", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('school', 'nursery', 'care_home', 'hospital', 'other')",
            name=op.f("ck_receptors_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receptors")),
        sa.UniqueConstraint("ref", name=op.f("uq_receptors_ref")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'officer', 'planner', 'member')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "wards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lad_code", sa.String(length=20), nullable=False),
        sa.Column("lad_name", sa.String(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("geometry", resilience.storage.geometry_type.Geometry(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wards")),
        sa.UniqueConstraint("code", name=op.f("uq_wards_code")),
    )
    with op.batch_alter_table("wards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wards_min_lon"), ["min_lon"], unique=False)

    op.create_table(
        "zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("geometry", resilience.storage.geometry_type.Geometry(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("origin IN ('derived', 'imported')", name=op.f("ck_zones_origin")),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_zones_hazard_id_hazards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
        sa.UniqueConstraint("hazard_id", "kind", name="hazard_kind"),
    )
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zones_hazard_id"), ["hazard_id"], unique=False)

    op.create_table(
        "zone_exposures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=20), nullable=False),
        sa.Column("overlap_m2", sa.Float(), nullable=False),
        sa.Column("ward_share", sa.Float(), nullable=True),
        sa.Column("zone_share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["zones.id"],
            name=op.f("fk_zone_exposures_zone_id_zones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_exposures")),
        sa.UniqueConstraint("zone_id", "ward_code", name="zone_ward"),
    )
    with op.batch_alter_table("zone_exposures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_zone_exposures_ward_code"), ["ward_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_zone_exposures_zone_id"), ["zone_id"], unique=False)
    if postgis:
        for table in SPATIAL_TABLES:
            op.execute(f"CREATE INDEX ix_{table}_geometry ON {table} USING gist (geometry)")
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    with op.batch_alter_table("zone_exposures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zone_exposures_zone_id"))
        batch_op.drop_index(batch_op.f("ix_zone_exposures_ward_code"))

    op.drop_table("zone_exposures")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zones_hazard_id"))

    op.drop_table("zones")
    with op.batch_alter_table("wards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wards_min_lon"))

    op.drop_table("wards")
    op.drop_table("users")
    op.drop_table("receptors")
    op.drop_table("plans")
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazards_kind"))

    op.drop_table("hazards")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_entity"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
