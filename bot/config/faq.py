"""`faq:` owner-written answers to the questions members keep asking."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field, field_validator, model_validator

from bot.config.base import Locale, Strict
from rules.schema import Duration

# Short and plain: an entry's id travels in a button's data (64 bytes on Telegram).
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")


class FaqEntry(Strict):
    id: str
    # Several phrasings, in either language; a member's question is compared with each.
    questions: list[str] = Field(min_length=1)
    # The answer by language; a member gets theirs, else the community's, else any.
    answer: dict[Locale, str] = Field(min_length=1)
    # Watched words (risk.monitors.keywords) this entry answers: a keyword
    # alert carries it as a prepared answer.
    keywords: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("an id is 1-24 lowercase letters, digits, - or _")
        return value

    @field_validator("questions")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        if any(not q.strip() for q in value):
            raise ValueError("a question is empty")
        return value


class FaqConfig(Strict):
    enabled: bool = True
    # Entries written here, and files (YAML lists of entries, or Markdown
    # with front matter) beside the config file: a file or a folder each.
    entries: list[FaqEntry] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    # How alike a question must be to a phrasing to be answered (0-1).
    threshold: float = Field(default=0.6, gt=0, le=1)
    # Suggestions for moderators may be less alike.
    suggest_threshold: float = Field(default=0.3, gt=0, le=1)
    # The same entry is answered at most once per group within this span,
    # and a group gets at most `per_hour` answers an hour.
    cooldown: Duration = timedelta(minutes=10)
    per_hour: int = Field(default=6, ge=1)

    @model_validator(mode="after")
    def _unique(self) -> FaqConfig:
        seen: set[str] = set()
        for i, entry in enumerate(self.entries):
            if entry.id in seen:
                raise ValueError(f"entries.{i}.id: {entry.id!r} is used twice")
            seen.add(entry.id)
        return self
