"""`/report` for members (as a reply), `/flags` and `/resolve` for moderators."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import Action
from bot.core.arguments import ident
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.risk.reports import RULE, review_buttons
from bot.features.risk.risk import Risk
from rules.durations import format_duration

commands: Registry[Risk] = Registry()

_CONFIRM = frozenset({"confirm", "ban", "spam", "yes", "y", "确认"})
_DISMISS = frozenset({"dismiss", "ham", "no", "n", "ok", "驳回"})
_SHOWN = 20
# Buttons for the oldest flags shown (a keyboard of 40 buttons helps nobody).
_BUTTONS = 5


@commands.add("report", scope="group", menu=True)
async def report(ctx: Context, risk: Risk) -> list[Action]:
    if not risk.reports.config.enabled:
        return [ctx.reply("reports.off")]
    reply = ctx.event.reply_to
    if ctx.group is None or reply is None or reply.sender is None:
        return [ctx.reply("reports.usage")]
    if reply.sender.is_bot:
        return [ctx.reply("reports.not_a_member")]
    target = ctx.kit.directory.member(reply.sender, ctx.now)
    if target.key == ctx.member.key:
        return [ctx.reply("reports.self")]
    if ctx.kit.directory.is_staff(target, reply.sender):
        return [ctx.reply("reports.staff")]
    text = reply.text or risk.spam.recent.text(target.key, ctx.event.chat, reply.message_id)
    outcome = await risk.reports.report(
        ctx.member, ctx.role, target, ctx.event.chat, ctx.group, reply.message_id, text,
        " ".join(ctx.event.args), ctx.now,
    )  # fmt: skip
    actions = list(outcome.actions)
    if outcome.flag is not None:
        actions += risk.monitors.reported(ctx.group, ctx.now, reply.message_id)
        await risk.store_alerts()
    answer = ctx.reply(
        outcome.key,
        name=display(target),
        limit=risk.reports.config.per_member,
        per=format_duration(risk.reports.config.per),
    )
    return [*actions, answer]


@commands.add("flags", staff=True, scope="group", menu=True)
async def flags(ctx: Context, risk: Risk) -> list[Action]:
    waiting = risk.reports.waiting()
    if not waiting:
        return [ctx.reply("flags.empty")]
    lines = [ctx.text("flags.header", count=len(waiting))]
    for f in waiting[:_SHOWN]:
        member = ctx.kit.directory.members.get(f.member_key)
        group = ctx.kit.directory.groups.get(f.group_key)
        text = " ".join(f.text.split())
        lines.append(
            ctx.text(
                "flags.line",
                id=f.id,
                status=ctx.text(f"flags.status.{f.status}"),
                source=ctx.text(f"flags.source.{f.source}"),
                name=display(member) if member is not None else f.member_key,
                group=group.title if group is not None else f.group_key,
                message=f.message_id,
                count=risk.reports.count(f.id),
                text=text if len(text) <= 60 else text[:59] + "…",
            )
        )
    lines.append(ctx.text("flags.footer"))
    buttons = tuple(b for f in waiting[:_BUTTONS] for b in review_buttons(ctx.locale, f.id))
    return [replace(ctx.say("\n".join(lines)), buttons=buttons)]


@commands.add("resolve", staff=True, scope="group", menu=False)
async def resolve(ctx: Context, risk: Risk) -> list[Action]:
    args = ctx.event.args
    verdict = args[1].lower() if len(args) >= 2 else ""
    if not args or verdict not in _CONFIRM | _DISMISS:
        return [ctx.reply("flags.resolve_usage")]
    flag_id = ident(args[0])
    flag = risk.reports.flags.get(flag_id)
    if flag is None or flag.status not in ("reported", "open"):
        return [ctx.reply("flags.unknown", id=flag_id)]
    decision = "confirm" if verdict in _CONFIRM else "dismiss"
    actions = await risk.reports.resolve(flag, decision, ctx.member, ctx.event.chat, ctx.now)
    member = ctx.kit.directory.members.get(flag.member_key)
    name = display(member) if member is not None else flag.member_key
    key = "flags.confirmed" if decision == "confirm" else "flags.dismissed"
    action = ctx.text(f"flags.did.{risk.reports.config.confirm}")
    return [*actions, ctx.reply(key, id=flag_id, name=name, action=action, rule=RULE)]
