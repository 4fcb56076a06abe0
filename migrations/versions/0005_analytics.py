"""Analytics: member activity per day for DAU/WAU/MAU and retention cohorts,
and the daily counters of the economy and of risk.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows written before this revision read 0: hence the server default.
_COUNTERS = (
    "points_spent",
    "spam_removed",
    "reports",
    "alerts",
    "rsvps",
    "attended",
    "invites_issued",
    "invites_used",
)


def upgrade() -> None:
    with op.batch_alter_table("daily_stats") as batch:
        for name in _COUNTERS:
            batch.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "member_activity",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(
            "community", "group_key", "member_key", "day", name="pk_member_activity"
        ),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name="fk_member_activity_community_communities"
        ),
    )
    op.create_index("ix_member_activity_community_day", "member_activity", ["community", "day"])


def downgrade() -> None:
    op.drop_index("ix_member_activity_community_day", table_name="member_activity")
    op.drop_table("member_activity")
    with op.batch_alter_table("daily_stats") as batch:
        for name in reversed(_COUNTERS):
            batch.drop_column(name)
