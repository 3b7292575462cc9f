"""Road closures carry the closed stretch's coordinates; plan versions keep each team's
route line (along the roads or straight), made once per version.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("field_updates") as batch:
        batch.add_column(sa.Column("road_points", sa.JSON(), nullable=True))
    op.create_table(
        "plan_route_lines",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("geometry", sa.String(length=20), nullable=False),
        sa.Column("line", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_route_lines_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "team_id", name=op.f("pk_plan_route_lines")),
    )


def downgrade() -> None:
    op.drop_table("plan_route_lines")
    with op.batch_alter_table("field_updates") as batch:
        batch.drop_column("road_points")
