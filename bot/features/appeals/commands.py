"""`/appeal reason` for a sanctioned member (privately); `/appeals` for the
moderators: the waiting ones, one in full, and the decision."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import Action
from bot.core.arguments import ident
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.appeals.records import PENDING
from bot.features.appeals.service import Appeals, buttons
from rules.durations import format_duration

commands: Registry[Appeals] = Registry()

_SHOWN = 10
_BUTTONS = 3


@commands.add("appeal", "申诉", scope="private", menu=True)
async def appeal(ctx: Context, appeals: Appeals) -> list[Action]:
    cfg = ctx.kit.config.appeals
    if not cfg.enabled:
        return [ctx.reply("appeal.disabled")]
    if not ctx.event.chat.private:
        # What a member appeals is theirs: it is said to the bot alone.
        return [ctx.reply("appeal.private")]
    if not ctx.event.args:
        return [ctx.reply("appeal.usage", window=format_duration(cfg.window))]
    key, values, actions = await appeals.file(ctx.member, " ".join(ctx.event.args), ctx.now)
    return [ctx.reply(key, **values), *actions]


@commands.add("appeals", staff=True, scope="group", menu=True)
async def appeals_(ctx: Context, appeals: Appeals) -> list[Action]:
    args = ctx.event.args
    if not args:
        return _queue(ctx, appeals)
    found = appeals.by_id.get(ident(args[0]))
    if found is None:
        return [ctx.reply("appeal.unknown", id=args[0])]
    if len(args) == 1:
        case = await appeals.case_of(found)
        text = appeals.describe(found, case, ctx.locale)
        shown = buttons(ctx.locale, found) if found.status == PENDING else ()
        return [replace(ctx.say(text), buttons=shown)]
    verdict, words = args[1].lower(), " ".join(args[2:])
    if verdict not in ("accept", "reject", "接受", "驳回"):
        return [ctx.reply("appeal.decide_usage")]
    if found.status != PENDING:
        by = ctx.kit.directory.members.get(found.decided_by or "")
        return [
            ctx.reply(
                "appeal.decided",
                id=found.id,
                status=ctx.text(f"appeal.status.{found.status}"),
                name=display(by) if by is not None else "-",
            )
        ]
    member = ctx.kit.directory.members.get(found.member_key)
    name = display(member) if member is not None else found.member_key
    if verdict in ("accept", "接受"):
        actions = await appeals.accept(found, ctx.member, words, ctx.now)
        return [ctx.reply("appeal.done_accept", id=found.id, name=name), *actions]
    actions = await appeals.reject(found, ctx.member, words, ctx.now)
    return [ctx.reply("appeal.done_reject", id=found.id, name=name), *actions]


def _queue(ctx: Context, appeals: Appeals) -> list[Action]:
    waiting = appeals.waiting()
    if not waiting:
        return [ctx.reply("appeal.queue_empty")]
    lines = [ctx.text("appeal.queue_head", count=len(waiting))]
    for a in waiting[:_SHOWN]:
        member = ctx.kit.directory.members.get(a.member_key)
        lines.append(
            ctx.text(
                "appeal.queue_line",
                id=a.id,
                name=display(member) if member is not None else a.member_key,
                case=a.case_id,
                text=a.reason[:80],
            )
        )
    lines.append(ctx.text("appeal.queue_how"))
    shown = tuple(b for a in waiting[:_BUTTONS] for b in buttons(ctx.locale, a))
    return [replace(ctx.say("\n".join(lines)), buttons=shown)]
