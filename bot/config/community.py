"""`community:` who the community is, its language, time zone, owners and log chat."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from bot.config.base import Locale, Ref, Strict, locale_of


class CommunityConfig(Strict):
    name: str = Field(min_length=1)
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    language: str = "en"
    timezone: str = "UTC"
    # Members by platform id (`telegram:1001`) who own or moderate every group.
    owners: list[Ref] = Field(default_factory=list)
    moderators: list[Ref] = Field(default_factory=list)
    # Where moderators hear about actions, failures and alerts.
    log_chat: Ref | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if locale_of(value) is None:
            raise ValueError(f"unsupported language {value!r} (use en or zh-CN)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @property
    def locale(self) -> Locale:
        return locale_of(self.language) or "en"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
