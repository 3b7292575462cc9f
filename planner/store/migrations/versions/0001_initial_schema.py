"""Initial schema: missions and their geography, users, sessions, audit log, plan
versions and their stops, field updates.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "missions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("settings_toml", sa.Text(), nullable=False),
        sa.Column("outline_wkb", sa.LargeBinary(), nullable=True),
        sa.Column("teams_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
    )
    op.create_table(
        "areas",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_ids", sa.JSON(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_areas_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", "area_id", name=op.f("pk_areas")),
    )
    op.create_table(
        "commissions",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("tec_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_commissions_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", "tec_id", name=op.f("pk_commissions")),
    )
    op.create_index(
        op.f("ix_commissions_mission_id_area_id"), "commissions", ["mission_id", "area_id"]
    )
    op.create_table(
        "regions",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_regions_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", "region_id", name=op.f("pk_regions")),
    )
    op.create_index(op.f("ix_regions_mission_id_area_id"), "regions", ["mission_id", "area_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("area_ids", sa.JSON(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role <> 'team' OR team_id IS NOT NULL", name=op.f("ck_users_team_has_team")
        ),
        sa.CheckConstraint("role IN ('coordinator', 'lto', 'team')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_users_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_table(
        "districts",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission_id", "region_id"],
            ["regions.mission_id", "regions.region_id"],
            name=op.f("fk_districts_mission_id_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_districts_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", "district_id", name=op.f("pk_districts")),
    )
    op.create_index(op.f("ix_districts_mission_id_area_id"), "districts", ["mission_id", "area_id"])
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("time_limit_s", sa.Double(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("stop_count", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_plan_versions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_plan_versions_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_versions_parent_id_plan_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
    )
    op.create_index(op.f("ix_plan_versions_mission_id"), "plan_versions", ["mission_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    op.create_table(
        "stations",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("tec_id", sa.String(length=64), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("setting", sa.String(length=20), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission_id", "tec_id"],
            ["commissions.mission_id", "commissions.tec_id"],
            name=op.f("fk_stations_mission_id_tec_id_commissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_stations_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", "station_id", name=op.f("pk_stations")),
    )
    op.create_index(op.f("ix_stations_mission_id_area_id"), "stations", ["mission_id", "area_id"])
    op.create_table(
        "teams",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("base_name", sa.String(length=300), nullable=False),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.CheckConstraint("kind IN ('sto', 'lto')", name=op.f("ck_teams_kind")),
        sa.ForeignKeyConstraint(
            ["mission_id", "area_id"],
            ["areas.mission_id", "areas.area_id"],
            name=op.f("fk_teams_mission_id_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_teams_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", "team_id", name=op.f("pk_teams")),
    )
    op.create_index(op.f("ix_teams_mission_id_area_id"), "teams", ["mission_id", "area_id"])
    op.create_table(
        "field_updates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("place_a", sa.String(length=64), nullable=True),
        sa.Column("place_b", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolved_version_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "kind IN ('station_closed', 'station_moved', 'station_inaccessible', "
            "'road_closed', 'note')",
            name=op.f("ck_field_updates_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'applied', 'dismissed')", name=op.f("ck_field_updates_status")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_field_updates_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_field_updates_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_field_updates_resolved_version_id_plan_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_updates")),
    )
    op.create_index(op.f("ix_field_updates_mission_id"), "field_updates", ["mission_id"])
    op.create_index(
        op.f("ix_field_updates_mission_id_area_id_status"),
        "field_updates",
        ["mission_id", "area_id", "status"],
    )
    op.create_table(
        "plan_stops",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("site_type", sa.String(length=20), nullable=False),
        sa.Column("arrive", sa.String(length=40), nullable=False),
        sa.Column("depart", sa.String(length=40), nullable=False),
        sa.Column("travel_min", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_stops_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_stops")),
    )
    op.create_index(
        op.f("ix_plan_stops_version_id_area_id"), "plan_stops", ["version_id", "area_id"]
    )
    op.create_index(
        op.f("ix_plan_stops_version_id_team_id"), "plan_stops", ["version_id", "team_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_stops_version_id_team_id"), table_name="plan_stops")
    op.drop_index(op.f("ix_plan_stops_version_id_area_id"), table_name="plan_stops")
    op.drop_table("plan_stops")
    op.drop_index(op.f("ix_field_updates_mission_id_area_id_status"), table_name="field_updates")
    op.drop_index(op.f("ix_field_updates_mission_id"), table_name="field_updates")
    op.drop_table("field_updates")
    op.drop_index(op.f("ix_teams_mission_id_area_id"), table_name="teams")
    op.drop_table("teams")
    op.drop_index(op.f("ix_stations_mission_id_area_id"), table_name="stations")
    op.drop_table("stations")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
    op.drop_index(op.f("ix_plan_versions_mission_id"), table_name="plan_versions")
    op.drop_table("plan_versions")
    op.drop_index(op.f("ix_districts_mission_id_area_id"), table_name="districts")
    op.drop_table("districts")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("users")
    op.drop_index(op.f("ix_regions_mission_id_area_id"), table_name="regions")
    op.drop_table("regions")
    op.drop_index(op.f("ix_commissions_mission_id_area_id"), table_name="commissions")
    op.drop_table("commissions")
    op.drop_table("areas")
    op.drop_table("missions")
