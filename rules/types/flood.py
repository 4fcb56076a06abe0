"""`type: flood`: too many messages from one member in one group too fast."""

from __future__ import annotations

from collections import OrderedDict
from datetime import timedelta
from typing import Literal

from pydantic import Field

from rules.checks import Check, CheckResult, forget_idle, hit
from rules.durations import format_duration
from rules.message import MessageView
from rules.types.base import Duration, RuleAction, RuleBase, Translate


class FloodRule(RuleBase):
    type: Literal["flood"]
    max: int = Field(ge=1, le=1000)
    per: Duration
    action: RuleAction = Field(default_factory=lambda: RuleAction(mute=timedelta(minutes=10)))

    def describe(self, tr: Translate) -> str:
        return tr("rules.flood", max=self.max, per=format_duration(self.per))


def _last_of_window(window: list[float]) -> float | None:
    return window[-1] if window else None


def flood_check(rule: FloodRule) -> Check:
    """More than `max` messages from one member in one group within `per`.

    The window is cleared when it fires, so one burst is punished once."""
    limit = rule.max
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    # (group, member) -> when their recent messages came, oldest first: a
    # list, cheaper to make than a deque (most windows are one message long).
    windows: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        key = (msg.group, msg.sender)
        window = windows.get(key)
        # Moved to the end: the table stays in order of last activity, so
        # idle members are dropped from its front.
        at = msg.at
        horizon = at - per
        if window is None:
            window = windows[key] = [at]
        else:
            windows.move_to_end(key)
            window.append(at)
            while window[0] <= horizon:
                del window[0]
        calls += 1
        if not calls & 7:
            forget_idle(windows, horizon, _last_of_window)
        if len(window) > limit:
            count = len(window)
            window.clear()
            details = f"{count} messages within {within}"
            return hit(rule_id, "flood", details, count=str(count), per=within)
        return miss

    return check
