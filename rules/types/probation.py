"""`type: probation`: stricter limits for newcomers."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from rules.checks import Check, CheckResult, feature_finder, hit
from rules.durations import format_duration
from rules.message import MessageView
from rules.types.base import Duration, Feature, RuleBase, Translate, term_list


class ProbationRule(RuleBase):
    """Stricter limits for newcomers: their first `messages` messages and
    their first `within` in the community (until both are behind them)."""

    type: Literal["probation"]
    messages: int | None = Field(default=None, ge=1)
    within: Duration | None = None
    deny: list[Feature] = Field(
        default_factory=lambda: list[Feature](["links", "media", "forwards"])
    )
    max_length: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _limits(self) -> Self:
        if self.messages is None and self.within is None:
            raise ValueError("give messages, within or both")
        if not self.deny and self.max_length is None:
            raise ValueError("give deny, max_length or both")
        return self

    def describe(self, tr: Translate) -> str:
        within = format_duration(self.within) if self.within else ""
        if self.messages is not None and self.within is not None:
            period = tr("rules.probation_both", messages=self.messages, within=within)
        elif self.messages is not None:
            period = tr("rules.probation_messages", messages=self.messages)
        else:
            period = tr("rules.probation_within", within=within)
        what = term_list(tr, "what", self.deny)
        if self.max_length is None:
            return tr("rules.probation", period=period, what=what)
        if not self.deny:
            return tr("rules.probation_length", period=period, max=self.max_length)
        return tr("rules.probation_all", period=period, what=what, max=self.max_length)


def probation_check(rule: ProbationRule) -> Check:
    messages = rule.messages
    within = rule.within.total_seconds() if rule.within else None
    find = feature_finder(rule.deny)
    max_length = rule.max_length
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def on_probation(msg: MessageView) -> bool:
        if messages is not None and 0 < msg.message_count <= messages:
            return True
        age = msg.member_age
        return within is not None and age is not None and age < within

    def check(msg: MessageView) -> CheckResult:
        if not on_probation(msg):
            return miss
        feature = find(msg)
        if feature is not None:
            return hit(rule_id, "probation", f"new member: {feature}", what=feature)
        if max_length is not None and len(msg.text) > max_length:
            n = str(len(msg.text))
            return hit(rule_id, "probation_length", f"new member: {n} characters", count=n)
        return miss

    return check
