"""Appeals against moderation cases (one per case), and payments members made
(entry fees in Telegram Stars, with their refunds).

Revision ID: 0011_21b
Revises: 0010_21a
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_21b"
down_revision: str | None = "0010_21a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.models (see 0001).
_TIMESTAMP = sa.DateTime(timezone=True)


def _community_key(table: str, *key: str) -> list[sa.SchemaItem]:
    return [
        sa.PrimaryKeyConstraint("community", *key, name=f"pk_{table}"),
        sa.ForeignKeyConstraint(
            ["community"], ["communities.slug"], name=f"fk_{table}_community_communities"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("decided_at", _TIMESTAMP, nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        *_community_key("appeals", "id"),
    )
    op.create_index("ix_appeals_community_member_key", "appeals", ["community", "member_key"])
    op.create_table(
        "payments",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("charge", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("refunded_at", _TIMESTAMP, nullable=True),
        *_community_key("payments", "charge"),
    )
    op.create_index("ix_payments_community_member_key", "payments", ["community", "member_key"])


def downgrade() -> None:
    op.drop_index("ix_payments_community_member_key", table_name="payments")
    op.drop_table("payments")
    op.drop_index("ix_appeals_community_member_key", table_name="appeals")
    op.drop_table("appeals")
