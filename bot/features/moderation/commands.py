"""Moderators' commands: given as a reply to the member's message, or naming
them with @username; and `/rules` for everyone."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.core.actions import Action, SendMessage
from bot.core.arguments import duration, looks_like_length
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.core.records import MemberRecord
from bot.features.moderation.enforcement import DEFAULT_MUTE
from bot.features.moderation.rule_text import rules_text
from bot.features.moderation.service import ModerationService
from rules.durations import format_duration

commands: Registry[ModerationService] = Registry()

# Discord times members out for 28 days at most.
MUTE_LENGTHS = (timedelta(minutes=1), timedelta(days=28))
# Telegram reads a ban of over 366 days as forever: write no length for that.
BAN_LENGTHS = (timedelta(minutes=1), timedelta(days=366))

Body = Callable[[Context, ModerationService], list[Action] | Awaitable[list[Action]]]


class _Refusal(Exception):
    def __init__(self, reply: SendMessage) -> None:
        super().__init__(reply.text)
        self.reply = reply


def moderator_command(name: str, *aliases: str) -> Callable[[Body], Body]:
    """Register a staff-only command; a refusal raised inside becomes its reply."""

    def register(body: Body) -> Body:
        async def handler(ctx: Context, mod: ModerationService) -> list[Action]:
            try:
                result = body(ctx, mod)
                return await result if inspect.isawaitable(result) else result
            except _Refusal as refusal:
                return [refusal.reply]

        commands.add(name, *aliases, staff=True, scope="group", menu=True)(handler)
        return body

    return register


def _named(ctx: Context) -> tuple[MemberRecord, list[str]]:
    """The member a command is about: its reply, its mention or @name."""
    args = list(ctx.event.args)
    reply = ctx.event.reply_to
    if ctx.event.target is not None:
        member = ctx.kit.directory.member(ctx.event.target, ctx.now)
    elif reply is not None and reply.sender is not None:
        if reply.sender.is_bot:
            # A moderator who replied to the wrong message (the bot's own
            # notice under the member's): nothing is done, and they hear why.
            raise _Refusal(ctx.reply("mod.not_a_member", command=ctx.event.name))
        member = ctx.kit.directory.member(reply.sender, ctx.now)
    elif args and (args[0].startswith("@") or ":" in args[0]):
        who = args.pop(0)
        found = ctx.kit.directory.find(who)
        if found is None:
            raise _Refusal(ctx.reply("mod.unknown_member", who=who))
        member = found
    else:
        raise _Refusal(ctx.reply("mod.no_target", command=ctx.event.name))
    return member, args


def _target(ctx: Context) -> tuple[MemberRecord, list[str]]:
    """The member a sanction is for; never a moderator."""
    member, args = _named(ctx)
    if ctx.kit.directory.is_staff(member):
        raise _Refusal(ctx.reply("mod.protected", name=display(member)))
    return member, args


def _duration(args: list[str], bounds: tuple[timedelta, timedelta]) -> timedelta | None:
    if args and looks_like_length(args[0]):
        return duration(args.pop(0), *bounds)
    return None


def _reason_suffix(ctx: Context, reason: str) -> str:
    return ctx.text("mod.reason", reason=reason) if reason else ""


def _sanction(
    ctx: Context,
    mod: ModerationService,
    action: str,
    key: str,
    *,
    lengths: tuple[timedelta, timedelta] | None = None,
) -> list[Action]:
    member, args = _target(ctx)
    if ctx.group is None and not (ctx.event.chat.platform == member.platform == "discord"):
        # On Telegram (and in the console) mutes, kicks and bans are per chat:
        # sent privately they would land nowhere while the reply said they
        # were done. Discord's are server-wide, so a private one acts there.
        raise _Refusal(ctx.reply("mod.group_only", command=ctx.event.name))
    span = _duration(args, lengths) if lengths else None
    if action == "mute":
        span = span or DEFAULT_MUTE
    reason = " ".join(args)
    _, actions = mod.enforcer.sanction(
        action,
        member,
        ctx.event.chat,
        ctx.now,
        group=ctx.group,
        duration=span,
        by=ctx.member,
        reason=reason,
    )
    if action == "ban" and span:
        key = "mod.banned_for"
    text = ctx.text(
        key,
        name=display(member),
        duration=format_duration(span) if span else "",
        reason=_reason_suffix(ctx, reason),
    )
    return [*actions, ctx.say(text, kind="reply")]


@moderator_command("mute")
def mute(ctx: Context, mod: ModerationService) -> list[Action]:
    return _sanction(ctx, mod, "mute", "mod.muted", lengths=MUTE_LENGTHS)


@moderator_command("unmute")
def unmute(ctx: Context, mod: ModerationService) -> list[Action]:
    return _sanction(ctx, mod, "unmute", "mod.unmuted")


@moderator_command("kick")
def kick(ctx: Context, mod: ModerationService) -> list[Action]:
    return _sanction(ctx, mod, "kick", "mod.kicked")


@moderator_command("ban")
def ban(ctx: Context, mod: ModerationService) -> list[Action]:
    return _sanction(ctx, mod, "ban", "mod.banned", lengths=BAN_LENGTHS)


@moderator_command("unban")
async def unban(ctx: Context, mod: ModerationService) -> list[Action]:
    member, _ = _target(ctx)
    actions = _sanction(ctx, mod, "unban", "mod.unbanned")
    for hook in mod.unban_hooks:
        actions += await hook(ctx, member)
    return actions


@moderator_command("warn")
def warn(ctx: Context, mod: ModerationService) -> list[Action]:
    member, args = _target(ctx)
    reason = " ".join(args)
    phrase, actions = mod.enforcer.warn(
        member, ctx.event.chat, ctx.now, group=ctx.group, by=ctx.member, reason=reason,
        locale=ctx.locale,
    )  # fmt: skip
    text = ctx.text("mod.warned", name=display(member), reason=_reason_suffix(ctx, reason))
    return [ctx.say(text + phrase, kind="warn"), *actions]


@moderator_command("unwarn")
def unwarn(ctx: Context, mod: ModerationService) -> list[Action]:
    member, _ = _target(ctx)
    left = mod.enforcer.cases.unwarn(member.key, ctx.now)
    if left is None:
        return [ctx.reply("mod.no_warnings", name=display(member))]
    case = mod.enforcer.cases.open_case(
        "unwarn",
        member,
        ctx.now,
        group_key=ctx.group.chat_key if ctx.group else None,
        moderator_key=ctx.member.key,
    )
    log = mod.enforcer.log(case, member, ctx.member)
    return [ctx.reply("mod.unwarned", name=display(member), count=left), *log]


@commands.add("rules", scope="group", menu=True)
async def rules_(ctx: Context, mod: ModerationService) -> list[Action]:
    group_key = ctx.group.chat_key if ctx.group else None
    text = rules_text(ctx.kit.config, ctx.locale, group_key)
    if text is None:
        return [ctx.reply("rules.none")]
    return [ctx.say(text)]


@commands.add("warnings", "警告记录")
async def warnings(ctx: Context, mod: ModerationService) -> list[Action]:
    """A member's warnings in force and when each expires: moderators ask
    about anyone (a reply or @name), members about themselves."""
    ev = ctx.event
    member = ctx.member
    if ev.target is not None or ev.reply_to is not None or ev.args:
        if not ctx.is_staff:
            return [ctx.reply("mod.warnings_own_only")]
        try:
            member, _ = _named(ctx)
        except _Refusal as refusal:
            return [refusal.reply]
    cases = mod.enforcer.cases
    active = cases.active(member.key, ctx.now)
    name = display(member)
    if not active:
        return [ctx.reply("mod.no_warnings", name=name)]
    limit = cases.limit
    if limit is None:
        lines = [ctx.text("mod.warnings", name=name, count=len(active))]
    else:
        lines = [ctx.text("mod.warnings_of", name=name, count=len(active), limit=limit)]
    tz = ctx.kit.config.community.tz
    for w in sorted(active, key=lambda w: w.at):
        until = f"{w.expires_at.astimezone(tz):%Y-%m-%d %H:%M}"
        why = ctx.text("mod.warnings_rule", rule=w.rule) if w.rule else ""
        lines.append(ctx.text("mod.warnings_line", case=w.case_id, until=until, rule=why))
    return [ctx.say("\n".join(lines))]
