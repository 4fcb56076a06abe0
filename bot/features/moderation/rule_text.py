"""Rules in words members read (/rules, notices)."""

from __future__ import annotations

from functools import partial

from bot.config import Config, Locale, locale_of
from bot.core.i18n import t
from rules.schema import Rule


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


def describe(rule: Rule, locale: str) -> str:
    if rule.description:
        return rule.description
    return rule.describe(partial(t, locale_of(locale) or "en"))
