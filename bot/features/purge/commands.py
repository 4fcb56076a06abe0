"""`/purge N`, `/purge` as a reply, `/purge N @name`: the moderators'
clean-up of a group chat's latest messages, the command's own included."""

from __future__ import annotations

import unicodedata

from bot.core.actions import Action, DeleteMessage
from bot.core.arguments import Refused, whole
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.core.records import MemberRecord
from bot.features.purge.purge import MAX_COUNT, RULE, Purge
from bot.features.purge.selection import DELETE_WINDOW, select

commands: Registry[Purge] = Registry()


class _Usage(Exception):
    """What the moderator typed cannot be a purge: `text` says why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _parsed(ctx: Context) -> tuple[int | None, MemberRecord | None]:
    """The count and the member a purge names, in either order."""
    count: int | None = None
    member: MemberRecord | None = None
    if ctx.event.target is not None:
        member = ctx.kit.directory.member(ctx.event.target, ctx.now)
    reply = ctx.event.reply_to
    if reply is not None and reply.message_id == 0 and reply.sender is not None:
        # Discord's member picker: a member named, no message replied to.
        member = ctx.kit.directory.member(reply.sender, ctx.now)
    usage = ctx.text("purge.usage", max=MAX_COUNT)
    for arg in ctx.event.args:
        # Full-width digits from a Chinese keyboard read as digits.
        typed = unicodedata.normalize("NFKC", arg)
        if typed.startswith("@") or ":" in typed:
            found = ctx.kit.directory.find(typed)
            if found is None:
                raise _Usage(ctx.text("mod.unknown_member", who=arg))
            member = found
        elif count is None:
            try:
                count = whole(typed, 1, MAX_COUNT)
            except Refused as refused:
                raise _Usage(ctx.text(refused.key, **refused.values) + "\n" + usage) from None
        else:
            raise _Usage(usage)
    return count, member


@commands.add("purge", "清理", staff=True, scope="group", menu=True)
async def purge(ctx: Context, service: Purge) -> list[Action]:
    ev = ctx.event
    if ctx.group is None:
        return [ctx.reply("purge.group_only")]
    if ctx.kit.directory.is_log_chat(ev.chat):
        # The log chat is the record of every case: not for a purge to wipe.
        return [ctx.reply("purge.log_chat")]
    try:
        count, member = _parsed(ctx)
    except _Usage as bad:
        return [ctx.say(bad.text)]
    reply = ev.reply_to
    since = reply.message_id if reply is not None and reply.message_id else None
    if count is None and since is None:
        return [ctx.reply("purge.usage", max=MAX_COUNT)]
    chosen = select(
        ctx.kit.history,
        ev.chat,
        ctx.now,
        command_id=ev.message_id,
        count=count,
        sender=member.user_id if member is not None else None,
        since=since,
    )
    of = ctx.text("purge.of", name=display(member)) if member is not None else ""
    # A slash command is no message to delete.
    own = (ev.message_id,) if ev.in_chat else ()
    actions: list[Action]
    taken = chosen.seen + chosen.by_id
    if taken or chosen.listed:
        before = min(chosen.ids, default=ev.message_id)
        _, actions = service.delete(
            ev.chat, (*chosen.ids, *own), by=ctx.member, of=member, group=ctx.group,
            count=taken + chosen.listed, now=ctx.now, older=chosen.listed, before=before,
        )  # fmt: skip
        if chosen.listed:
            key = "purge.listed" if taken else "purge.listed_only"
            lines = [ctx.text(key, count=taken, more=chosen.listed, max=ctx.kit.history.per_chat)]
        elif chosen.by_id:
            lines = [
                ctx.text(
                    "purge.by_id", count=taken, unseen=chosen.by_id, max=ctx.kit.history.per_chat
                )
            ]
        else:
            lines = [ctx.text("purge.done", count=chosen.seen, of=of)]
    else:
        # Nothing known to delete: no case, only the command goes.
        actions = [DeleteMessage(ev.chat, own, RULE)] if own else []
        lines = [ctx.text("purge.nothing", of=of)]
    if chosen.too_old:
        window = DELETE_WINDOW.get(ev.chat.platform)
        hours = int(window.total_seconds() // 3600) if window is not None else 0
        lines.append(ctx.text("purge.too_old", count=chosen.too_old, hours=hours))
    if chosen.gap or (count is not None and taken + chosen.listed + chosen.too_old < count):
        lines.append(ctx.text("purge.unknown", max=ctx.kit.history.per_chat))
    # An answer to the command (a slash command's is shown to the
    # moderator), sent after it is gone, so platforms show no quote. Its id
    # comes back like every message the bot posts: the next purge takes it.
    return [*actions, ctx.say("\n".join(lines))]
