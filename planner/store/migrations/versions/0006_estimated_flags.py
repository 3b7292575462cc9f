"""What `planner init` estimated, kept with the mission: the fields of each station filled
in by a rule (`stations.estimated`) and commission seats estimated from their stations
(`commissions.approximate`), for the app and the exports to show.

Stations and commissions stored before carry no estimate.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild would drop and copy the tables, and dropping
    # commissions cascades to their stations on SQLite.
    op.add_column(
        "stations", sa.Column("estimated", sa.JSON(), server_default="[]", nullable=False)
    )
    op.add_column(
        "commissions",
        sa.Column("approximate", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("commissions", "approximate")
    op.drop_column("stations", "estimated")
