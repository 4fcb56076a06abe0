"""`type: night_mode`: quiet hours, for every message or some kinds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, model_validator

from rules.checks import Check, CheckResult, feature_finder, hit
from rules.message import MessageView
from rules.types.base import ClockTime, Feature, RuleBase, Translate, format_clock_time, term_list


def _timezone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
    return value


class NightModeRule(RuleBase):
    """Quiet hours, in the community's time zone unless `timezone` is given;
    `from` later than `to` spans midnight."""

    type: Literal["night_mode"]
    start: ClockTime = Field(alias="from")
    end: ClockTime = Field(alias="to")
    # Only messages carrying one of these; every message when absent.
    only: list[Feature] | None = None
    timezone: Annotated[str | None, AfterValidator(_timezone)] = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("`from` and `to` are the same time")
        return self

    def describe(self, tr: Translate) -> str:
        hours = {"start": format_clock_time(self.start), "end": format_clock_time(self.end)}
        if self.only is None:
            return tr("rules.night", **hours)
        return tr("rules.night_only", what=term_list(tr, "what", self.only), **hours)


def night_mode_check(rule: NightModeRule, timezone: str) -> Check:
    tz = ZoneInfo(rule.timezone or timezone)
    start, end = rule.start, rule.end
    find = feature_finder(rule.only) if rule.only is not None else None
    hours = f"{format_clock_time(start)}-{format_clock_time(end)}"
    rule_id = rule.id
    miss = CheckResult(rule_id, False)
    # Local time changes once a minute; remember the last minute's answer.
    last_minute = -1
    quiet = False

    def check(msg: MessageView) -> CheckResult:
        nonlocal last_minute, quiet
        minute = int(msg.at // 60)
        if minute != last_minute:
            local = datetime.fromtimestamp(minute * 60, tz)
            now = local.hour * 60 + local.minute
            quiet = start <= now < end if start < end else (now >= start or now < end)
            last_minute = minute
        if not quiet:
            return miss
        if find is not None:
            feature = find(msg)
            if feature is None:
                return miss
            details = f"{feature} during {hours}"
            return hit(rule_id, "night_only", details, hours=hours, what=feature)
        return hit(rule_id, "night", f"quiet hours {hours}", hours=hours)

    return check
