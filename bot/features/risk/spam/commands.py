"""`/spam` and `/ham`: moderators teach the spam model by replying to a
message. `/spam` also cleans up after the member across the community's
groups and bans or mutes them as configured (`risk.spam.punish`)."""

from __future__ import annotations

from bot.core.actions import Action, DeleteMessage
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.core.records import MemberRecord
from bot.features.risk.risk import Risk
from bot.features.risk.spam.guard import RULE
from bot.features.risk.spam.model import HAM, SPAM

commands: Registry[Risk] = Registry()


def _replied_member(ctx: Context) -> MemberRecord | Action:
    """The member whose message the command replies to, or the reply that
    explains why there is none to act on."""
    reply = ctx.event.reply_to
    if ctx.group is None or reply is None or reply.sender is None:
        return ctx.reply("spam.usage", command=ctx.event.name)
    if reply.sender.is_bot:
        return ctx.reply("spam.not_a_member")
    member = ctx.kit.directory.member(reply.sender, ctx.now)
    if ctx.kit.directory.is_staff(member, reply.sender):
        return ctx.reply("mod.protected", name=display(member))
    return member


@commands.add("spam", staff=True, scope="group", menu=True)
async def spam(ctx: Context, risk: Risk) -> list[Action]:
    guard = risk.spam
    found = _replied_member(ctx)
    if not isinstance(found, MemberRecord):
        return [found]
    if ctx.group is None or ctx.event.reply_to is None:
        return [ctx.reply("spam.off")]
    member, group, chat, now = found, ctx.group, ctx.event.chat, ctx.now
    replied = ctx.event.reply_to.message_id
    text = ctx.event.reply_to.text or guard.recent.text(member.key, chat, replied)
    learned = await guard.learn(
        SPAM, text, now, source="spam", by=ctx.member.key, member=member.key
    )
    guard.suspects.add(member.key)
    if guard.config.punish != "none":
        guard.caught[member.key] = text
    deletes, chats = guard.clean_up(member, chat, replied, now)
    punish = guard.config.punish
    kit = ctx.kit
    if punish == "none":
        case = guard.enforcer.cases.open_case(
            "delete", member, now, group_key=group.chat_key, moderator_key=ctx.member.key,
            rule=RULE, message_text=text,
        )  # fmt: skip
        acts = guard.enforcer.log(case, member, ctx.member)
    else:
        span = guard.config.mute if punish == "mute" else None
        case, acts = guard.enforcer.sanction(
            punish, member, chat, now, group=group, duration=span, by=ctx.member, rule=RULE,
            text=text,
        )  # fmt: skip
        if punish == "ban":
            acts += guard.ban_everywhere(member, chats - {chat}, case.id)
    removed = sum(len(d.message_ids) for d in deletes)
    kit.stats.add(group.chat_key, kit.calendar.local_date(now), "removed", removed)
    alerts = risk.monitors.spam_caught(group, now, replied)
    await risk.store_alerts()
    stamped: list[Action] = [DeleteMessage(d.chat, d.message_ids, RULE, case.id) for d in deletes]
    reply = ctx.text(
        "spam.cleaned",
        name=display(member),
        count=removed,
        groups=len(chats),
        punished=ctx.text(f"spam.punished_{punish}"),
        learned=ctx.text("spam.learned") if learned and guard.config.learn else "",
    )
    return [*stamped, *acts, ctx.say(reply), *alerts]


@commands.add("ham", staff=True, scope="group", menu=True)
async def ham(ctx: Context, risk: Risk) -> list[Action]:
    guard = risk.spam
    found = _replied_member(ctx)
    if not isinstance(found, MemberRecord):
        return [found]
    if ctx.event.reply_to is None:
        return [ctx.reply("spam.off")]
    reply = ctx.event.reply_to
    text = reply.text or guard.recent.text(found.key, ctx.event.chat, reply.message_id)
    if not await guard.learn(HAM, text, ctx.now, source="ham", by=ctx.member.key, member=found.key):
        return [ctx.reply("spam.no_text")]
    return [ctx.reply("spam.ham_learned", name=display(found))]
