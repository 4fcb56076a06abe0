"""`notice:` the community's announcement (群公告), pinned in every group and
kept fresh."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from bot.config.base import Strict
from rules.schema import Duration


class NoticeConfig(Strict):
    # The text, or a Markdown file beside the config (`file` wins).
    text: str = ""
    file: str | None = None
    # Re-posted and re-pinned when the pin is older than this.
    refresh: Duration = timedelta(days=7)
    # Chat keys; unset: every group, later ones too.
    groups: list[str] | None = None

    @model_validator(mode="after")
    def _something(self) -> NoticeConfig:
        if not self.text.strip() and not self.file:
            raise ValueError("give the notice a text or a file")
        if self.refresh < timedelta(hours=1):
            raise ValueError("refresh: at least 1h")
        return self


class PollsConfig(Strict):
    # How long a /poll stays open without `for 2d`, and at most.
    default_for: Duration = timedelta(days=1)
    max_for: Duration = timedelta(days=30)
    anonymous: bool = True


class FeedbackConfig(Strict):
    enabled: bool = True
    # Feedback messages a member may send per local day.
    per_day: int = Field(default=3, ge=1, le=50)
