"""Seasons: closing on the timer, the honour in /me, and `/top season [ID]`
(bot/features/seasons/seasons.py)."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import Action
from bot.core.commands import Context
from bot.core.events import Event, MessageSent
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.seasons.periods import kind_of
from bot.features.seasons.seasons import REF, Seasons


async def season_board(ctx: Context, seasons: Seasons, args: tuple[str, ...]) -> list[Action]:
    """`/top season 2026-W49`: a closed season's final board; `/top season`
    lists the seasons kept."""
    if not args:
        ids = [data["id"] for _, data in sorted(seasons.archive.items(),
                                                 key=lambda kv: kv[1]["end"])][-12:]  # fmt: skip
        if not ids:
            return [ctx.reply("seasons.none")]
        return [ctx.reply("seasons.list", ids=", ".join(ids))]
    wanted = args[0].upper()
    kind = kind_of(wanted)
    data = seasons.archive.get(f"{kind}:{wanted}") if kind else None
    if data is None:
        return [ctx.reply("seasons.unknown", id=args[0])]
    return [ctx.say(seasons.board_text(data, ctx.locale))]


async def me_lines(ctx: Context, seasons: Seasons) -> list[str]:
    return [
        ctx.text("seasons.me", title=h.title, season=h.season, rank=h.rank)
        for h in seasons.held(ctx.member.key)
    ]


class SeasonsFeature(Base):
    name = "seasons"

    def __init__(self, kit: Kit, seasons: Seasons) -> None:
        self.kit = kit
        self.seasons = seasons

    async def me(self, ctx: Context) -> list[str]:
        return await me_lines(ctx, self.seasons)

    async def board(self, ctx: Context, args: tuple[str, ...]) -> list[Action]:
        return await season_board(ctx, self.seasons, args)

    async def tick(self, now: datetime) -> list[Action]:
        return await self.seasons.due(now)

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is MessageSent and event.ref.startswith(REF):
            return await self.seasons.pinned(event)
        return []
