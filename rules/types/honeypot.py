"""`type: honeypot`: a channel or group where nobody should post.

Spam bots and stolen accounts post the same message in every channel they
can see; people read a channel's name and description. A channel named
"do-not-post-here" catches the first kind and spares the second: whatever is
posted there, text, media, a forward or a command, fires the rule. So the
rule needs `groups` (without them it would fire everywhere), and its action
bans by default; a ban made by a rule also removes the author's recent
messages on Discord (the adapter's ban window), the rest of the spam run.
Moderators and owners stay exempt unless `exempt` says otherwise.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleAction, RuleBase, Translate, outcome


class HoneypotRule(RuleBase):
    type: Literal["honeypot"]
    action: RuleAction = Field(default_factory=lambda: RuleAction(ban=True, delete=True))

    @model_validator(mode="after")
    def _scoped(self) -> Self:
        if not self.groups:
            raise ValueError(
                "give groups: the channels or groups nobody should post in"
                " (without them every message would fire the rule)"
            )
        return self

    def describe(self, tr: Translate) -> str:
        return tr("rules.honeypot", outcome=outcome(tr, self.action, self.warns))


def honeypot_check(rule: HoneypotRule) -> Check:
    found = hit(rule.id, "honeypot", "a message in a honeypot")

    def check(msg: MessageView) -> CheckResult:
        return found

    return check
