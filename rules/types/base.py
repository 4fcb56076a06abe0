"""What every rule type builds on: the base model (id, scope, exemptions,
action, per-group overrides), the values owners write (durations, times of
day), and the translator a rule's wording is given.

Validation happens here, once, when the config loads: a bad duration or
override is reported with its path, never discovered on the message path.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Any, Literal, Protocol, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    model_validator,
)

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

_TIME_OF_DAY = re.compile(r"\s*(\d{1,2}):(\d{2})\s*")


def _clock_time(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 23:30 as the number 1410 (base 60): minutes.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return value
    m = _TIME_OF_DAY.fullmatch(str(value))
    if m is None or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise ValueError(f'{value!r} is not a time of day (write e.g. "23:30")')
    return (int(m.group(1)) * 60 + int(m.group(2))) % (24 * 60)


def format_clock_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Minutes since midnight, written "23:30".
ClockTime = Annotated[
    int,
    BeforeValidator(_clock_time),
    PlainSerializer(format_clock_time, return_type=str),
]

Role = Literal["member", "moderator", "owner"]

# What a message may carry that probation and night mode can single out.
Feature = Literal["links", "invites", "media", "forwards", "mentions", "phones", "handles"]


class Translate(Protocol):
    """A locale key in the reader's language, its placeholders filled in."""

    def __call__(self, key: str, /, **values: object) -> str: ...


def term_list(tr: Translate, kind: str, names: Iterable[str]) -> str:
    """Names of one `kind` (what, kind, origin) in the reader's words, as a
    list: "photos, stickers"."""
    return tr("terms.separator").join(tr(f"terms.{kind}.{n}") for n in names)


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


def outcome(tr: Translate, action: RuleAction, warns: bool) -> str:
    """What happens to a message the rule catches, as the reader's verb
    phrase with the messages as its subject ("are removed and earn a
    warning"): /rules says what the action does, not always "removed"."""
    parts: list[str] = []
    if action.delete:
        parts.append(tr("rules.do.delete"))
    if action.ban:
        span = action.ban_for
        parts.append(
            tr("rules.do.ban_for", duration=format_duration(span)) if span else tr("rules.do.ban")
        )
    elif action.kick:
        parts.append(tr("rules.do.kick"))
    elif action.mute:
        key = "rules.do.mute_warn" if warns else "rules.do.mute"
        parts.append(tr(key, duration=format_duration(action.mute)))
    elif warns:
        parts.append(tr("rules.do.warn"))
    if action.flag:
        parts.append(tr("rules.do.flag"))
    if action.log and not parts:
        parts.append(tr("rules.do.log"))
    if not parts:
        return tr("rules.do.nothing")
    if len(parts) == 1:
        return parts[0]
    return tr("rules.do.separator").join(parts[:-1]) + tr("rules.do.last") + parts[-1]


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

    @abstractmethod
    def describe(self, tr: Translate) -> str:
        """The generated wording /rules and /why show when the owner wrote
        no `description`."""


def _first_error(exc: ValidationError, prefix: str) -> str:
    err = exc.errors()[0]
    path = ".".join([prefix, *(str(p) for p in err["loc"])])
    reason = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        reason = "unknown key"
    elif err["type"] == "missing":
        reason = "is required"
    return f"{path}: {reason}"
