"""The entry gate and the overflow planner's state (migration 0007)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, community_key


class EntryInvite(Base):
    """An entry invite handed out and not used yet: it holds a place."""

    __tablename__ = "entry_invites"

    community: Mapped[str] = community_key()
    member_key: Mapped[str] = mapped_column(primary_key=True)
    group_key: Mapped[str]
    expires_at: Mapped[datetime]


class EntryStage(Base):
    """A newcomer in the entry gate: answering a captcha, waiting for a
    moderator, or blocked for a while after failing."""

    __tablename__ = "entry_stages"

    community: Mapped[str] = community_key()
    member_key: Mapped[str] = mapped_column(primary_key=True)
    stage: Mapped[str]
    at: Mapped[datetime]
    user_name: Mapped[str]
    username: Mapped[str | None]
    expires_at: Mapped[datetime | None]
    answers: Mapped[str] = mapped_column(Text)
    tries_left: Mapped[int]
    request_key: Mapped[str | None]
    joined_key: Mapped[str | None]


class OverflowNote(Base):
    """What the planner remembers so as not to act or speak twice."""

    __tablename__ = "overflow_notes"

    community: Mapped[str] = community_key()
    key: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[int]
    at: Mapped[datetime]
