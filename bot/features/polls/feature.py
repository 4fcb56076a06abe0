"""Polls: `/poll "question" a | b [in all|g1,g2] [for 2d]`, `/poll list`,
`/poll close N`, and the timer that closes them (bot/features/polls/polls.py)."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import Action
from bot.core.arguments import ident
from bot.core.commands import Context, Registry
from bot.core.events import Event, MessageSent, PollClosed
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.notes.groups import community_groups
from bot.features.polls.parse import PollError, parse_poll
from bot.features.polls.polls import REF, Polls

commands: Registry[Polls] = Registry()


def _after_command(text: str) -> str:
    """What follows the command word, as typed."""
    parts = text.strip().split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


@commands.add("poll", "投票", staff=True)
async def poll_(ctx: Context, polls: Polls) -> list[Action]:
    args = ctx.event.args
    sub = args[0].lower() if args else ""
    if sub == "list":
        return [ctx.say(_listing(ctx, polls))]
    if sub == "close" and len(args) == 2:
        poll = polls.polls.get(ident(args[1]))
        if poll is None or poll.status != "open":
            return [ctx.reply("polls.no_such", id=args[1])]
        return [ctx.reply("polls.closing", id=poll.id), *await polls.close_now(poll, ctx.now)]
    try:
        request = parse_poll(
            _after_command(ctx.event.text),
            lambda name: bool(community_groups(ctx.kit, [name])),
        )
    except PollError as exc:
        return [ctx.reply(exc.key, **exc.values)]
    wanted = request.groups
    if wanted is None and ctx.group is not None:
        groups = [ctx.group]
    else:
        groups = community_groups(ctx.kit, list(wanted) if wanted else None)
    if not groups:
        return [ctx.reply("polls.no_groups")]
    poll, actions = await polls.open(request, groups, ctx.member.key, ctx.now)
    closes = poll.closes.astimezone(ctx.kit.calendar.tz).strftime("%Y-%m-%d %H:%M")
    where = ", ".join(g.title or g.chat_key for g in groups)
    return [*actions, ctx.reply("polls.opened", id=poll.id, groups=where, closes=closes)]


def _listing(ctx: Context, polls: Polls) -> str:
    if not polls.polls:
        return ctx.text("polls.none")
    lines = [ctx.text("polls.list_header")]
    for poll in sorted(polls.polls.values(), key=lambda p: -p.id)[:10]:
        voters = poll.totals()[1]
        lines.append(ctx.text(f"polls.list_{poll.status}", id=poll.id, question=poll.question,
                              voters=voters, groups=len(poll.groups)))  # fmt: skip
    return "\n".join(lines)


class PollsFeature(Base):
    name = "polls"

    def __init__(self, kit: Kit, polls: Polls) -> None:
        self.kit = kit
        self.polls = polls
        self.commands = commands.bind(polls)

    async def tick(self, now: datetime) -> list[Action]:
        return [*await self.polls.due(now), *await self.polls.finish_due(now)]

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is MessageSent and event.ref.startswith(REF):
            await self.polls.sent(event)
        elif type(event) is PollClosed and event.ref.startswith(REF):
            return await self.polls.closed(event)
        return []
