"""The community's YAML file: pydantic models, `${ENV}` secrets, and errors
reported as `path.to.key: reason (line N)`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.risk_config import RiskConfig
from bot.schedule_config import PostSpec, unique_post_ids
from rules.schema import RULE_TYPES, ClockTime, Duration, Escalation, Rule

Locale = Literal["en", "zh"]
_LANGUAGES: dict[str, Locale] = {
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "zh": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "zh-sg": "zh",
}


def locale_of(code: str | None) -> Locale | None:
    if not code:
        return None
    return _LANGUAGES.get(code.lower().replace("_", "-"))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_REF = re.compile(r"^(telegram|discord|console):[^\s:]+$")
Ref = Annotated[str, Field(pattern=_REF.pattern)]


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


class TelegramConfig(Strict):
    token: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    # Bot API server; owners who run their own server (and the tests) change it.
    base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: str | None = None
    # With the pool empty, the next group is created by a user account
    # (Telethon, the `telethon` extra) whose session comes from the
    # environment: GK_TG_API_ID, GK_TG_API_HASH, GK_TG_SESSION.
    provision: bool = False

    @model_validator(mode="after")
    def _webhook(self) -> TelegramConfig:
        if self.mode == "webhook" and self.token and not self.webhook_url:
            raise ValueError("webhook mode needs webhook_url")
        return self


class DiscordConfig(Strict):
    token: str | None = None
    guild_id: int | None = None
    prefix: str = "!"
    sharded: bool = False


class PlatformsConfig(Strict):
    telegram: TelegramConfig = Field(default_factory=TelegramConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)


class DatabaseConfig(Strict):
    url: str = "sqlite+aiosqlite:///groupkeeper.db"


class PoolConfig(Strict):
    """Spare groups the owner pre-created (`/pool add` inside each)."""

    # The owner is warned in the log chat once this many spares or fewer are left.
    warn_below: int = Field(default=1, ge=0)
    # A spare may hold this many members already (its creator, the bot, a
    # helper: Telegram counts them all); more means it is in use.
    max_members: int = Field(default=3, ge=0)


class GroupsConfig(Strict):
    capacity: int = Field(default=500, ge=2)
    prepare_at: int | None = None
    title: str = "{name} #{serial}"
    # Given to each group taken from the pool, with its title.
    description: str | None = None
    pool: PoolConfig = Field(default_factory=PoolConfig)
    # How often each group's member count is read from the platform and
    # replaces the count kept from joins and leaves.
    reconcile_every: Duration = timedelta(minutes=30)
    # The owner hears of a count that was off by this many members or more.
    drift_alert: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _prepare(self) -> GroupsConfig:
        if self.prepare_at is not None and self.prepare_at > self.capacity:
            raise ValueError("prepare_at must not exceed capacity")
        return self


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


class EntryQuestion(Strict):
    question: str = Field(min_length=1)
    # Any of these, compared without case and surrounding spaces.
    answers: list[str] = Field(min_length=1)


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

    @model_validator(mode="after")
    def _questions(self) -> EntryConfig:
        if self.captcha == "questions" and not self.questions:
            raise ValueError("questions: the questions captcha needs at least one question")
        return self

    @property
    def gated(self) -> bool:
        return self.captcha != "none" or self.approval or self.min_points > 0


class WelcomeConfig(Strict):
    enabled: bool = True
    # Overrides the catalogue's welcome; {name}, {group}, {community} are filled in.
    text: str | None = None


class Config(Strict):
    community: CommunityConfig
    platforms: PlatformsConfig = Field(default_factory=PlatformsConfig)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    groups: GroupsConfig = Field(default_factory=GroupsConfig)
    entry: EntryConfig = Field(default_factory=EntryConfig)
    welcome: WelcomeConfig = Field(default_factory=WelcomeConfig)
    rules: list[Rule] = Field(default_factory=list)
    escalation: Escalation = Field(default_factory=Escalation)
    points: PointsConfig = Field(default_factory=PointsConfig)
    # Scheduled content (bot/schedule_config.py): one entry per post.
    schedule: list[PostSpec] = Field(default_factory=list)
    # Spam detection, members' reports and risk monitors (bot/risk_config.py).
    risk: RiskConfig = Field(default_factory=RiskConfig)

    @field_validator("schedule")
    @classmethod
    def _unique_posts(cls, posts: list[PostSpec]) -> list[PostSpec]:
        return unique_post_ids(posts)

    @model_validator(mode="after")
    def _discord_timeouts(self) -> Config:
        """Discord times members out for at most 28 days; refuse a longer mute
        rather than cut it silently."""
        if not self.platforms.discord.token:
            return self
        limit = timedelta(days=28)
        for i, rule in enumerate(self.rules):
            if rule.action.mute and rule.action.mute > limit:
                raise ValueError(f"rules.{i}.action.mute: Discord timeouts last at most 28d")
        for i, step in enumerate(self.escalation.ladder):
            if step.do.mute and step.do.mute > limit:
                raise ValueError(
                    f"escalation.ladder.{i}.do.mute: Discord timeouts last at most 28d"
                )
        return self

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return rules


@dataclass(frozen=True, slots=True)
class ConfigError(Exception):
    """Every problem found, each as `path.to.key: reason (line N)`."""

    errors: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.errors)


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _substitute(node: Any, path: str, errors: list[str], lines: dict[str, int]) -> Any:
    if isinstance(node, dict):
        return {k: _substitute(v, _join(path, k), errors, lines) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, _join(path, i), errors, lines) for i, v in enumerate(node)]
    if isinstance(node, str) and "${" in node:

        def env(m: re.Match[str]) -> str:
            value = os.environ.get(m.group(1))
            if value is None and m.group(2) is None:
                errors.append(
                    _located(path, f"environment variable {m.group(1)} is not set", lines)
                )
                return ""
            return value if value is not None else (m.group(2) or "")

        return _ENV.sub(env, node) or None
    return node


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _line_map(node: yaml.Node, path: str, out: dict[str, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = _join(path, key.value)
            out[sub] = key.start_mark.line + 1
            _line_map(value, sub, out)
            out[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, _join(path, i), out)


def _located(path: str, reason: str, lines: dict[str, int]) -> str:
    probe = path
    while probe and probe not in lines:
        probe = probe.rpartition(".")[0]
    line = lines.get(probe)
    where = path or "(top level)"
    return f"{where}: {reason} (line {line})" if line else f"{where}: {reason}"


def _errors(exc: ValidationError, data: Any, lines: dict[str, int]) -> Iterator[str]:
    for err in exc.errors():
        loc = [p for p in err["loc"] if not _is_union_tag(p, data, err["loc"])]
        path = ".".join(str(p) for p in loc)
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "unknown key"
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            reason = f"unknown rule type {ctx.get('tag')!r} (use {ctx.get('expected_tags')})"
        elif err["type"] == "union_tag_not_found":
            reason = "a rule needs a `type`"
        located = _PATH_REASON.match(reason)
        if located:
            # A check across keys names the key it is about in its message,
            # relative to where it runs (a rule's override: `overrides.0.max`).
            path, reason = _join(path, located.group(1)), located.group(2)
        elif err["type"] == "missing":
            reason = "is required"
        yield _located(path, reason, lines)


_PATH_REASON = re.compile(r"^([a-z_]+(?:\.[a-z0-9_]+)+): (.*)$", re.DOTALL)


def _is_union_tag(part: object, data: Any, loc: tuple[int | str, ...]) -> bool:
    """Drop the discriminator tag pydantic inserts (`rules.0.blocklist.words`)."""
    return isinstance(part, str) and part in RULE_TYPES and part in loc[2:3]


def parse_config(text: str, source: str = "<config>") -> Config:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ConfigError((f"(file): not valid YAML{where}: {exc}",)) from None
    if not isinstance(data, dict):
        raise ConfigError(("(top level): the file must be a mapping with a `community` key",))
    lines: dict[str, int] = {}
    if root is not None:
        _line_map(root, "", lines)
    errors: list[str] = []
    data = _substitute(data, "", errors, lines)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        errors.extend(_errors(exc, data, lines))
        raise ConfigError(tuple(errors)) from None
    if errors:
        raise ConfigError(tuple(errors))
    return config


def load_config(path: str | Path) -> Config:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError((f"(file): cannot read {path}: {exc.strerror}",)) from None
    return parse_config(text, str(path))
