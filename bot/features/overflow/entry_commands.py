"""The entry's chat commands: the deep link `/start join-<slug>`, Discord's
`/join`, and the moderators' `/admit` and `/deny` for the approval queue."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.overflow.entry import EntryGate

commands: Registry[EntryGate] = Registry()

JOIN_PREFIX = "join-"


async def enter(ctx: Context, gate: EntryGate, slug: str | None) -> list[Action]:
    """`/start join-<slug>` or `/join`: the newcomer asks in."""
    if slug is not None and slug != ctx.kit.config.community.slug:
        return [ctx.reply("entry.unknown", link=f"join-{ctx.kit.config.community.slug}")]
    return await gate.begin(ctx.member, ctx.event.sender, ctx.now)


@commands.add("join", "入群")
async def join(ctx: Context, gate: EntryGate) -> list[Action]:
    return await enter(ctx, gate, None)


async def _decide(ctx: Context, gate: EntryGate, *, admit: bool) -> list[Action]:
    name = "admit" if admit else "deny"
    who = ctx.event.target
    target = (
        ctx.kit.directory.member(who, ctx.now)
        if who is not None
        else (ctx.kit.directory.find(ctx.event.args[0]) if ctx.event.args else None)
    )
    if target is None and ctx.event.args:
        return [ctx.reply("mod.unknown_member", who=ctx.event.args[0])]
    if target is None:
        return [ctx.reply("entry.decide_usage", command=name)]
    actions = gate.decide(target, ctx.now, admit=admit)
    if actions is None:
        return [ctx.reply("entry.not_waiting", name=display(target))]
    key = "entry.admit_done" if admit else "entry.deny_done"
    return [ctx.reply(key, name=display(target)), *actions]


@commands.add("admit", staff=True)
async def admit(ctx: Context, gate: EntryGate) -> list[Action]:
    return await _decide(ctx, gate, admit=True)


@commands.add("deny", staff=True)
async def deny(ctx: Context, gate: EntryGate) -> list[Action]:
    return await _decide(ctx, gate, admit=False)
