"""Communities, groups, members, memberships, points ledger, cases, warnings, daily stats.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Types are spelled out rather than imported from storage.models: this revision
# must keep creating the schema as it was, whatever the models become later.
_TIMESTAMP = sa.DateTime(timezone=True)
_LEDGER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _in_community(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community"], ["communities.slug"], name=f"fk_{table}_community_communities"
    )


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("slug", name="pk_communities"),
    )
    op.create_table(
        "groups",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("chat_key", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("community", "chat_key", name="pk_groups"),
        _in_community("groups"),
    )
    op.create_table(
        "members",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("joined_at", _TIMESTAMP, nullable=True),
        sa.Column("last_seen", _TIMESTAMP, nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("last_checkin", sa.Date(), nullable=True),
        sa.Column("last_points_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("community", "key", name="pk_members"),
        _in_community("members"),
    )
    op.create_table(
        "memberships",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("joined_at", _TIMESTAMP, nullable=False),
        sa.Column("left_at", _TIMESTAMP, nullable=True),
        sa.Column("invite", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("community", "member_key", "group_key", name="pk_memberships"),
        _in_community("memberships"),
    )
    op.create_table(
        "points_ledger",
        sa.Column("id", _LEDGER_ID, autoincrement=True, nullable=False),
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_points_ledger"),
        sa.UniqueConstraint("community", "key", name="uq_points_ledger_community_key"),
        _in_community("points_ledger"),
    )
    op.create_index(
        "ix_points_ledger_community_member_key", "points_ledger", ["community", "member_key"]
    )
    op.create_table(
        "mod_cases",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("moderator_key", sa.String(), nullable=True),
        sa.Column("rule", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("duration", sa.String(), nullable=True),
        sa.Column("message_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("community", "id", name="pk_mod_cases"),
        _in_community("mod_cases"),
    )
    op.create_table(
        "warnings",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("community", "id", name="pk_warnings"),
        _in_community("warnings"),
    )
    op.create_table(
        "daily_stats",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("active_members", sa.Integer(), nullable=False),
        sa.Column("joins", sa.Integer(), nullable=False),
        sa.Column("leaves", sa.Integer(), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("points_issued", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community", "group_key", "day", name="pk_daily_stats"),
        _in_community("daily_stats"),
    )


def downgrade() -> None:
    op.drop_table("daily_stats")
    op.drop_table("warnings")
    op.drop_table("mod_cases")
    op.drop_index("ix_points_ledger_community_member_key", table_name="points_ledger")
    op.drop_table("points_ledger")
    op.drop_table("memberships")
    op.drop_table("members")
    op.drop_table("groups")
    op.drop_table("communities")
