"""`entry:` the entry gate (入群门槛): captcha, approval, minimum points."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.config.base import Strict
from rules.schema import Duration


class EntryQuestion(Strict):
    question: str = Field(min_length=1)
    # Any of these, compared without case and surrounding spaces.
    answers: list[str] = Field(min_length=1)


# Where the bot can bill a member itself (the console plays Telegram's Stars).
PAYING_PLATFORMS = ("telegram", "console")


class FeeConfig(Strict):
    """An entry fee (入群费): paid before the invite, in Telegram Stars."""

    stars: int = Field(ge=1, le=10000)
    # What the invoice says; the catalogue's words when not given.
    title: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, max_length=255)
    # Where a fee is asked: platforms that take payments (Telegram's Stars;
    # the console plays one). On Discord the server's own paid role opens
    # the entry instead (docs/members.md).
    platforms: list[str] = Field(default_factory=lambda: ["telegram"])

    @field_validator("platforms")
    @classmethod
    def _paying(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in PAYING_PLATFORMS:
                raise ValueError(
                    f"{name!r} takes no payments from the bot (use {list(PAYING_PLATFORMS)};"
                    " on Discord a paid role opens the entry, see docs/members.md)"
                )
        return value


class EntryConfig(Strict):
    """The entry gate (入群门槛): what a newcomer passes before the invite."""

    # none, button (send back the one emoji named), arithmetic, or questions.
    captcha: Literal["none", "button", "arithmetic", "questions"] = "none"
    timeout: Duration = timedelta(minutes=5)
    attempts: int = Field(default=3, ge=1)
    questions: list[EntryQuestion] = Field(default_factory=list)
    # Passed newcomers wait for a moderator's /admit or /deny.
    approval: bool = False
    min_points: int = Field(default=0, ge=0)
    # How long a single-use entry invite stays valid (and holds its place).
    invite_ttl: Duration = timedelta(minutes=10)
    # An entry fee, asked after the captcha and the approval.
    fee: FeeConfig | None = None

    @model_validator(mode="after")
    def _questions(self) -> EntryConfig:
        if self.captcha == "questions" and not self.questions:
            raise ValueError("questions: the questions captcha needs at least one question")
        return self

    @property
    def gated(self) -> bool:
        return (
            self.captcha != "none" or self.approval or self.min_points > 0 or self.fee is not None
        )
