"""Spam samples, members' reports, the review queue and risk alerts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.models (see 0001).
_TIMESTAMP = sa.DateTime(timezone=True)
_SAMPLE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _in_community(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community"], ["communities.slug"], name=f"fk_{table}_community_communities"
    )


def upgrade() -> None:
    op.create_table(
        "spam_samples",
        sa.Column("id", _SAMPLE_ID, autoincrement=True, nullable=False),
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("added_by", sa.String(), nullable=True),
        sa.Column("member_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_spam_samples"),
        _in_community("spam_samples"),
    )
    op.create_index("ix_spam_samples_community_label", "spam_samples", ["community", "label"])
    op.create_table(
        "flags",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", _TIMESTAMP, nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("community", "id", name="pk_flags"),
        _in_community("flags"),
    )
    op.create_index("ix_flags_community_status", "flags", ["community", "status"])
    op.create_table(
        "reports",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("flag_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reporter_key", sa.String(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("community", "flag_id", "reporter_key", name="pk_reports"),
        _in_community("reports"),
    )
    op.create_table(
        "risk_alerts",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("community", "id", name="pk_risk_alerts"),
        _in_community("risk_alerts"),
    )


def downgrade() -> None:
    op.drop_table("risk_alerts")
    op.drop_table("reports")
    op.drop_index("ix_flags_community_status", table_name="flags")
    op.drop_table("flags")
    op.drop_index("ix_spam_samples_community_label", table_name="spam_samples")
    op.drop_table("spam_samples")
