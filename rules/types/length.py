"""`type: length`: messages too long, in characters or in lines."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate


class LengthRule(RuleBase):
    type: Literal["length"]
    # Characters.
    max: int | None = Field(default=None, ge=1)
    max_lines: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _a_limit(self) -> Self:
        if self.max is None and self.max_lines is None:
            raise ValueError("give max, max_lines or both")
        return self

    def describe(self, tr: Translate) -> str:
        if self.max is not None and self.max_lines is not None:
            return tr("rules.length_both", max=self.max, lines=self.max_lines)
        if self.max is not None:
            return tr("rules.length", max=self.max)
        return tr("rules.length_lines", lines=self.max_lines)


def length_check(rule: LengthRule) -> Check:
    limit, max_lines = rule.max, rule.max_lines
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        text = msg.text
        if limit is not None and len(text) > limit:
            n = str(len(text))
            return hit(rule_id, "too_long", f"{n} characters", count=n, max=str(limit))
        if max_lines is not None:
            lines = text.count("\n") + 1
            if lines > max_lines:
                n = str(lines)
                return hit(rule_id, "too_many_lines", f"{n} lines", count=n, max=str(max_lines))
        return miss

    return check
