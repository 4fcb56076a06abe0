"""The entry's chat commands: the deep link `/start join-<slug>`, Discord's
`/join`, and the moderators' `/admit` and `/deny` for the approval queue."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.overflow.entry import EntryGate

commands = Registry()

JOIN_PREFIX = "join-"


def gate(ctx: Context) -> EntryGate:
    if ctx.s.entry is None:
        raise RuntimeError("the engine did not start the entry gate")
    return ctx.s.entry


async def enter(ctx: Context, slug: str | None) -> list[Action]:
    """`/start join-<slug>` or `/join`: the newcomer asks in."""
    if slug is not None and slug != ctx.s.config.community.slug:
        return [ctx.reply("entry.unknown", link=f"join-{ctx.s.config.community.slug}")]
    return await gate(ctx).begin(ctx.member, ctx.event.sender, ctx.now)


@commands.add("join", "入群")
async def join(ctx: Context) -> list[Action]:
    return await enter(ctx, None)


async def _decide(ctx: Context, *, admit: bool) -> list[Action]:
    name = "admit" if admit else "deny"
    if not ctx.is_staff:
        return [ctx.reply("mod.not_allowed", command=name)]
    who = ctx.event.target
    target = (
        ctx.s.directory.member(who, ctx.now)
        if who is not None
        else (ctx.s.directory.find(ctx.event.args[0]) if ctx.event.args else None)
    )
    if target is None:
        return [ctx.reply("entry.decide_usage", command=name)]
    actions = gate(ctx).decide(target, ctx.now, admit=admit)
    if actions is None:
        return [ctx.reply("entry.not_waiting", name=display(target))]
    key = "entry.admit_done" if admit else "entry.deny_done"
    return [ctx.reply(key, name=display(target)), *actions]


@commands.add("admit", staff_only=True)
async def admit(ctx: Context) -> list[Action]:
    return await _decide(ctx, admit=True)


@commands.add("deny", staff_only=True)
async def deny(ctx: Context) -> list[Action]:
    return await _decide(ctx, admit=False)
