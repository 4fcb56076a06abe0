"""The notice feature: `/notice show|set|refresh` and the refresh on the
timer (bot/features/notice/notice.py)."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.events import Event, MessageSent
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.notice.notice import REF, Notice, digest

commands: Registry[Notice] = Registry()


@commands.add("notice", "公告", staff=True)
async def notice_(ctx: Context, notice: Notice) -> list[Action]:
    args = ctx.event.args
    sub = args[0].lower() if args else "show"
    if sub in ("show", "refresh") and not notice.text():
        return [ctx.reply("notice.none")]
    if sub == "show":
        text = notice.text()
        h = digest(text)
        lines = [ctx.text("notice.show", text=text or "-")]
        for key, pin in sorted(notice.pins.items()):
            state = "current" if pin.text_hash == h else "old"
            day = ctx.kit.calendar.local_date(pin.posted).isoformat()
            lines.append(ctx.text(f"notice.pin_{state}", group=key, id=pin.message_id, date=day))
        return [ctx.say("\n".join(lines))]
    if sub == "set":
        # The text as typed, line breaks kept: everything after `set`.
        raw = ctx.event.text
        cut = raw.lower().find("set")
        text = raw[cut + 3 :].strip() if cut >= 0 else ""
        if not text:
            return [ctx.reply("notice.usage")]
        await notice.set_text(text, ctx.member.key, ctx.now)
        return [ctx.reply("notice.set"), *notice.due(ctx.now)]
    if sub == "refresh":
        notice.refresh()
        return [ctx.reply("notice.refreshing"), *notice.due(ctx.now)]
    return [ctx.reply("notice.usage")]


class NoticeFeature(Base):
    name = "notice"

    def __init__(self, kit: Kit, notice: Notice) -> None:
        self.kit = kit
        self.notice = notice
        self.commands = commands.bind(notice)

    async def tick(self, now: datetime) -> list[Action]:
        return self.notice.due(now)

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is MessageSent and event.ref.startswith(REF):
            return await self.notice.posted(event)
        return []
