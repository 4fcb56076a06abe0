"""The `schedule:` section of the community file: one entry per post.

```yaml
schedule:
  - {id: morning, cron: "0 9 * * mon-fri", content_dir: content/morning}
  - {id: tips, every: 2d, texts: [..., ...], order: shuffle}
  - {id: launch, at: "2026-03-01 10:00", text: "We launch today!", pin: true}
  - {id: digest, cron: "0 20 * * sun", builtin: weekly_digest}
```
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.timing import CronTiming, IntervalTiming, OnceTiming, Timing, parse_cron
from rules.schema import Duration

Builtin = Literal["weekly_digest", "leaderboard", "inactive_nudge", "owner_digest"]
PostId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]

# Intervals without a `start` count from here, in the post's time zone, so
# every process and every restart computes the same fire times.
_EPOCH = datetime(2000, 1, 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PollSpec(_Strict):
    question: str = Field(min_length=1, max_length=300)
    options: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=2, max_length=10
    )
    anonymous: bool = True
    multiple: bool = False


class PostSpec(_Strict):
    id: PostId
    # When: exactly one of these.
    cron: str | None = None
    every: Duration | None = None
    at: datetime | None = None
    # Where an interval starts counting (local time); fire times are start + k * every.
    start: datetime | None = None
    # The community's time zone unless set.
    timezone: str | None = None
    # What: exactly one of these.
    text: str | None = None
    texts: list[str] | None = Field(default=None, min_length=1)
    content_dir: str | None = None
    poll: PollSpec | None = None
    builtin: Builtin | None = None
    # `texts` and `content_dir` rotate: in order, or shuffled without repeats.
    order: Literal["in_order", "shuffle"] = "in_order"
    pin: bool = False
    # Chat keys (`telegram:-1001234`) or titles; every group of the community
    # (those opened later too) when not set.
    groups: list[str] | None = None
    # A run missed while the bot was down is still sent this late, else skipped.
    grace: Duration = timedelta(hours=1)
    enabled: bool = True
    # inactive_nudge: members silent for this many days get one DM.
    days: int = Field(default=14, ge=1)
    # leaderboard and weekly_digest: how many members to name.
    top: int = Field(default=5, ge=1, le=50)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            parse_cron(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @model_validator(mode="after")
    def _one_of_each(self) -> PostSpec:
        when = [k for k in ("cron", "every", "at") if getattr(self, k) is not None]
        if len(when) != 1:
            raise ValueError(
                f"schedule post {self.id!r}: give exactly one of cron, every, at"
                + (f" (not {' and '.join(when)})" if when else "")
            )
        what = [
            k
            for k in ("text", "texts", "content_dir", "poll", "builtin")
            if getattr(self, k) is not None
        ]
        if len(what) != 1:
            raise ValueError(
                f"schedule post {self.id!r}: give exactly one of text, texts, content_dir, "
                "poll, builtin" + (f" (not {' and '.join(what)})" if what else "")
            )
        return self

    def zone(self, community_tz: str) -> ZoneInfo:
        return ZoneInfo(self.timezone or community_tz)

    def timing(self, community_tz: str) -> Timing:
        tz = self.zone(community_tz)
        if self.cron is not None:
            return CronTiming(parse_cron(self.cron), tz)
        if self.every is not None:
            return IntervalTiming(self.every, _local(self.start or _EPOCH, tz))
        if self.at is not None:
            return OnceTiming(_local(self.at, tz))
        raise AssertionError("validated: one timing")


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive time is the post's local time; an aware one is kept."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def unique_post_ids(posts: list[PostSpec]) -> list[PostSpec]:
    seen: set[str] = set()
    for post in posts:
        if post.id in seen:
            raise ValueError(f"schedule post id {post.id!r} is used twice")
        seen.add(post.id)
    return posts
