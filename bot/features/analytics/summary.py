"""The activity summary in words: `/stats`, and the owners' weekly digest."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Locale
from bot.core.directory import display
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.analytics.analytics import Analytics
from bot.features.analytics.metrics import Metrics, compute


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def summary_text(loc: Locale, scope: str, period: int, m: Metrics) -> str:
    """The /stats summary; also the owners' weekly digest."""
    last = m.engagement[-1]
    top = ", ".join(t(loc, "stats.top_line", name=c.name, days=c.active_days) for c in m.top) or t(
        loc, "stats.nobody"
    )
    return t(
        loc,
        "stats.summary",
        scope=scope,
        days=period,
        since=m.since.isoformat(),
        until=m.until.isoformat(),
        messages=m.totals["messages"],
        active=m.active_members,
        dau=f"{m.average_dau:.1f}",
        wau=last.wau,
        mau=last.mau,
        stickiness=percent(m.stickiness),
        joins=m.totals["joins"],
        leaves=m.totals["leaves"],
        net=f"{m.net_growth:+d}",
        checkins=m.totals["checkins"],
        checkin_rate=percent(m.checkin_rate),
        removed=m.totals["removed"],
        top=top,
    )


async def community_summary(
    kit: Kit, analytics: Analytics, loc: Locale, now: datetime, period: int
) -> str:
    """The whole community's last `period` days in words."""
    until = kit.calendar.local_date(now)
    await analytics.flush()
    inputs = await analytics.inputs(until - timedelta(days=period - 1), until)
    for m in kit.directory.members.values():
        inputs.member_names.setdefault(m.key, display(m))
    metrics = compute(inputs, None, top=3)
    return summary_text(loc, kit.config.community.name, period, metrics)
