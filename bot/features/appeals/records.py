"""An appeal against one moderation case, and what the moderators decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


@dataclass(slots=True)
class AppealRecord:
    community: str
    id: int
    member_key: str
    # One appeal per case: the case is what is appealed.
    case_id: int
    at: datetime
    reason: str
    status: str = PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    # The moderator's note (accepted) or the reason sent back (rejected).
    answer: str = ""
