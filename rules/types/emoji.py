"""`type: emoji`: too many emoji in one message, by count or by share."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate


class EmojiRule(RuleBase):
    type: Literal["emoji"]
    # More than this many emoji in one message.
    max: int | None = Field(default=None, ge=0)
    # More than this share of the visible characters (with at least 3 emoji).
    max_ratio: float | None = Field(default=None, gt=0, lt=1)

    @model_validator(mode="after")
    def _a_limit(self) -> Self:
        if self.max is None and self.max_ratio is None:
            raise ValueError("give max, max_ratio or both")
        return self

    def describe(self, tr: Translate) -> str:
        if self.max is not None:
            return tr("rules.emoji", max=self.max)
        return tr("rules.emoji_ratio")


def emoji_check(rule: EmojiRule) -> Check:
    limit, ratio = rule.max, rule.max_ratio
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        count = msg.emoji
        if count == 0:
            return miss
        if limit is not None and count > limit:
            return hit(rule_id, "emoji", f"{count} emoji", count=str(count))
        if ratio is not None and count >= 3:
            visible = len(msg.text) - msg.text.count(" ")
            # An emoji may be several code points; count it as one character.
            if count > ratio * max(visible, 1) or visible - count <= 0:
                return hit(rule_id, "emoji", f"{count} emoji", count=str(count))
        return miss

    return check
