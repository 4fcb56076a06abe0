"""Update cursors: the last Telegram update_id handled, stored in the same
transaction as its effects, so a redelivered update is handled exactly once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_cursors",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("community", "platform", name="pk_platform_cursors"),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name="fk_platform_cursors_community_communities"
        ),
    )


def downgrade() -> None:
    op.drop_table("platform_cursors")
