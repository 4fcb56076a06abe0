"""Seasons and honour rolls (荣誉激励): each week and month closes on its
boundary in the community's time zone. The close ranks the season's
contribution (the ledger's points by reason, weighted: an answer that was
thanked can count more than chatter, spending never counts), keeps the final
board, gives the top ones their honour title (and its role) until the next
close of the same kind, pays or lists the prizes, and posts the board in
every group (pinned, replacing the previous season's pin).

Exactly once: the close claims the season's note before anything is paid or
posted, so a restart, a second process or a replayed tick closes nothing
twice. Point prizes go through the ledger with keys of their own (`prize:
week:2026-W49:1`) and are written at once; a season whose prizes a crash
may have lost (not marked `settled`) queues them again at start, and the
key refuses a second payment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.config.seasons import Honour, SeasonConfig
from bot.core.actions import Action, GrantRole, RevokeRole, SendMessage, UnpinMessage
from bot.core.directory import chat_of, display, user_of
from bot.core.events import MessageSent
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.economy.shop import Shop
from bot.features.mydata.store import ERASED
from bot.features.notes.groups import community_groups
from bot.features.notes.store import Note, NoteStore
from bot.features.points.points import Points
from bot.features.seasons.periods import KINDS, Period, period
from bot.features.seasons.places import season_alias, season_place

log = logging.getLogger(__name__)

PRIZE = "prize"
REF = "season:"
_CLOSED, _TRACKED, _PIN = "season", "season_open", "season_pin"
# Reasons that never count towards a season unless weighted: a prize of the
# last season must not win the next one.
_UNCOUNTED = {PRIZE: 0.0}


@dataclass(frozen=True, slots=True)
class Held:
    """An honour a member holds until the next close of its kind."""

    season: str
    title: str
    rank: int
    role: str | None = None


class Seasons:
    def __init__(self, kit: Kit, store: NoteStore, points: Points, shop: Shop) -> None:
        self.kit = kit
        self.store = store
        self.points = points
        self.shop = shop
        self.community = kit.config.community.slug
        # The season each kind is counting now.
        self.tracked: dict[str, Period] = {}
        # Kind -> member -> the honour held from the last close.
        self.honours: dict[str, dict[str, Held]] = {k: {} for k in KINDS}
        self.archive: dict[str, dict[str, Any]] = {}
        # (kind, group key) -> the pinned board's message id.
        self.pins: dict[tuple[str, str], int] = {}

    def config(self, kind: str) -> SeasonConfig | None:
        cfg = self.kit.config.seasons.week if kind == "week" else self.kit.config.seasons.month
        return cfg if cfg is not None and cfg.enabled else None

    async def start(self, now: datetime) -> None:
        for n in await self.store.notes(self.community, _CLOSED):
            self.archive[n.key] = n.data
        for kind in KINDS:
            latest = max((k for k in self.archive if k.startswith(kind + ":")), default=None)
            if latest is not None:
                data = self.archive[latest]
                self.honours[kind] = {
                    key: Held(data["id"], h["title"], int(h["rank"]), h.get("role"))
                    for key, h in data["honours"].items()
                }
                if not data.get("settled"):
                    self._requeue_prizes(data, now)
        for n in await self.store.notes(self.community, _PIN):
            kind, _, group = n.key.partition("|")
            self.pins[(kind, group)] = int(n.data["message_id"])
        for n in await self.store.notes(self.community, _TRACKED):
            start = datetime.fromisoformat(n.data["start"])
            self.tracked[n.key] = period(self.kit.calendar, n.key, start)
        await self._track(now)

    async def _track(self, now: datetime) -> None:
        """Kinds switched on start counting with the season containing now
        (no back-fill of seasons the bot did not watch)."""
        for kind in KINDS:
            if self.config(kind) is not None and kind not in self.tracked:
                await self._follow(period(self.kit.calendar, kind, now), now)

    async def _follow(self, p: Period, now: datetime) -> None:
        self.tracked[p.kind] = p
        data = {"id": p.id, "start": p.start.isoformat()}
        await self.store.put(Note(self.community, _TRACKED, p.kind, data, now))

    def _requeue_prizes(self, data: dict[str, Any], now: datetime) -> None:
        for key, rank, amount in data.get("paid", []):
            self.points.award(key, amount, PRIZE, f"prize:{data['kind']}:{data['id']}:{rank}", now)

    async def due(self, now: datetime) -> list[Action]:
        """Close every tracked season that has ended."""
        await self._track(now)
        out: list[Action] = []
        for kind, p in list(self.tracked.items()):
            if now < p.end:
                continue
            if self.config(kind) is not None:
                out += await self.close(p, now)
            await self._follow(period(self.kit.calendar, kind, now), now)
        return out

    def scores(self, earned: dict[tuple[str, str], int]) -> list[tuple[str, int]]:
        weights = {**_UNCOUNTED, **self.kit.config.seasons.weights}
        totals: dict[str, float] = {}
        for (member, reason), points in earned.items():
            totals[member] = totals.get(member, 0.0) + points * weights.get(reason, 1.0)
        ranked = sorted(((k, round(v)) for k, v in totals.items() if round(v) > 0),
                        key=lambda kv: (-kv[1], kv[0]))  # fmt: skip
        return ranked

    async def close(self, p: Period, now: datetime) -> list[Action]:
        cfg = self.config(p.kind)
        assert cfg is not None
        # The season's last points may still wait in the write-behind queue.
        await self.kit.writes.flush()
        ranked = self.scores(await self.store.earned(self.community, p.start, p.end))
        honours: dict[str, dict[str, Any]] = {}
        for rank, (key, _) in enumerate(ranked, 1):
            h = _honour(cfg.honours, rank)
            if h is not None:
                honours[key] = {"title": h.title, "rank": rank, "role": h.role}
        paid = [[key, rank, amount] for rank, ((key, _), amount)
                in enumerate(zip(ranked, cfg.prizes.points, strict=False), 1)]  # fmt: skip
        items = [(key, rank, item) for rank, ((key, _), item)
                 in enumerate(zip(ranked, cfg.prizes.items, strict=False), 1)]  # fmt: skip
        data: dict[str, Any] = {"kind": p.kind, "id": p.id, "start": p.start.isoformat(),
                "end": p.end.isoformat(), "board": [[k, s] for k, s in ranked[: cfg.board]],
                "honours": honours, "paid": paid, "items": [list(i) for i in items]}  # fmt: skip
        if not await self.store.claim(Note(self.community, _CLOSED, p.key, data, now)):
            log.info("season %s was already closed", p.key)
            return []
        self.archive[p.key] = data
        out = self._honour_roles(p, honours)
        self._requeue_prizes(data, now)
        if paid:
            # Stored now, so a start need not queue them again.
            await self.kit.writes.flush()
            data["settled"] = True
            await self.store.put(Note(self.community, _CLOSED, p.key, data, now))
        for key, rank, item in items:
            await self.shop.grant(key, f"🏅 {item} ({p.id} #{rank})", now)
        if not ranked:
            # Kept for /top season, not posted: an empty board honours nobody.
            return out
        text = self.board_text(data, self.kit.config.community.locale)
        for group in community_groups(self.kit):
            out.append(SendMessage(chat_of(group), text, kind="season", pin=cfg.pin,
                                   ref=f"{REF}{p.kind}"))  # fmt: skip
        log_chat = self.kit.log_chat
        if log_chat is not None:
            out.append(SendMessage(log_chat, text, kind="log"))
        return out

    def _honour_roles(self, p: Period, honours: dict[str, dict[str, Any]]) -> list[Action]:
        """Titles pass from last season's holders to this one's, roles with them."""
        before = self.honours[p.kind]
        self.honours[p.kind] = {
            key: Held(p.id, h["title"], h["rank"], h["role"]) for key, h in honours.items()
        }
        out: list[Action] = []
        groups = community_groups(self.kit)
        for key, held in before.items():
            now_held = self.honours[p.kind].get(key)
            if held.role and (now_held is None or now_held.role != held.role):
                out += self._role(key, held.role, groups, grant=False)
        for key, held in self.honours[p.kind].items():
            old = before.get(key)
            if held.role and (old is None or old.role != held.role):
                out += self._role(key, held.role, groups, grant=True)
        return out

    def _role(self, key: str, role: str, groups: list[Any], *, grant: bool) -> list[Action]:
        member = self.kit.directory.members.get(key)
        where = next((g for g in groups if member and g.platform == member.platform), None)
        if member is None or where is None:
            return []
        kind = GrantRole if grant else RevokeRole
        return [kind(chat_of(where), user_of(member), role, "season honour")]

    def board_text(self, data: dict[str, Any], loc: Any) -> str:
        lines = [t(loc, f"seasons.board_{data['kind']}", id=data["id"])]
        if not data["board"]:
            lines.append(t(loc, "seasons.board_empty"))
        prizes = {key: amount for key, _, amount in data.get("paid", [])}
        items = {key: item for key, _, item in data.get("items", [])}
        for rank, (key, score) in enumerate(data["board"], 1):
            line = t(loc, "seasons.line", rank=rank, name=self._name(key, loc), score=score)
            h = data["honours"].get(key)
            if h is not None:
                line += " · 🏅 " + h["title"]
            if key in prizes:
                line += " · " + t(loc, "seasons.prize_points", points=prizes[key])
            if key in items:
                line += " · 🎁 " + items[key]
            lines.append(line)
        return "\n".join(lines)

    def _name(self, key: str, loc: Any) -> str:
        member = self.kit.directory.members.get(key)
        if member is not None:
            return display(member)
        return t(loc, "seasons.former_member") if key.startswith(ERASED) else key

    async def pinned(self, event: MessageSent) -> list[Action]:
        """A board is up: the previous season's board of that kind comes down."""
        kind = event.ref.removeprefix(REF)
        where = (kind, event.chat.key)
        old = self.pins.get(where)
        self.pins[where] = event.message_id
        data = {"message_id": event.message_id}
        await self.store.put(Note(self.community, _PIN, f"{kind}|{event.chat.key}", data, event.at))
        cfg = self.config(kind)
        if old is None or old == event.message_id or cfg is None or not cfg.pin:
            return []
        return [UnpinMessage(event.chat, old)]

    def forget(self, member_key: str, alias: str) -> list[Action]:
        """The member was erased (the store moved their places to `alias`):
        the archive in memory follows, and a role an honour gave is taken
        back now, since no later close can find them under the alias."""
        for data in self.archive.values():
            if season_place(data, member_key) is not None:
                season_alias(data, member_key, alias)
        out: list[Action] = []
        groups = community_groups(self.kit)
        for holders in self.honours.values():
            held = holders.pop(member_key, None)
            if held is None:
                continue
            holders[alias] = held
            if held.role:
                out += self._role(member_key, held.role, groups, grant=False)
        return out

    def held(self, member_key: str) -> list[Held]:
        return [h[member_key] for h in self.honours.values() if member_key in h]

    def badge(self, member_key: str) -> str:
        """The honours a member holds, as the boards show them after a name."""
        return "".join(f" 🏅 {h.title}" for h in self.held(member_key))


def _honour(honours: list[Honour], rank: int) -> Honour | None:
    return next((h for h in honours if rank <= h.top), None)
