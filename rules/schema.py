"""The YAML schema of rules, discriminated on `type`.

Validation happens here, once, when the config loads: a bad regex or duration
is reported with its path, never discovered on the message path.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
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

Role = Literal["member", "moderator", "owner"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_ACTION_WORDS = {
    "delete": {"delete": True},
    "warn": {"warn": True},
    "kick": {"kick": True, "delete": True},
    "ban": {"ban": True, "delete": True},
    "log": {"log": True},
}


class RuleAction(Strict):
    """What a rule does when it fires.

    Written as one word (`delete`, `warn`, `kick`, `ban`, `log`) or as a
    mapping: `{mute: 10m}`, `{ban: 1d}`, `{delete: true, warn: true}`. Mute,
    kick and ban also remove the message unless `delete: false` is given.
    """

    delete: bool = False
    warn: bool = False
    mute: Duration | None = None
    kick: bool = False
    ban: bool = False
    ban_for: Duration | None = None
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
        if self.ban:
            return 5
        if self.kick:
            return 4
        if self.mute:
            return 3
        if self.delete:
            return 2
        if self.warn:
            return 1
        return 0


class Exempt(Strict):
    roles: list[Role] = Field(default_factory=lambda: list[Role](["moderator", "owner"]))
    min_level: int | None = None
    members: list[str] = Field(default_factory=list)


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

    @property
    def warns(self) -> bool:
        return self.warn or self.action.warn


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return pattern


class BlocklistRule(RuleBase):
    type: Literal["blocklist"]
    # Words or phrases; `*` matches any run of characters. An entry written as
    # `re:<pattern>` or `/<pattern>/` is a regular expression on folded text.
    words: list[str] = Field(min_length=1)

    @field_validator("words")
    @classmethod
    def _words(cls, words: list[str]) -> list[str]:
        for word in words:
            if not word.strip():
                raise ValueError("an entry is empty")
            regex = _regex_entry(word)
            if regex is not None:
                _check_regex(regex)
        return words


def _regex_entry(word: str) -> str | None:
    if word.startswith("re:"):
        return word[3:]
    if len(word) > 2 and word.startswith("/") and word.endswith("/"):
        return word[1:-1]
    return None


class LinksRule(RuleBase):
    type: Literal["links"]
    # Domains that are always fine (subdomains included).
    allow: list[str] = Field(default_factory=list)
    # When given, only these domains fire the rule.
    deny: list[str] = Field(default_factory=list)
    # Only members who joined less than this long ago are held to the rule.
    probation: Duration | None = None
    # Telegram and Discord invites fire the rule even when their domain is allowed.
    invites: bool = True


class FloodRule(RuleBase):
    type: Literal["flood"]
    max: int = Field(ge=1, le=1000)
    per: Duration
    action: RuleAction = Field(default_factory=lambda: RuleAction(mute=timedelta(minutes=10)))


Rule = Annotated[BlocklistRule | LinksRule | FloodRule, Field(discriminator="type")]


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
