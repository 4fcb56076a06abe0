"""Lifetime points and the community-operations notes: the ledger marks
spending (a redemption, its refund) so levels follow the points earned, not
the balance; existing redemptions and refunds are marked (the backfill).
Daily stats count poll voters. `feature_notes` keeps seasons, honours,
notice pins, polls and feedback.

Revision ID: 0010_21a
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_21a"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The shop's ledger reasons for spending and refunds (bot/features/economy/shop.py).
_SPENDING = ("redeem", "refund")


def upgrade() -> None:
    with op.batch_alter_table("daily_stats") as batch:
        batch.add_column(sa.Column("poll_votes", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("points_ledger") as batch:
        batch.add_column(
            sa.Column("spent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    ledger = sa.table("points_ledger", sa.column("reason", sa.String()), sa.column("spent"))
    op.execute(ledger.update().where(ledger.c.reason.in_(_SPENDING)).values(spent=True))
    op.create_table(
        "feature_notes",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community", "kind", "key", name="pk_feature_notes"),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name="fk_feature_notes_community_communities"
        ),
    )


def downgrade() -> None:
    op.drop_table("feature_notes")
    with op.batch_alter_table("points_ledger") as batch:
        batch.drop_column("spent")
    with op.batch_alter_table("daily_stats") as batch:
        batch.drop_column("poll_votes")
