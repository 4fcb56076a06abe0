"""Risk follow-up: alerts acknowledged (and reminders until then), one daily
risk summary per day, and raid lockdowns.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.models (see 0001).
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("risk_alerts") as batch:
        batch.add_column(sa.Column("acked_at", _TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("acked_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("reminders", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("reminded_at", _TIMESTAMP, nullable=True))
    op.create_table(
        "risk_summaries",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("community", "day", name="pk_risk_summaries"),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name="fk_risk_summaries_community_communities"
        ),
    )
    op.create_table(
        "lockdowns",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("started_at", _TIMESTAMP, nullable=False),
        sa.Column("started_by", sa.String(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("slow_mode", sa.Integer(), nullable=False),
        sa.Column("muted", sa.Text(), nullable=False),
        sa.Column("lift_at", _TIMESTAMP, nullable=True),
        sa.Column("lifted_at", _TIMESTAMP, nullable=True),
        sa.Column("lifted_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("community", "id", name="pk_lockdowns"),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name="fk_lockdowns_community_communities"
        ),
    )
    op.create_index("ix_lockdowns_community_lifted_at", "lockdowns", ["community", "lifted_at"])


def downgrade() -> None:
    op.drop_index("ix_lockdowns_community_lifted_at", table_name="lockdowns")
    op.drop_table("lockdowns")
    op.drop_table("risk_summaries")
    with op.batch_alter_table("risk_alerts") as batch:
        for name in ("reminded_at", "reminders", "acked_by", "acked_at"):
            batch.drop_column(name)
