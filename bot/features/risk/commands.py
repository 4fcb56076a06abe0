"""Moderators' answers to risk warnings: `/ack` an alert (or press its
button), `/alerts` for those nobody acknowledged, `/lockdown` and `/unlock`
for a group under a raid."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.actions import Action
from bot.core.arguments import duration, ident, looks_like_length
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.risk.monitors import ack_buttons
from bot.features.risk.risk import Risk
from rules.durations import format_duration

commands: Registry[Risk] = Registry()

# A moderator's /lockdown that names no length (nor does the raid monitor's
# config) lifts after this, as its usage text says: one forgotten lockdown
# must not mute every newcomer for Discord's longest timeout.
DEFAULT_LOCKDOWN = timedelta(hours=2)
# Newcomers stay muted until it lifts, and Discord times out for 28 days at most.
LOCKDOWN_LENGTHS = (timedelta(minutes=1), timedelta(days=27))

_SHOWN = 20
_BUTTONS = 5
# Whose joins a moderator's /lockdown mutes when the raid monitor is off.
_RECENT_JOINS = timedelta(minutes=10)
# How far back /ack looks for an alert acknowledged before.
_ACK_LOOKBACK = timedelta(days=30)


@commands.add("ack", staff=True, scope="group", menu=False)
async def ack(ctx: Context, risk: Risk) -> list[Action]:
    args = ctx.event.args
    if len(args) == 1 and args[0].lower() in ("all", "全部"):
        waiting = sorted(risk.monitors.open.values(), key=lambda a: a.id)
        if not waiting:
            return [ctx.reply("risk.ack.none")]
        await risk.acknowledge(waiting, ctx.member, ctx.now)
        return [ctx.reply("risk.ack.all", count=len(waiting), name=display(ctx.member))]
    if len(args) != 1:
        return [ctx.reply("risk.ack.usage")]
    alert_id = ident(args[0])
    alert = risk.monitors.open.get(alert_id)
    if alert is None:
        since = ctx.now - _ACK_LOOKBACK
        slug = ctx.kit.config.community.slug
        old = next(
            (a for a in await risk.store.alerts_since(slug, since) if a.id == alert_id), None
        )
        if old is not None and old.acked_by is not None:
            by = ctx.kit.directory.members.get(old.acked_by)
            name = display(by) if by is not None else old.acked_by
            return [ctx.reply("risk.ack.already", id=alert_id, name=name)]
        return [ctx.reply("risk.ack.unknown", id=alert_id)]
    await risk.acknowledge([alert], ctx.member, ctx.now)
    return [ctx.reply("risk.ack.done", id=alert_id, name=display(ctx.member))]


@commands.add("alerts", staff=True, scope="group", menu=True)
async def alerts(ctx: Context, risk: Risk) -> list[Action]:
    waiting = sorted(risk.monitors.open.values(), key=lambda a: a.id)
    if not waiting:
        return [ctx.reply("risk.alerts.empty")]
    lines = [ctx.text("risk.alerts.header", count=len(waiting))]
    for a in waiting[:_SHOWN]:
        group = ctx.kit.directory.groups.get(a.group_key or "")
        lines.append(
            ctx.text(
                "risk.alerts.line",
                id=a.id,
                severity=ctx.text(f"risk.severity.{a.severity}"),
                kind=ctx.text(f"risk.kind.{a.kind}"),
                group=group.title if group is not None else a.group_key or "-",
                ago=format_duration(
                    timedelta(minutes=max(1, int((ctx.now - a.at).total_seconds() // 60)))
                ),
                summary=a.summary,
            )
        )
    buttons = tuple(b for a in waiting[:_BUTTONS] for b in ack_buttons(ctx.locale, a))
    return [replace(ctx.say("\n".join(lines)), buttons=buttons)]


@commands.add("lockdown", staff=True, scope="group", menu=True)
async def lockdown(ctx: Context, risk: Risk) -> list[Action]:
    group = ctx.group
    if group is None or group.chat_key == ctx.kit.config.community.log_chat:
        return [ctx.reply("lockdown.in_group")]
    spec = risk.lockdown_spec
    if ctx.event.args and not looks_like_length(ctx.event.args[0]):
        return [ctx.reply("lockdown.usage")]
    if ctx.event.args:
        lift_after = duration(ctx.event.args[0], *LOCKDOWN_LENGTHS)
    else:
        lift_after = spec.lift_after or DEFAULT_LOCKDOWN
    spec = spec.model_copy(update={"lift_after": lift_after})
    current = risk.lockdowns.active.get(group.chat_key)
    if current is not None:
        return [ctx.reply("lockdown.already", id=current.id)]
    raid = risk.config.monitors.raid
    since = ctx.now - (raid.window if raid is not None else _RECENT_JOINS)
    return await risk.lockdowns.start(group, ctx.now, spec, by=ctx.member, newcomers_since=since)


@commands.add("unlock", staff=True, scope="group", menu=True)
async def unlock(ctx: Context, risk: Risk) -> list[Action]:
    lockdowns = risk.lockdowns
    args = ctx.event.args
    if args:
        wanted = ident(args[0])
        found = lockdowns.by_id(wanted)
        if found is None:
            return [ctx.reply("lockdown.unknown", id=wanted)]
    else:
        here = lockdowns.active.get(ctx.group.chat_key) if ctx.group is not None else None
        only = list(lockdowns.active.values())
        found = here or (only[0] if len(only) == 1 else None)
        if found is None:
            key = "lockdown.none" if not only else "lockdown.unlock_usage"
            return [ctx.reply(key)]
    return await lockdowns.lift(found, ctx.now, ctx.member)
