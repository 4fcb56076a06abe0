"""The processes serving communities from one database (migration 0013):
one row per live `groupkeeper run` process, written again every few
seconds, so each process can tell how many share its communities and how
many each owns. It decides balance only: who may serve a community is still
its lock's word (`adapters.ops.ownership`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class FleetProcess(Base):
    __tablename__ = "fleet_processes"

    id: Mapped[str] = mapped_column(primary_key=True)
    # Processes with the same set of communities balance with each other.
    fleet: Mapped[str] = mapped_column(index=True)
    host: Mapped[str]
    pid: Mapped[int]
    # The slugs it owns now, comma-separated.
    owned: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
