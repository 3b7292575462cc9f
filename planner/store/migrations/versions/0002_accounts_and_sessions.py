"""Accounts and sessions: LTO and team accounts belong to one mission; wrong passwords are
counted per client, per account and client and per account (no account-wide lock any
more); sessions get a one-time ticket for the browser's cookie; a random key for keyed
hashes of typed names.

Existing LTO and team accounts without a mission are bound to the store's only mission;
when the store holds none or several, the upgrade stops and says which accounts to bind
(`planner users set-mission NAME --mission ID`) or remove.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from planner.store.errors import AccountsWithoutMission

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _bind_accounts_to_their_mission(conn: sa.Connection) -> None:
    unbound = list(
        conn.execute(
            sa.text(
                "SELECT username FROM users WHERE role IN ('lto', 'team') "
                "AND mission_id IS NULL ORDER BY username"
            )
        ).scalars()
    )
    if not unbound:
        return
    missions = conn.execute(sa.text("SELECT id, name FROM missions ORDER BY id")).all()
    if len(missions) == 1:
        conn.execute(
            sa.text(
                "UPDATE users SET mission_id = :mission WHERE role IN ('lto', 'team') "
                "AND mission_id IS NULL"
            ),
            {"mission": missions[0].id},
        )
        return
    names = ", ".join(unbound)
    if missions:
        stored = "; ".join(f"{m.id} {m.name!r}" for m in missions)
        fix = (
            f"the store holds {len(missions)} missions ({stored}). Bind each account to its "
            "mission with `planner users set-mission NAME --mission ID`, or remove it with "
            "`planner users remove NAME`"
        )
    else:
        fix = (
            "the store holds no mission. Remove each account with `planner users remove NAME` "
            "and add it again with `--mission` once its mission is stored"
        )
    raise AccountsWithoutMission(
        f"LTO and team accounts belong to one mission, and {len(unbound)} have none "
        f"({names}): {fix}; then open the store again."
    )


def upgrade() -> None:
    _bind_accounts_to_their_mission(op.get_bind())
    with op.batch_alter_table("users") as batch:
        batch.drop_column("failed_attempts")
        batch.drop_column("locked_until")
        batch.create_check_constraint(
            op.f("ck_users_one_mission"), "role = 'coordinator' OR mission_id IS NOT NULL"
        )
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("ticket_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("ticket_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(op.f("uq_sessions_ticket_hash"), ["ticket_hash"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("name_key", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "scope IN ('client', 'pair', 'account')", name=op.f("ck_sign_in_failures_scope")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
        sa.UniqueConstraint(
            "scope", "name_key", "client", name=op.f("uq_sign_in_failures_scope_name_key_client")
        ),
    )
    keys = op.create_table(
        "store_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_keys")),
    )
    op.bulk_insert(keys, [{"name": "name_key", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("store_keys")
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(op.f("uq_sessions_ticket_hash"), type_="unique")
        batch.drop_column("ticket_expires_at")
        batch.drop_column("ticket_hash")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_one_mission"), type_="check")
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
