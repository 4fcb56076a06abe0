"""Scheduled posts and their runs (migration 0003)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, community_key


class ScheduledPost(Base):
    __tablename__ = "scheduled_posts"

    community: Mapped[str] = community_key()
    id: Mapped[str] = mapped_column(primary_key=True)
    source: Mapped[str]
    cursor: Mapped[datetime | None]
    fired: Mapped[int]
    paused: Mapped[bool]
    cron: Mapped[str | None]
    text: Mapped[str | None] = mapped_column(Text)
    groups: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None]
    created_at: Mapped[datetime | None]


class PostRun(Base):
    __tablename__ = "post_runs"

    # The primary key is the exactly-once key: one post, one group, one fire time.
    community: Mapped[str] = community_key()
    post_id: Mapped[str] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(primary_key=True)
    fire_time: Mapped[datetime] = mapped_column(primary_key=True)
    status: Mapped[str]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime | None]
