"""The processes serving communities from this database (`fleet_processes`):
a heartbeat row per `groupkeeper run` process, which the processes read to
share the communities evenly (adapters/ops/balance.py).

Revision ID: 0013_fleet
Revises: 0012_forget
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_fleet"
down_revision: str | None = "0012_forget"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fleet_processes",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("fleet", sa.String(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("owned", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fleet_processes"),
    )
    op.create_index("ix_fleet_processes_fleet", "fleet_processes", ["fleet"])


def downgrade() -> None:
    op.drop_index("ix_fleet_processes_fleet", table_name="fleet_processes")
    op.drop_table("fleet_processes")
