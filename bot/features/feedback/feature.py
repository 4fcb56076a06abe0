"""`/feedback text` for members, `/reply N text` for moderators."""

from __future__ import annotations

from bot.core.actions import Action, SendDirect, SendMessage
from bot.core.arguments import ident
from bot.core.buttons import Button
from bot.core.commands import Context, Registry
from bot.core.directory import display, user_of
from bot.core.feature import Base
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.feedback.feedback import FeedbackBox

commands: Registry[FeedbackBox] = Registry()


def _rest(text: str, words: int) -> str:
    """The typed text after the first `words` words, line breaks kept."""
    parts = text.strip().split(maxsplit=words)
    return parts[words].strip() if len(parts) > words else ""


# What a feedback keeps: the member hears when theirs was longer.
_LONGEST = 2000


@commands.add("feedback", "反馈", menu=True)
async def feedback_(ctx: Context, box: FeedbackBox) -> list[Action]:
    cfg = ctx.kit.config.feedback
    if not cfg.enabled:
        return [ctx.reply("feedback.switched_off")]
    text = _rest(ctx.event.text, 1)
    if not text:
        return [ctx.reply("feedback.usage")]
    today = ctx.kit.calendar.local_date(ctx.now)
    if box.sent_today(ctx.member.key, today) >= cfg.per_day:
        return [ctx.reply("feedback.limit", most=cfg.per_day)]
    group = ctx.group.chat_key if ctx.group else None
    item = await box.add(ctx.member.key, text[:_LONGEST], group, ctx.now)
    thanks = ctx.text("feedback.thanks", id=item.id)
    if len(text) > _LONGEST:
        thanks += ctx.text("feedback.shortened", most=_LONGEST)
    actions: list[Action] = [ctx.say(thanks)]
    log = ctx.kit.log_chat
    if log is not None:
        loc = ctx.kit.config.community.locale
        note = t(loc, "feedback.log", id=item.id, name=display(ctx.member), text=item.text)
        label = t(loc, "feedback.reply_button", id=item.id)
        actions.append(SendMessage(log, note, kind="log",
                                   buttons=(Button(label, "reply", (str(item.id),)),)))  # fmt: skip
    return actions


@commands.add("reply", "回复", staff=True)
async def reply_(ctx: Context, box: FeedbackBox) -> list[Action]:
    args = ctx.event.args
    if not args:
        return [ctx.reply("feedback.reply_usage")]
    item = box.items.get(ident(args[0]))
    if item is None:
        return [ctx.reply("feedback.no_such", id=args[0])]
    text = _rest(ctx.event.text, 2)
    if not text:
        # The log chat's button: the moderator is told how to answer.
        return [ctx.reply("feedback.how_to_reply", id=item.id, text=item.text[:200])]
    member = ctx.kit.directory.members.get(item.member_key)
    if member is None:
        return [ctx.reply("feedback.no_such", id=args[0])]
    await box.answer(item, text[:2000], ctx.member.key)
    loc = ctx.kit.locale_for(member)
    dm = t(loc, "feedback.answer_dm", id=item.id, question=item.text[:200], answer=text)
    return [
        SendDirect(user_of(member), dm),
        ctx.reply("feedback.replied", id=item.id, name=display(member)),
    ]


class FeedbackFeature(Base):
    name = "feedback"

    def __init__(self, kit: Kit, box: FeedbackBox) -> None:
        self.kit = kit
        self.box = box
        self.commands = commands.bind(box)
