"""What every member can ask the bot."""

from __future__ import annotations

from bot.config import locale_of
from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.moderation.rule_text import rules_text
from bot.features.overflow.entry_commands import JOIN_PREFIX, enter
from bot.features.points.points import Checkin
from bot.features.points.rewards import level_up_actions

commands = Registry()


@commands.add("start")
async def start(ctx: Context) -> list[Action]:
    payload = ctx.event.args[0] if ctx.event.args else ""
    if payload.startswith(JOIN_PREFIX):
        # The community's entry link: t.me/<bot>?start=join-<slug>.
        return await enter(ctx, payload.removeprefix(JOIN_PREFIX))
    community = ctx.s.config.community.name
    return [ctx.reply("start", name=ctx.member.name or display(ctx.member), community=community)]


# Each feature's part of /help, in the order members read it.
HELP_MEMBER = ("help.member", "help.economy", "help.overflow", "help.risk")
HELP_STAFF = (
    "help.moderator",
    "help.economy_mod",
    "help.risk_mod",
    "help.schedule_mod",
    "help.overflow_mod",
)


@commands.add("help")
async def help_(ctx: Context) -> list[Action]:
    text = "\n".join(ctx.text(key) for key in HELP_MEMBER)
    if ctx.is_staff:
        text += "\n\n" + "\n".join(ctx.text(key) for key in HELP_STAFF)
    return [ctx.say(text)]


@commands.add("checkin", "qiandao", "签到")
async def checkin(ctx: Context) -> list[Action]:
    s = ctx.s
    group_key = ctx.group.chat_key if ctx.group else None
    eco = s.economy
    freezes = (
        eco.shop.freezes(ctx.member.key)
        if eco is not None and s.points.missed_one_day(ctx.member, ctx.now)
        else []
    )
    result = s.points.checkin(ctx.member, ctx.now, group_key, can_freeze=bool(freezes))
    if result.froze and eco is not None:
        await eco.shop.use_freeze(freezes[0], ctx.now)
    return checkin_reply(ctx, result)


def checkin_reply(ctx: Context, result: Checkin) -> list[Action]:
    name = display(ctx.member)
    if result.already:
        return [
            ctx.reply("checkin.already", name=name, streak=result.streak, balance=result.balance)
        ]
    if ctx.group is not None:
        day = ctx.s.points.local_date(ctx.now)
        ctx.s.stats.add(ctx.group.chat_key, day, "checkins")
        ctx.s.stats.add(ctx.group.chat_key, day, "points_issued", result.points)
    bonus = ctx.text("checkin.bonus", bonus=result.bonus) if result.bonus else ""
    values = {
        "name": name,
        "points": result.points,
        "bonus": bonus,
        "streak": result.streak,
        "balance": result.balance,
        "rank": ctx.s.points.rank(ctx.member.key),
    }
    own = ctx.s.config.points.checkin.reply
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
        actions += level_up_actions(ctx.s, ctx.member, ctx.event.chat, result.level_up)
    return actions


@commands.add("me")
async def me(ctx: Context) -> list[Action]:
    s = ctx.s
    balance = s.points.balance(ctx.member.key)
    level, lv = s.points.level(balance)
    text = ctx.text(
        "me",
        name=display(ctx.member),
        level=level,
        title=lv.title,
        balance=balance,
        rank=s.points.rank(ctx.member.key),
        members=len(s.directory.members),
        streak=ctx.member.streak,
        warnings=len(s.moderation.active(ctx.member.key, ctx.now)),
    )
    nxt = s.points.next_level(balance)
    if nxt is not None:
        text += "\n" + ctx.text("me_next", needed=nxt.min - balance, next_title=nxt.title)
    return [ctx.say(text)]


_PERIODS = {"all": "all", "week": "week", "month": "month", "周": "week", "月": "month"}


@commands.add("top", "rank", "leaderboard")
async def top(ctx: Context) -> list[Action]:
    s = ctx.s
    wanted = ctx.event.args[0].lower() if ctx.event.args else "all"
    period = _PERIODS.get(wanted)
    if period is None:
        return [ctx.reply("top.usage")]
    board = s.points.top(10, period, ctx.now)
    if not board:
        return [ctx.reply("top.empty")]
    lines = [ctx.text(f"top.header_{period}")]
    for i, (key, points) in enumerate(board, 1):
        m = s.directory.members.get(key)
        lines.append(ctx.text("top.line", rank=i, name=display(m) if m else key, points=points))
    return [ctx.say("\n".join(lines))]


@commands.add("rules")
async def rules_(ctx: Context) -> list[Action]:
    group_key = ctx.group.chat_key if ctx.group else None
    text = rules_text(ctx.s.config, ctx.locale, group_key)
    if text is None:
        return [ctx.reply("rules.none")]
    return [ctx.say(text)]


@commands.add("lang", "language")
async def lang(ctx: Context) -> list[Action]:
    wanted = locale_of(ctx.event.args[0]) if ctx.event.args else None
    if wanted is None:
        return [ctx.reply("lang.usage")]
    ctx.member.language = wanted
    ctx.s.directory.touch(ctx.member)
    ctx.locale = wanted
    return [ctx.reply("lang.set")]
