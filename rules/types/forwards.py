"""`type: forwards`: forwarded messages, from every origin or some."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate, term_list

ForwardOrigin = Literal["user", "hidden_user", "chat", "channel"]
FORWARD_ORIGINS: tuple[ForwardOrigin, ...] = ("user", "hidden_user", "chat", "channel")


class ForwardsRule(RuleBase):
    type: Literal["forwards"]
    # Which forwards fire the rule; all when absent. A forward whose origin
    # the platform does not tell fires only a rule that covers every origin.
    from_: list[ForwardOrigin] | None = Field(default=None, alias="from")

    def describe(self, tr: Translate) -> str:
        if self.from_ is None:
            return tr("rules.forwards")
        return tr("rules.forwards_from", origins=term_list(tr, "origin", self.from_))


def forwards_check(rule: ForwardsRule) -> Check:
    origins = frozenset(rule.from_ if rule.from_ is not None else FORWARD_ORIGINS)
    every = origins >= frozenset(FORWARD_ORIGINS)
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if not msg.forwarded:
            return miss
        origin = msg.forward_origin
        if origin is None:
            if not every:
                return miss
            return hit(rule_id, "forward", "a forwarded message")
        if origin not in origins:
            return miss
        return hit(rule_id, "forward_from", f"forwarded from a {origin}", origin=origin)

    return check
