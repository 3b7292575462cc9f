"""The store's tables, as typed SQLAlchemy models.

Portable across SQLite and PostgreSQL: geometries are WKB bytes (no PostGIS), JSON
columns are plain JSON, times are stored in UTC. Per-mission things (stations, TECs,
areas, teams, regions, districts) are keyed by (mission_id, their own id) and keep their
order in `position`, so a stored mission comes back exactly as it went in. Every row that
belongs to an area of responsibility carries its `area_id`, so role filters are plain
WHERE clauses.

Changing a table means a new Alembic revision in `planner/store/migrations/versions`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from planner.field_status import REPORT_KINDS, REPORT_STATES, ReportState

ROLES = ("coordinator", "lto", "team")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as UTC (SQLite keeps no zone; PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- missions and their geography --------------------------------------------------------


class Mission(Base):
    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100), default="")
    settings_toml: Mapped[str] = mapped_column(Text)
    outline_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Optimistic lock for the teams table: bumped by every accepted teams edit.
    teams_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class Region(Base):
    __tablename__ = "regions"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name_en: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str] = mapped_column(String(64))
    area_id: Mapped[str | None] = mapped_column(String(64))
    geometry_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (Index(None, "mission_id", "area_id"),)


class District(Base):
    __tablename__ = "districts"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[str | None] = mapped_column(String(64))
    geometry_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "region_id"],
            ["regions.mission_id", "regions.region_id"],
            ondelete="CASCADE",
        ),
        Index(None, "mission_id", "area_id"),
    )


class Area(Base):
    __tablename__ = "areas"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    region_ids: Mapped[list[str]] = mapped_column(JSON)
    geometry_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    # An area made of whole districts lists them here (they belong to it whatever their
    # region); empty for areas made of regions.
    district_ids: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class Commission(Base):
    __tablename__ = "commissions"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    tec_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    tz: Mapped[str] = mapped_column(String(64))
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    area_id: Mapped[str | None] = mapped_column(String(64))
    # The seat is estimated from its stations (`planner init`), not given.
    approximate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (Index(None, "mission_id", "area_id"),)


class Station(Base):
    __tablename__ = "stations"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    station_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    region: Mapped[str] = mapped_column(String(64))
    district: Mapped[str] = mapped_column(String(64), default="")
    tec_id: Mapped[str] = mapped_column(String(64))
    voters: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    setting: Mapped[str] = mapped_column(String(20))
    tz: Mapped[str] = mapped_column(String(64))
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    # None for stations abroad: they belong to no area, so only coordinators see them.
    area_id: Mapped[str | None] = mapped_column(String(64))
    # Placed at its commission for lack of coordinates (see `Rules.route_unlocated_stations`).
    unlocated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The fields `planner init` estimated (`model.ESTIMATED_FIELDS`).
    estimated: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "tec_id"],
            ["commissions.mission_id", "commissions.tec_id"],
            ondelete="CASCADE",
        ),
        Index(None, "mission_id", "area_id"),
    )


class Team(Base):
    __tablename__ = "teams"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    area_id: Mapped[str | None] = mapped_column(String(64))
    base_name: Mapped[str] = mapped_column(String(300), default="")
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)

    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "area_id"],
            ["areas.mission_id", "areas.area_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(_in("kind", ("sto", "lto")), name="kind"),
        Index(None, "mission_id", "area_id"),
    )


# --- people ---------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    # None: no local password (signs in through the organisation's identity provider).
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    area_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    team_id: Mapped[str | None] = mapped_column(String(64))
    # LTO and team accounts belong to exactly one mission; a coordinator's None means
    # every stored mission.
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("role <> 'team' OR team_id IS NOT NULL", name="team_has_team"),
        CheckConstraint("role = 'coordinator' OR mission_id IS NOT NULL", name="one_mission"),
    )


class UserSession(Base):
    """A signed-in browser: the cookie holds the token, the store only its SHA-256.

    `ticket_hash`: a one-time ticket, valid until `ticket_expires_at`, that the browser
    swaps for the session cookie right after signing in.
    """

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20), default="password")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInFailure(Base):
    """Wrong passwords counted per client, per account and client, and per account.

    `name_key` is a keyed hash of the typed username (never the name itself: it may be a
    password typed into the wrong field); `client` the network address ("" when the row
    is about an account alone, and for the account row).
    """

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(10))
    name_key: Mapped[str] = mapped_column(String(32), default="")
    client: Mapped[str] = mapped_column(String(64), default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("scope", "name_key", "client"),
        CheckConstraint(_in("scope", ("client", "pair", "account")), name="scope"),
    )


class StoreKey(Base):
    """Random keys made when the store is created (e.g. for keyed hashes of names)."""

    __tablename__ = "store_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The name is kept as written: the entry outlives the account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    mission_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- plans and field updates -------------------------------------------------------------


class PlanVersion(Base):
    """One saved plan; never changed after saving, except for being published."""

    __tablename__ = "plan_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"))
    seed: Mapped[int] = mapped_column(BigInteger)
    time_limit_s: Mapped[float] = mapped_column(Double)
    # Areas re-planned in this version (the rest copied from the parent); None: all.
    areas: Mapped[list[str] | None] = mapped_column(JSON)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stop_count: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(200))


class PlanStop(Base):
    """One line of a team's schedule in one plan version (a row of visits.csv)."""

    __tablename__ = "plan_stops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(64))
    # The team's area when the plan was saved: what LTO filters match.
    area_id: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[str] = mapped_column(String(64))
    site_type: Mapped[str] = mapped_column(String(20))
    arrive: Mapped[str] = mapped_column(String(40))  # local ISO 8601 with offset
    depart: Mapped[str] = mapped_column(String(40))
    travel_min: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)

    __table_args__ = (
        Index(None, "version_id", "area_id"),
        Index(None, "version_id", "team_id"),
    )


class PlanRouteLine(Base):
    """A team's route line in one plan version (`planner.route_lines.TeamLine.to_json`):
    along the roads or straight, made once when the version is first drawn."""

    __tablename__ = "plan_route_lines"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    geometry: Mapped[str] = mapped_column(String(20))  # roads | straight_line
    line: Mapped[dict[str, Any]] = mapped_column(JSON)


class FieldUpdate(Base):
    """A correction from the field: closed/moved/inaccessible station, closed road, note."""

    __tablename__ = "field_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("missions.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    station_id: Mapped[str | None] = mapped_column(String(64))
    place_a: Mapped[str | None] = mapped_column(String(64))
    place_b: Mapped[str | None] = mapped_column(String(64))
    lat: Mapped[float | None] = mapped_column(Double)
    lon: Mapped[float | None] = mapped_column(Double)
    # A closed road: [[lon, lat], ...] along the closed stretch (its two ends at least).
    road_points: Mapped[list[list[float]] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=ReportState.OPEN.value)
    resolved_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(_in("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(_in("status", REPORT_STATES), name="status"),
        Index(None, "mission_id", "area_id", "status"),
    )
