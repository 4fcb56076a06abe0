"""The YAML schema of rules, discriminated on `type`.

Validation happens here, once, when the config loads: a bad regex, duration
or override is reported with its path, never discovered on the message path.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from rules.blocklist import regex_entry
from rules.durations import format_duration, parse_duration


def _duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} has no unit (write e.g. {value}s or {value}m)")
    return parse_duration(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
]

Role = Literal["member", "moderator", "owner"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_ACTION_WORDS = {
    "delete": {"delete": True},
    "warn": {"warn": True},
    "kick": {"kick": True, "delete": True},
    "ban": {"ban": True, "delete": True},
    "flag": {"flag": True},
    "log": {"log": True},
}


class RuleAction(Strict):
    """What a rule does when it fires.

    Written as one word (`delete`, `warn`, `kick`, `ban`, `flag`, `log`) or as
    a mapping: `{mute: 10m}`, `{ban: 1d}`, `{delete: true, warn: true}`. Mute,
    kick and ban also remove the message unless `delete: false` is given.
    `flag` leaves the message and asks the moderators to review it; `log` only
    records a case.
    """

    delete: bool = False
    warn: bool = False
    mute: Duration | None = None
    kick: bool = False
    ban: bool = False
    ban_for: Duration | None = None
    flag: bool = False
    log: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dict(_ACTION_WORDS[value])
            except KeyError:
                words = ", ".join(_ACTION_WORDS)
                raise ValueError(
                    f"unknown action {value!r} (use {words}, or {{mute: 10m}}, {{ban: 1d}})"
                ) from None
        if isinstance(value, dict):
            value = dict(value)
            ban = value.get("ban")
            if isinstance(ban, str):
                value["ban"], value["ban_for"] = True, ban
            if any(value.get(k) for k in ("mute", "kick", "ban")):
                value.setdefault("delete", True)
        return value

    @property
    def severity(self) -> int:
        """Which action wins when several rules fire on one message."""
        if self.ban:
            return 6
        if self.kick:
            return 5
        if self.mute:
            return 4
        if self.delete:
            return 3
        if self.warn:
            return 2
        if self.flag:
            return 1
        return 0


class Exempt(Strict):
    roles: list[Role] = Field(default_factory=lambda: list[Role](["moderator", "owner"]))
    min_level: int | None = None
    members: list[str] = Field(default_factory=list)


_NOT_OVERRIDABLE = ("id", "type", "overrides")


class RuleBase(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]
    enabled: bool = True
    # Group names this rule applies to; all groups when absent.
    groups: list[str] | None = None
    exempt: Exempt = Field(default_factory=Exempt)
    action: RuleAction = Field(default_factory=lambda: RuleAction(delete=True))
    # Shortcut: also give a warning (which climbs the escalation ladder).
    warn: bool = False
    # Reply template shown to the member, overriding the default notice.
    reply: str | None = None
    # What /rules shows members; a plain description is generated when absent.
    description: str | None = None
    dry_run: bool = False
    # The same rule with other settings in some groups: each item names its
    # `groups` and the keys it changes (`{groups: [vip], max: 20}`,
    # `{groups: [g3], enabled: false}`).
    overrides: list[dict[str, Any]] = Field(default_factory=list)
    _variants: tuple[Any, ...] = PrivateAttr(default=())

    @property
    def warns(self) -> bool:
        return self.warn or self.action.warn

    @model_validator(mode="after")
    def _overrides(self) -> Self:
        if not self.overrides:
            return self
        variants = []
        base = self.model_dump(by_alias=True, exclude_unset=True, exclude={"overrides"})
        for j, override in enumerate(self.overrides):
            for key in _NOT_OVERRIDABLE:
                if key in override:
                    raise ValueError(f"overrides.{j}.{key}: cannot be overridden")
            groups = override.get("groups")
            if not groups or not isinstance(groups, list):
                raise ValueError(f"overrides.{j}.groups: name the groups this override is for")
            try:
                variants.append(type(self).model_validate({**base, **override}))
            except ValidationError as exc:
                raise ValueError(_first_error(exc, f"overrides.{j}")) from None
        self._variants = tuple(variants)
        return self

    @property
    def variants(self) -> tuple[Self, ...]:
        """The rule as each override makes it, each scoped to its groups."""
        return self._variants


def _first_error(exc: ValidationError, prefix: str) -> str:
    err = exc.errors()[0]
    path = ".".join([prefix, *(str(p) for p in err["loc"])])
    reason = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        reason = "unknown key"
    elif err["type"] == "missing":
        reason = "is required"
    return f"{path}: {reason}"


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return pattern


def _check_words(words: list[str]) -> list[str]:
    for word in words:
        if not word.strip():
            raise ValueError("an entry is empty")
        regex = regex_entry(word)
        if regex is not None:
            _check_regex(regex)
    return words


Words = Annotated[list[str], AfterValidator(_check_words)]


class BlocklistRule(RuleBase):
    type: Literal["blocklist"]
    # Words or phrases; `*` matches any run of characters. An entry written as
    # `re:<pattern>` or `/<pattern>/` is a regular expression on folded text.
    words: Annotated[Words, Field(min_length=1)]


# What a message may carry that probation and night mode can single out.
Feature = Literal["links", "invites", "media", "forwards", "mentions", "phones", "handles"]


class LinksRule(RuleBase):
    type: Literal["links"]
    # Domains that are always fine (subdomains included).
    allow: list[str] = Field(default_factory=list)
    # When given, only these domains (and what the switches below add) fire.
    deny: list[str] = Field(default_factory=list)
    # Only members who joined less than this long ago are held to the rule.
    probation: Duration | None = None
    # Links that are not allowed (or are denied) fire the rule; false leaves
    # only the switches below.
    links: bool = True
    # Telegram and Discord invites fire the rule even when their domain is allowed.
    invites: bool = True
    # Link shorteners (bit.ly, t.cn ...) hide where a link goes: they fire
    # unless allowed by name.
    shorteners: bool = True
    # @usernames (channels and bots are advertised that way) fire the rule.
    handles: bool = False
    allow_handles: list[str] = Field(default_factory=list)
    # Phone numbers fire the rule.
    phones: bool = False


class FloodRule(RuleBase):
    type: Literal["flood"]
    max: int = Field(ge=1, le=1000)
    per: Duration
    action: RuleAction = Field(default_factory=lambda: RuleAction(mute=timedelta(minutes=10)))


class Raid(Strict):
    """The same text from `members` different members (in any groups) within `per`."""

    members: int = Field(default=3, ge=2, le=1000)
    per: Duration = timedelta(minutes=10)
    # Short texts ("谢谢", "good morning") are said by many; they never count.
    min_length: int = Field(default=12, ge=1)


class DuplicatesRule(RuleBase):
    type: Literal["duplicates"]
    # One member posting the same text more than `max` times within `per`
    # (in any groups of the community).
    max: int = Field(default=2, ge=1, le=1000)
    per: Duration = timedelta(minutes=10)
    # 1.0: the same text (after folding, ignoring digits, spaces and
    # punctuation); lower also counts nearly the same text.
    similarity: float = Field(default=0.9, gt=0, le=1)
    # Shorter texts (counting letters, digits and CJK characters) never count.
    min_length: int = Field(default=5, ge=1)
    raid: Raid | None = None


class CapsRule(RuleBase):
    type: Literal["caps"]
    # Capitals among the letters that have a case.
    max_ratio: float = Field(default=0.7, gt=0, lt=1)
    # Shorter shouting ("OK", "LOL") is fine.
    min_letters: int = Field(default=10, ge=1)


class MentionsRule(RuleBase):
    type: Literal["mentions"]
    # More than this many @mentions in one message fire the rule.
    max: int = Field(ge=0, le=1000)


class EmojiRule(RuleBase):
    type: Literal["emoji"]
    # More than this many emoji in one message.
    max: int | None = Field(default=None, ge=0)
    # More than this share of the visible characters (with at least 3 emoji).
    max_ratio: float | None = Field(default=None, gt=0, lt=1)

    @model_validator(mode="after")
    def _a_limit(self) -> Self:
        if self.max is None and self.max_ratio is None:
            raise ValueError("give max, max_ratio or both")
        return self


ForwardOrigin = Literal["user", "hidden_user", "chat", "channel"]
FORWARD_ORIGINS: tuple[ForwardOrigin, ...] = ("user", "hidden_user", "chat", "channel")


class ForwardsRule(RuleBase):
    type: Literal["forwards"]
    # Which forwards fire the rule; all when absent. A forward whose origin
    # the platform does not tell fires only a rule that covers every origin.
    from_: list[ForwardOrigin] | None = Field(default=None, alias="from")


MediaKind = Literal[
    "photo", "video", "animation", "document", "audio", "voice", "video_note", "sticker",
    "poll", "contact", "location", "venue", "dice", "game", "story",
]  # fmt: skip


class MediaRule(RuleBase):
    type: Literal["media"]
    # Kinds that fire the rule (every kind when neither list is given) ...
    deny: list[MediaKind] = Field(default_factory=list)
    # ... or the only kinds that do not.
    allow: list[MediaKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_list(self) -> Self:
        if self.deny and self.allow:
            raise ValueError("give deny or allow, not both")
        return self


class LengthRule(RuleBase):
    type: Literal["length"]
    # Characters.
    max: int | None = Field(default=None, ge=1)
    max_lines: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _a_limit(self) -> Self:
        if self.max is None and self.max_lines is None:
            raise ValueError("give max, max_lines or both")
        return self


class ProbationRule(RuleBase):
    """Stricter limits for newcomers: their first `messages` messages and
    their first `within` in the community (until both are behind them)."""

    type: Literal["probation"]
    messages: int | None = Field(default=None, ge=1)
    within: Duration | None = None
    deny: list[Feature] = Field(
        default_factory=lambda: list[Feature](["links", "media", "forwards"])
    )
    max_length: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _limits(self) -> Self:
        if self.messages is None and self.within is None:
            raise ValueError("give messages, within or both")
        if not self.deny and self.max_length is None:
            raise ValueError("give deny, max_length or both")
        return self


_TIME_OF_DAY = re.compile(r"\s*(\d{1,2}):(\d{2})\s*")


def _clock_time(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 23:30 as the number 1410 (base 60): minutes.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return value
    m = _TIME_OF_DAY.fullmatch(str(value))
    if m is None or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise ValueError(f'{value!r} is not a time of day (write e.g. "23:30")')
    return (int(m.group(1)) * 60 + int(m.group(2))) % (24 * 60)


def _format_clock_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Minutes since midnight, written "23:30".
ClockTime = Annotated[
    int,
    BeforeValidator(_clock_time),
    PlainSerializer(_format_clock_time, return_type=str),
]


def _timezone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
    return value


class NightModeRule(RuleBase):
    """Quiet hours, in the community's time zone unless `timezone` is given;
    `from` later than `to` spans midnight."""

    type: Literal["night_mode"]
    start: ClockTime = Field(alias="from")
    end: ClockTime = Field(alias="to")
    # Only messages carrying one of these; every message when absent.
    only: list[Feature] | None = None
    timezone: Annotated[str | None, AfterValidator(_timezone)] = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("`from` and `to` are the same time")
        return self


class SlowModeRule(RuleBase):
    """One message per member per group every `every`."""

    type: Literal["slow_mode"]
    every: Duration


class NamesRule(RuleBase):
    """Checks a joining member's name and username."""

    type: Literal["names"]
    # As in blocklist.
    words: Words = Field(default_factory=list)
    # Links, invites and @handles in a name fire the rule.
    links: bool = True
    action: RuleAction = Field(default_factory=lambda: RuleAction(kick=True, delete=True))

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.words and not self.links:
            raise ValueError("give words, links: true or both")
        return self


Rule = Annotated[
    BlocklistRule
    | LinksRule
    | FloodRule
    | DuplicatesRule
    | CapsRule
    | MentionsRule
    | EmojiRule
    | ForwardsRule
    | MediaRule
    | LengthRule
    | ProbationRule
    | NightModeRule
    | SlowModeRule
    | NamesRule,
    Field(discriminator="type"),
]

RULE_TYPES: tuple[str, ...] = (
    "blocklist", "links", "flood", "duplicates", "caps", "mentions", "emoji", "forwards",
    "media", "length", "probation", "night_mode", "slow_mode", "names",
)  # fmt: skip


class EscalationStep(Strict):
    at: int = Field(ge=1)
    do: RuleAction


class Escalation(Strict):
    """Warnings expire after `ttl`; reaching `at` active warnings does `do`."""

    ttl: Duration = timedelta(days=30)
    ladder: list[EscalationStep] = Field(default_factory=list)

    @field_validator("ladder")
    @classmethod
    def _ordered(cls, ladder: list[EscalationStep]) -> list[EscalationStep]:
        steps = [s.at for s in ladder]
        if steps != sorted(set(steps)):
            raise ValueError("steps must have distinct `at` values in increasing order")
        return ladder

    def step_for(self, count: int) -> EscalationStep | None:
        """The step reached by exactly `count` warnings, or the last one when past it."""
        reached = [s for s in self.ladder if s.at <= count]
        if not reached:
            return None
        last = reached[-1]
        if last.at == count or last is self.ladder[-1]:
            return last
        return None
