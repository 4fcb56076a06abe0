"""The points economy: shop redemptions, events, RSVPs, invite links, referrals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
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
        "shop_redemptions",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("resolved_at", _TIMESTAMP, nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("community", "id", name="pk_shop_redemptions"),
        _in_community("shop_redemptions"),
    )
    op.create_table(
        "events",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("starts_at", _TIMESTAMP, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("community", "id", name="pk_events"),
        _in_community("events"),
    )
    op.create_table(
        "event_rsvps",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("community", "event_id", "member_key", name="pk_event_rsvps"),
        _in_community("event_rsvps"),
    )
    op.create_table(
        "referral_invites",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("community", "token", name="pk_referral_invites"),
        _in_community("referral_invites"),
    )
    op.create_table(
        "referrals",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("invitee_key", sa.String(), nullable=False),
        sa.Column("inviter_key", sa.String(), nullable=False),
        sa.Column("joined_at", _TIMESTAMP, nullable=False),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("base_messages", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("resolved_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("community", "invitee_key", name="pk_referrals"),
        _in_community("referrals"),
    )
    op.create_index("ix_referrals_community_inviter_key", "referrals", ["community", "inviter_key"])


def downgrade() -> None:
    op.drop_index("ix_referrals_community_inviter_key", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("referral_invites")
    op.drop_table("event_rsvps")
    op.drop_table("events")
    op.drop_table("shop_redemptions")
