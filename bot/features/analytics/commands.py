"""`/stats [7d|30d]` (moderators: a summary and a chart of the group, or in a
private chat of the community) and `/stats me` (anyone: their own activity)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core.actions import Action, SendPhoto
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.analytics.analytics import Analytics
from bot.features.analytics.metrics import CHART_SERIES, Metrics, activity_chart, compute
from bot.features.analytics.summary import summary_text

commands: Registry[Analytics] = Registry()

DEFAULT_DAYS = 7
MAX_DAYS = 90
_PERIOD = re.compile(r"^(\d{1,3})\s*(d|days?|天)?$")


def parse_period(arg: str) -> int | None:
    """`7d`, `30d`, `14` -> days; None when it is not a period we can show."""
    m = _PERIOD.match(arg.strip().lower())
    if m is None:
        return None
    n = int(m.group(1))
    return n if 1 <= n <= MAX_DAYS else None


# Not in the menus: `/stats` alone, as a menu sends it, is the moderators'
# summary, and members would only be refused.
@commands.add("stats", "statistics", "数据")
async def stats(ctx: Context, analytics: Analytics) -> list[Action]:
    args = [a.lower() for a in ctx.event.args]
    if args[:1] == ["me"]:
        return await _me(ctx, analytics)
    if not ctx.is_staff:
        return [ctx.reply("stats.not_allowed")]
    if len(args) > 1:
        return [ctx.reply("stats.usage", max=MAX_DAYS)]
    period = parse_period(args[0]) if args else DEFAULT_DAYS
    if period is None:
        return [ctx.reply("stats.usage", max=MAX_DAYS)]
    return await _summary(ctx, analytics, period)


async def _summary(ctx: Context, analytics: Analytics, period: int) -> list[Action]:
    kit = ctx.kit
    until = kit.calendar.local_date(ctx.now)
    since = until - timedelta(days=period - 1)
    inputs = await analytics.inputs(since, until)
    group_key = ctx.group.chat_key if ctx.group is not None else None
    for m in kit.directory.members.values():
        inputs.member_names.setdefault(m.key, display(m))
    metrics = compute(inputs, group_key, top=3)
    scope = ctx.group.title if ctx.group is not None else kit.config.community.name
    text = _render(ctx, scope, period, metrics)
    labels = {name: ctx.text(f"stats.series.{name}") for name in CHART_SERIES}
    chart = activity_chart(
        ctx.text("stats.chart_title", scope=scope, days=period), metrics.daily, labels
    )
    png = await analytics.render(chart)
    if png is None:
        return [ctx.say(text)]
    return [SendPhoto(ctx.event.chat, png, text, reply_to=ctx.event.message_id)]


def _render(ctx: Context, scope: str, period: int, m: Metrics) -> str:
    return summary_text(ctx.locale, scope, period, m)


async def _me(ctx: Context, analytics: Analytics) -> list[Action]:
    kit = ctx.kit
    today = kit.calendar.local_date(ctx.now)
    await analytics.flush()
    rows = await analytics.store.activity(kit.config.community.slug, today - timedelta(29), today)
    mine = {r.day for r in rows if r.member_key == ctx.member.key}
    week = today - timedelta(days=6)
    return [
        ctx.reply(
            "stats.me",
            name=display(ctx.member),
            week=sum(1 for d in mine if d >= week),
            month=len(mine),
            messages=ctx.member.message_count,
            streak=ctx.member.streak,
            points_week=analytics.points.week.get(ctx.member.key, 0),
            points_month=analytics.points.month.get(ctx.member.key, 0),
            last=_last_seen(ctx, mine, today),
        )
    ]


def _last_seen(ctx: Context, mine: set[date], today: date) -> str:
    if not mine:
        return ctx.text("stats.never")
    latest = max(mine)
    return ctx.text("stats.today") if latest == today else latest.isoformat()
