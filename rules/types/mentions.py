"""`type: mentions`: too many @mentions in one message."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate


class MentionsRule(RuleBase):
    type: Literal["mentions"]
    # More than this many @mentions in one message fire the rule.
    max: int = Field(ge=0, le=1000)

    def describe(self, tr: Translate) -> str:
        return tr("rules.mentions", max=self.max)


def mentions_check(rule: MentionsRule) -> Check:
    limit = rule.max
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        count = msg.mentions
        if count <= limit:
            return miss
        return hit(rule_id, "mentions", f"{count} mentions", count=str(count))

    return check
