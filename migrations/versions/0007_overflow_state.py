"""The entry gate and the overflow planner survive restarts: entry invites that
hold places, open captchas with their deadlines, the approval queue, blocks
after failed captchas, and the planner's notes (warnings given, a clone asked
for).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
        "entry_invites",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        *_community_key("entry_invites", "member_key"),
    )
    op.create_table(
        "entry_stages",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("expires_at", _TIMESTAMP, nullable=True),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("tries_left", sa.Integer(), nullable=False),
        sa.Column("request_key", sa.String(), nullable=True),
        sa.Column("joined_key", sa.String(), nullable=True),
        *_community_key("entry_stages", "member_key"),
    )
    op.create_table(
        "overflow_notes",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        *_community_key("overflow_notes", "key"),
    )


def downgrade() -> None:
    op.drop_table("overflow_notes")
    op.drop_table("entry_stages")
    op.drop_table("entry_invites")
