"""`type: slow_mode`: one message per member per group every `every`."""

from __future__ import annotations

from collections import OrderedDict
from datetime import timedelta
from typing import Literal

from rules.checks import Check, CheckResult, forget_idle, hit
from rules.durations import format_duration
from rules.message import MessageView
from rules.types.base import Duration, RuleBase, Translate


class SlowModeRule(RuleBase):
    """One message per member per group every `every`."""

    type: Literal["slow_mode"]
    every: Duration

    def describe(self, tr: Translate) -> str:
        return tr("rules.slow_mode", every=format_duration(self.every))


def slow_mode_check(rule: SlowModeRule) -> Check:
    every = rule.every.total_seconds()
    span = format_duration(rule.every)
    last: OrderedDict[tuple[str, str], float] = OrderedDict()
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        key = (msg.group, msg.sender)
        previous = last.get(key)
        if previous is not None and msg.at - previous < every:
            wait = format_duration(timedelta(seconds=max(1, round(every - msg.at + previous))))
            return hit(rule_id, "slow", f"one message per {span}", every=span, wait=wait)
        # Only messages that were let through count; moved to the end so the
        # table stays in order of last activity.
        last[key] = msg.at
        if previous is not None:
            last.move_to_end(key)
        calls += 1
        if not calls & 7:
            forget_idle(last, msg.at - every, float)
        return miss

    return check
