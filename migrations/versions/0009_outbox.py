"""The transactional outbox: the actions an event produced, stored in the
same transaction as its effects and sent after the commit; on start the ones
not marked sent are sent.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("community", "key", name="pk_outbox"),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name="fk_outbox_community_communities"
        ),
    )


def downgrade() -> None:
    op.drop_table("outbox")
