"""`/groups` (every group's fill level) and the owner's `/pool add|list`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.config import Locale
from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.i18n import t
from bot.core.records import GroupRecord
from bot.features.overflow.planner import Overflow
from bot.features.overflow.pool import AddRequest, Pool

commands: Registry[Overflow] = Registry()
pool_commands: Registry[Pool] = Registry()


def fill_lines(
    locale: Locale,
    shown: Sequence[GroupRecord],
    held: Callable[[GroupRecord], int],
    entry: GroupRecord | None,
) -> list[str]:
    """One line per group: members, invites held, how full, the entry marked."""
    lines = []
    for g in shown:
        key = "overflow.groups_line_held" if held(g) else "overflow.groups_line"
        line = t(
            locale,
            key,
            serial=g.serial,
            title=g.title,
            members=g.member_count,
            held=held(g),
            capacity=g.capacity,
            percent=100 * (g.member_count + held(g)) // g.capacity,
        )
        if entry is not None and g.chat_key == entry.chat_key:
            line += t(locale, "overflow.groups_entry")
        lines.append(line)
    return lines


@commands.add("groups", "群列表")
async def groups(ctx: Context, o: Overflow) -> list[Action]:
    platform = ctx.event.chat.platform
    shown = o.groups(platform)
    if not shown:
        return [ctx.reply("overflow.groups_none")]
    lines = [ctx.text("overflow.groups_header", community=ctx.kit.config.community.name)]
    lines += fill_lines(ctx.locale, shown, o.held, o.entry_group(platform))
    lines.append(ctx.text("overflow.groups_spares", count=len(o.spares(platform))))
    return [ctx.say("\n".join(lines))]


@pool_commands.add("pool", "备用群")
async def pool(ctx: Context, p: Pool) -> list[Action]:
    if ctx.role != "owner":
        return [ctx.reply("overflow.owner_only")]
    sub = ctx.event.args[0].lower() if ctx.event.args else ""
    if sub == "add":
        if ctx.group is None:
            return [ctx.reply("overflow.pool_add_here")]
        return p.ask(ctx.group, AddRequest(ctx.event.chat, ctx.event.message_id, ctx.locale))
    if sub == "list":
        spares = p.overflow.spares(ctx.event.chat.platform)
        if not spares:
            return [ctx.reply("overflow.pool_empty_list")]
        lines = [ctx.text("overflow.pool_header", count=len(spares))]
        lines += [ctx.text("overflow.pool_line", title=g.title or g.chat_id) for g in spares]
        return [ctx.say("\n".join(lines))]
    return [ctx.reply("overflow.pool_usage")]
