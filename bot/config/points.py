"""`points:` check-in, message and reaction points, levels, shop, events, referrals."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator

from bot.config.base import Strict
from rules.schema import ClockTime, Duration


class CheckinConfig(Strict):
    base: int = Field(default=10, ge=0)
    # Streak length -> bonus added every day once the streak has reached it
    # (the highest threshold reached counts). 连续签到奖励.
    streak: dict[int, int] = Field(default_factory=dict)
    # Plain words that count as /checkin when sent alone.
    words: list[str] = Field(default_factory=lambda: ["签到", "打卡"])
    # The owner's own reply, with {name} {points} {bonus} {streak} {balance} {rank};
    # unset: the catalogue's, in the member's language.
    reply: str | None = None

    @field_validator("streak")
    @classmethod
    def _streak(cls, value: dict[int, int]) -> dict[int, int]:
        for days, bonus in value.items():
            if days < 1 or bonus < 0:
                raise ValueError("streak days must be >= 1 and bonuses >= 0")
        return dict(sorted(value.items()))

    def bonus(self, streak: int) -> int:
        reached = [b for d, b in self.streak.items() if d <= streak]
        return reached[-1] if reached else 0


class PointsWindow(Strict):
    """A local time window (an event hour) when message points are multiplied."""

    # Minutes since midnight, written "20:00".
    start: ClockTime
    end: ClockTime
    # ISO weekdays, 1 = Monday; empty: every day.
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=list)
    factor: float = Field(gt=0)


class Multipliers(Strict):
    # Level number -> factor, group key (`telegram:-100123`) -> factor.
    levels: dict[int, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    groups: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    windows: list[PointsWindow] = Field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.levels or self.groups or self.windows)


class MessagePointsConfig(Strict):
    points: int = Field(default=1, ge=0)
    cooldown: Duration = timedelta(seconds=60)
    min_length: int = Field(default=5, ge=0)
    daily_cap: int = Field(default=50, ge=0)
    # Groups (`telegram:-100123`) where messages earn nothing.
    exclude_groups: list[str] = Field(default_factory=list)
    multipliers: Multipliers = Field(default_factory=Multipliers)


class ReactionPointsConfig(Strict):
    """Points for reactions other members give your messages."""

    points: int = Field(default=1, ge=0)
    daily_cap: int = Field(default=10, ge=0)


class ThanksConfig(Strict):
    """Points for the member whose message another member thanks in a reply
    (谢谢, thanks): answers that help count, not only chatter. Off at 0."""

    points: int = Field(default=0, ge=0)
    # Per thanked member and local day.
    daily_cap: int = Field(default=10, ge=0)
    # A reply containing one of these thanks; Latin words match whole words.
    words: list[str] = Field(
        default_factory=lambda: ["谢谢", "感谢", "多谢", "thanks", "thank you", "thx"],
        min_length=1,
    )


class ShopItem(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    name: str = Field(min_length=1)
    cost: int = Field(ge=0)
    # None: unlimited.
    stock: int | None = Field(default=None, ge=0)
    per_member: int | None = Field(default=None, ge=1)
    # Applied at once instead of waiting for a moderator: `streak_freeze`
    # protects one missed check-in day.
    effect: Literal["streak_freeze"] | None = None
    description: str = ""


class EventsConfig(Strict):
    remind_before: Duration = timedelta(hours=1)
    # /attend CODE works from `open_before` the start until `attend_for` after it.
    open_before: Duration = timedelta(minutes=15)
    attend_for: Duration = timedelta(hours=3)


class ReferralsConfig(Strict):
    enabled: bool = True
    # Paid to the inviter once the invitee stayed `days` and posted `messages`.
    points: int = Field(default=50, ge=0)
    days: Duration = timedelta(days=7)
    messages: int = Field(default=10, ge=0)


class Level(Strict):
    min: int = Field(ge=0)
    title: str = Field(min_length=1)
    # A platform role held while at this level (Discord role name or id).
    role: str | None = None


class PointsConfig(Strict):
    checkin: CheckinConfig = Field(default_factory=CheckinConfig)
    message: MessagePointsConfig = Field(default_factory=MessagePointsConfig)
    reactions: ReactionPointsConfig = Field(default_factory=ReactionPointsConfig)
    thanks: ThanksConfig = Field(default_factory=ThanksConfig)
    levels: list[Level] = Field(default_factory=lambda: [Level(min=0, title="Newcomer")])
    shop: list[ShopItem] = Field(default_factory=list)
    events: EventsConfig = Field(default_factory=EventsConfig)
    referrals: ReferralsConfig = Field(default_factory=ReferralsConfig)

    @field_validator("shop")
    @classmethod
    def _shop_ids(cls, items: list[ShopItem]) -> list[ShopItem]:
        ids = [item.id for item in items]
        if len(ids) != len(set(ids)):
            raise ValueError("shop item ids must be unique")
        return items

    @field_validator("levels")
    @classmethod
    def _levels(cls, levels: list[Level]) -> list[Level]:
        mins = [lv.min for lv in levels]
        if not levels or mins[0] != 0:
            raise ValueError("the first level must start at min: 0")
        if mins != sorted(set(mins)):
            raise ValueError("level thresholds must increase")
        return levels
