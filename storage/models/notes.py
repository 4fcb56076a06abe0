"""Small records the community-operations features keep (migration 0010_21a):
season archives and honours, notice pins, polls, feedback. Each is a JSON
document under (community, kind, key); claiming a key is the exactly-once
point (a season closes once, whatever restarts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, community_key


class FeatureNote(Base):
    __tablename__ = "feature_notes"

    community: Mapped[str] = community_key()
    kind: Mapped[str] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
