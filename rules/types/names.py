"""`type: names`: a joining member's name and username."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from rules.blocklist import Blocklist
from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleAction, RuleBase, Translate
from rules.types.blocklist import Words


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

    def describe(self, tr: Translate) -> str:
        return tr("rules.names")


def names_check(rule: NamesRule) -> Check:
    """A joining member's name: the view's text is the name and username."""
    # In a name, a listed word counts anywhere: "CryptoKing" holds "crypto".
    words = Blocklist([rule.words], whole_words=False) if rule.words else None
    links = rule.links
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if words is not None:
            m = words.search(msg)[0]
            if m is not None:
                return hit(rule_id, "name", f"name matches {m.entry!r}", text=m.entry)
        if links:
            found = msg.links or tuple("@" + h for h in msg.handles)
            if found:
                return hit(rule_id, "name_link", f"link in name {found[0]}", link=found[0])
        return miss

    return check
