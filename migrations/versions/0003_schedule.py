"""Scheduled content: posts defined from chat, and one row per run (exactly once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.models (see 0001).
_TIMESTAMP = sa.DateTime(timezone=True)


def _in_community(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community"], ["communities.slug"], name=f"fk_{table}_community_communities"
    )


def upgrade() -> None:
    op.create_table(
        "scheduled_posts",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("cursor", _TIMESTAMP, nullable=True),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("cron", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("groups", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("community", "id", name="pk_scheduled_posts"),
        _in_community("scheduled_posts"),
    )
    op.create_table(
        "post_runs",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("post_id", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("fire_time", _TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint(
            "community", "post_id", "group_key", "fire_time", name="pk_post_runs"
        ),
        _in_community("post_runs"),
    )


def downgrade() -> None:
    op.drop_table("post_runs")
    op.drop_table("scheduled_posts")
