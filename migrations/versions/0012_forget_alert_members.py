"""The members each risk alert names (`risk_alert_members`): an erasure
(`/forgetme`) finds the alerts about a member by key and rewrites their
texts. Alerts stored before this revision name no one here; an erasure
searches those by how the member is shown (bot/features/risk/alert_names.py).

Revision ID: 0012_forget
Revises: 0011_21b
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_forget"
down_revision: str | None = "0011_21b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_alert_members",
        sa.Column("community", sa.String(), nullable=False),
        sa.Column("alert_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_key", sa.String(), nullable=False),
        sa.Column("shown", sa.String(), nullable=False),
        sa.Column("quoted", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "community", "alert_id", "member_key", name="pk_risk_alert_members"
        ),
        sa.ForeignKeyConstraint(
            ["community"],
            ["communities.slug"],
            name="fk_risk_alert_members_community_communities",
        ),
        sa.ForeignKeyConstraint(
            ["community", "alert_id"],
            ["risk_alerts.community", "risk_alerts.id"],
            name="fk_risk_alert_members_community_risk_alerts",
        ),
    )
    op.create_index(
        "ix_risk_alert_members_community_member_key",
        "risk_alert_members",
        ["community", "member_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_risk_alert_members_community_member_key", table_name="risk_alert_members")
    op.drop_table("risk_alert_members")
