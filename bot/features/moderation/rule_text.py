"""Rules in words members read (/rules, notices)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import Config, Locale, locale_of
from bot.core.i18n import t
from rules.durations import format_duration
from rules.schema import Rule
from rules.types.blocklist import BlocklistRule
from rules.types.caps import CapsRule
from rules.types.duplicates import DuplicatesRule
from rules.types.emoji import EmojiRule
from rules.types.flood import FloodRule
from rules.types.forwards import ForwardsRule
from rules.types.length import LengthRule
from rules.types.links import LinksRule
from rules.types.media import MediaRule
from rules.types.mentions import MentionsRule
from rules.types.names import NamesRule
from rules.types.night_mode import NightModeRule
from rules.types.probation import ProbationRule
from rules.types.slow_mode import SlowModeRule


def in_scope(rule: Rule, group_key: str) -> bool:
    groups = rule.groups or []
    return group_key in groups or group_key.partition(":")[2] in groups


def rules_text(config: Config, loc: Locale, group_key: str | None) -> str | None:
    """What /rules shows: the enabled rules that apply in the group (asked in
    private, all of them), numbered under a header; None when there are none."""
    shown = [
        r
        for r in config.rules
        if r.enabled and (r.groups is None or group_key is None or in_scope(r, group_key))
    ]
    if not shown:
        return None
    lines = [t(loc, "rules.header", community=config.community.name)]
    for n, rule in enumerate(shown, 1):
        lines.append(t(loc, "rules.line", n=n, text=describe(rule, loc)))
    return "\n".join(lines)


def terms(loc: Locale, kind: str, names: Iterable[str]) -> str:
    """Names of one `kind` (what, kind, origin) in the words of `loc`, as a
    list: "photos, stickers"."""
    return t(loc, "terms.separator").join(t(loc, f"terms.{kind}.{n}") for n in names)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def describe(rule: Rule, locale: str) -> str:
    loc = locale_of(locale) or "en"
    if rule.description:
        return rule.description
    if isinstance(rule, BlocklistRule):
        return t(loc, "rules.blocklist")
    if isinstance(rule, LinksRule):
        allow = ", ".join(rule.allow)
        if rule.probation:
            key = "rules.links_probation" if allow else "rules.links_probation_any"
            return t(loc, key, allow=allow, probation=format_duration(rule.probation))
        return t(loc, "rules.links" if allow else "rules.links_any", allow=allow)
    if isinstance(rule, FloodRule):
        return t(loc, "rules.flood", max=rule.max, per=format_duration(rule.per))
    return _describe_more(rule, loc)


def _describe_more(rule: Rule, loc: Locale) -> str:
    if isinstance(rule, DuplicatesRule):
        text = t(loc, "rules.duplicates", max=rule.max, per=format_duration(rule.per))
        if rule.raid is not None:
            per = format_duration(rule.raid.per)
            text += t(loc, "rules.raid", members=rule.raid.members, per=per)
        return text
    if isinstance(rule, CapsRule):
        return t(loc, "rules.caps")
    if isinstance(rule, MentionsRule):
        return t(loc, "rules.mentions", max=rule.max)
    if isinstance(rule, EmojiRule):
        if rule.max is not None:
            return t(loc, "rules.emoji", max=rule.max)
        return t(loc, "rules.emoji_ratio")
    if isinstance(rule, ForwardsRule):
        if rule.from_ is None:
            return t(loc, "rules.forwards")
        return t(loc, "rules.forwards_from", origins=terms(loc, "origin", rule.from_))
    if isinstance(rule, MediaRule):
        if rule.allow:
            return t(loc, "rules.media_allow", kinds=terms(loc, "kind", rule.allow))
        if rule.deny:
            return t(loc, "rules.media_deny", kinds=terms(loc, "kind", rule.deny))
        return t(loc, "rules.media")
    if isinstance(rule, LengthRule):
        if rule.max is not None and rule.max_lines is not None:
            return t(loc, "rules.length_both", max=rule.max, lines=rule.max_lines)
        if rule.max is not None:
            return t(loc, "rules.length", max=rule.max)
        return t(loc, "rules.length_lines", lines=rule.max_lines)
    if isinstance(rule, ProbationRule):
        return _describe_probation(rule, loc)
    if isinstance(rule, NightModeRule):
        hours = {"start": _clock(rule.start), "end": _clock(rule.end)}
        if rule.only is None:
            return t(loc, "rules.night", **hours)
        return t(loc, "rules.night_only", what=terms(loc, "what", rule.only), **hours)
    if isinstance(rule, SlowModeRule):
        return t(loc, "rules.slow_mode", every=format_duration(rule.every))
    if isinstance(rule, NamesRule):
        return t(loc, "rules.names")
    raise TypeError(f"no description for {type(rule).__name__}")


def _describe_probation(rule: ProbationRule, loc: Locale) -> str:
    within = format_duration(rule.within) if rule.within else ""
    if rule.messages is not None and rule.within is not None:
        period = t(loc, "rules.probation_both", messages=rule.messages, within=within)
    elif rule.messages is not None:
        period = t(loc, "rules.probation_messages", messages=rule.messages)
    else:
        period = t(loc, "rules.probation_within", within=within)
    what = terms(loc, "what", rule.deny)
    if rule.max_length is None:
        return t(loc, "rules.probation", period=period, what=what)
    if not rule.deny:
        return t(loc, "rules.probation_length", period=period, max=rule.max_length)
    return t(loc, "rules.probation_all", period=period, what=what, max=rule.max_length)
