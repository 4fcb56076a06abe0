"""`type: links`: links outside the allowed domains, invites, shorteners,
and optionally @handles and phone numbers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rules import detect
from rules.checks import Check, CheckResult, hit
from rules.durations import format_duration
from rules.message import MessageView
from rules.types.base import Duration, RuleBase, Translate, outcome


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

    def describe(self, tr: Translate) -> str:
        allow = ", ".join(self.allow)
        if self.probation:
            key = "rules.links_probation" if allow else "rules.links_probation_any"
            return tr(key, allow=allow, probation=format_duration(self.probation))
        did = outcome(tr, self.action, self.warns)
        if not self.links:
            what = [w for w in ("invites", "shorteners", "handles", "phones") if getattr(self, w)]
            if what:
                named = tr("rules.do.or").join(tr(f"terms.what.{w}") for w in what)
                return tr("rules.links_what", what=named, outcome=did)
        elif self.deny:
            return tr("rules.links_to", deny=", ".join(self.deny), outcome=did)
        return tr("rules.links" if allow else "rules.links_any", allow=allow, outcome=did)


def _domains(names: list[str]) -> frozenset[str]:
    return frozenset(d.lower().removeprefix("www.") for d in names)


def links_check(rule: LinksRule) -> Check:
    allow = _domains(rule.allow)
    deny = _domains(rule.deny)
    probation = rule.probation.total_seconds() if rule.probation else None
    plain, invites, shorteners = rule.links, rule.invites, rule.shorteners
    handles = rule.handles
    allowed_handles = frozenset(h.lower().lstrip("@") for h in rule.allow_handles)
    phones = rule.phones
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if probation is not None and (msg.member_age is None or msg.member_age >= probation):
            return miss
        for link in msg.links:
            host = detect.host_of(link)
            if invites and detect.is_invite(link):
                return hit(rule_id, "invite", f"invite link {link}", link=link)
            if shorteners and detect.is_shortener(host) and host not in allow:
                return hit(rule_id, "shortener", f"shortened link {link}", link=link)
            if not plain:
                continue
            if deny:
                if detect.within(host, deny):
                    return hit(rule_id, "denied", f"denied domain {host}", host=host)
            elif not detect.within(host, allow):
                return hit(rule_id, "link", f"link to {host}", host=host)
        if handles:
            for handle in msg.handles:
                if handle not in allowed_handles:
                    return hit(rule_id, "handle", f"@{handle}", handle="@" + handle)
        if phones:
            for phone in msg.phones:
                return hit(rule_id, "phone", f"phone number {phone}", phone=phone)
        return miss

    return check
