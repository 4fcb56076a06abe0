"""`type: caps`: shouting, a message mostly in capitals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rules import detect
from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate


class CapsRule(RuleBase):
    type: Literal["caps"]
    # Capitals among the letters that have a case.
    max_ratio: float = Field(default=0.7, gt=0, lt=1)
    # Shorter shouting ("OK", "LOL") is fine.
    min_letters: int = Field(default=10, ge=1)

    def describe(self, tr: Translate) -> str:
        return tr("rules.caps")


def caps_check(rule: CapsRule) -> Check:
    ratio, min_letters = rule.max_ratio, rule.min_letters
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        text = msg.text
        if text.isascii():
            upper, cased = detect.count_caps(text)
        else:
            plain = msg.plain
            # A plain text's only letters with a case are ASCII ones; without
            # an ASCII letter or digit (most Chinese messages; already known,
            # the blocklist and the plan asked) it has none to count.
            if plain and not msg.latin:
                return miss
            upper, cased = detect.count_caps(text, plain=plain)
        if cased < min_letters or upper <= ratio * cased:
            return miss
        share = f"{round(100 * upper / cased)}%"
        return hit(rule_id, "caps", f"{share} capitals", share=share)

    return check
