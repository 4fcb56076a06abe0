"""Rules in words members read (/rules, notices)."""

from __future__ import annotations

from bot.config import locale_of
from bot.i18n import t
from rules.durations import format_duration
from rules.schema import BlocklistRule, FloodRule, LinksRule, Rule


def in_scope(rule: Rule, group_key: str) -> bool:
    groups = rule.groups or []
    return group_key in groups or group_key.partition(":")[2] in groups


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
    raise TypeError(f"no description for {type(rule).__name__}")
