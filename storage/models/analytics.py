"""Members' activity days (migration 0005)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, community_key


class MemberActivity(Base):
    """One row per member, group and local day the member was active: what
    DAU/WAU/MAU and cohort retention are counted from."""

    __tablename__ = "member_activity"
    __table_args__ = (Index(None, "community", "day"),)

    community: Mapped[str] = community_key()
    group_key: Mapped[str] = mapped_column(primary_key=True)
    member_key: Mapped[str] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
