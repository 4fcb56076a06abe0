"""Members' points commands: `/checkin` (also a plain 签到), `/me` and `/top`."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.points.outcomes import Checkin
from bot.features.points.rewards import level_up_actions
from bot.features.points.service import PointsService

commands: Registry[PointsService] = Registry()


@commands.add("checkin", "qiandao", "签到", menu=True)
async def checkin(ctx: Context, svc: PointsService) -> list[Action]:
    group_key = ctx.group.chat_key if ctx.group else None
    points = svc.points
    freezes = (
        svc.savers.freezes(ctx.member.key) if points.missed_one_day(ctx.member, ctx.now) else []
    )
    result = points.checkin(ctx.member, ctx.now, group_key, can_freeze=bool(freezes))
    if result.froze:
        await svc.savers.use_freeze(freezes[0], ctx.now)
    return checkin_reply(ctx, svc, result)


def checkin_reply(ctx: Context, svc: PointsService, result: Checkin) -> list[Action]:
    name = display(ctx.member)
    if result.already:
        return [
            ctx.reply("checkin.already", name=name, streak=result.streak, balance=result.balance)
        ]
    if ctx.group is not None:
        day = ctx.kit.calendar.local_date(ctx.now)
        ctx.kit.stats.add(ctx.group.chat_key, day, "checkins")
        ctx.kit.stats.add(ctx.group.chat_key, day, "points_issued", result.points)
    bonus = ctx.text("checkin.bonus", bonus=result.bonus) if result.bonus else ""
    values = {
        "name": name,
        "points": result.points,
        "bonus": bonus,
        "streak": result.streak,
        "balance": result.balance,
        "rank": svc.points.rank(ctx.member.key),
    }
    own = ctx.kit.config.points.checkin.reply
    if own:
        text = own
        for k, v in values.items():
            text = text.replace("{" + k + "}", str(v))
    else:
        text = ctx.text("checkin.ok", **values)
    if result.froze:
        text += ctx.text("checkin.froze")
    actions: list[Action] = [ctx.say(text)]
    if result.level_up:
        actions += level_up_actions(ctx.kit, ctx.member, ctx.event.chat, result.level_up)
    return actions


@commands.add("me", menu=True)
async def me(ctx: Context, svc: PointsService) -> list[Action]:
    s = svc
    balance = s.points.balance(ctx.member.key)
    earned = s.points.earned(ctx.member.key)
    level, lv = s.points.level(earned)
    text = ctx.text(
        "me",
        name=display(ctx.member),
        level=level,
        title=lv.title,
        balance=balance,
        rank=s.points.rank(ctx.member.key),
        members=len(ctx.kit.directory.members),
        streak=ctx.member.streak,
        warnings=len(s.warnings.active(ctx.member.key, ctx.now)),
    )
    if earned != balance:
        text += "\n" + ctx.text("me_earned", earned=earned)
    nxt = s.points.next_level(earned)
    if nxt is not None:
        text += "\n" + ctx.text("me_next", needed=nxt.min - earned, next_title=nxt.title)
    for extra in s.extras:
        text += "".join("\n" + line for line in await extra(ctx))
    return [ctx.say(text)]


# The Chinese names too: 周 or 周榜 (this week), 月 or 月榜, 总榜 (all time).
_PERIODS = {"all": "all", "week": "week", "month": "month", "周": "week", "月": "month",
            "周榜": "week", "月榜": "month", "总榜": "all", "总": "all"}  # fmt: skip


@commands.add("top", "rank", "leaderboard", menu=True)
async def top(ctx: Context, svc: PointsService) -> list[Action]:
    s = svc
    wanted = ctx.event.args[0].lower() if ctx.event.args else "all"
    other = s.boards.get(wanted)
    if other is not None:
        return await other(ctx, ctx.event.args[1:])
    period = _PERIODS.get(wanted)
    if period is None:
        return [ctx.reply("top.usage")]
    board = s.points.top(10, period, ctx.now)
    if not board:
        return [ctx.reply("top.empty")]
    lines = [ctx.text(f"top.header_{period}")]
    for i, (key, points) in enumerate(board, 1):
        m = ctx.kit.directory.members.get(key)
        name = (display(m) if m else key) + s.badge(key)
        lines.append(ctx.text("top.line", rank=i, name=name, points=points))
    return [ctx.say("\n".join(lines))]
