"""Discord: raw gateway payloads to the engine's decision, beside discord.py's
own parse cost of the same payloads.

    .venv/bin/python bench/discord_events.py [--messages 20000] [--members 5000]
                                             [--channels 10] [--mix realistic|worst|both]

Two mixes, each on a fresh database:
  realistic   bench/engine.py's realistic mix written as Discord gateway
              payloads: 90% of members are regulars (joined weeks to a year
              ago, past the spam guard's approval: their earlier messages
              are loaded as a restart would), 10% a long tail of newcomers;
              regulars write about 90% of the messages, a few of them most
              of it; a join every 250 events and a leave every 400
              (GUILD_MEMBER_ADD / GUILD_MEMBER_REMOVE); 3% commands, 3%
              links, 0.5% blocked phrases; a reply in one message of ten.
  worst case  every author is a member the bot has never seen (their first
              messages: the whole spam detector on each), 2% commands, 3%
              blocked phrases: the bench as it was before the mixes.

Timings over the same payloads, CPU time (process_time) on one core, best
of --rounds:
  parse       discord.py's parsers alone (`parse_message_create`, ...: the
              Message, its Member and mentions): what any discord.py bot pays;
  + translate the same, then `adapters.discord.translate` to the core's events;
  engine only the translated events through `Engine.handle` (rules, points,
              write-behind with SQLite, the last batch written included), no
              parse and no translate: the core's own share;
  full        parse + translate + `Engine.handle` up to the list of actions
              (not carried out), the last batch written included;
  bot         what the running bot does per event (`DiscordCommunity`:
              the command check, the outbox holding each event's actions
              with its batch, commits, each action marked sent by a platform
              that answers at once): the full path plus the adapter's own
              delivery, each event's commits and sends finished before the
              next event arrives (a server whose messages come further apart
              than a commit takes: nearly all of them);
  ratio       each / parse: how much the bot adds on top of discord.py.
The rows that run the bot do so with the collector tuned as `groupkeeper run`
tunes it (`bot.core.collector.serving`); the parse rows keep CPython's
defaults, as a discord.py bot runs.
No network and no token: the parser runs offline (adapters.discord.payloads).
BENCH_TREE=<checkout> measures another checkout (before/after).
Not a test: figures go in the closing notes, not in assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from adapters.app import App, build_app  # noqa: E402
from adapters.discord import translate  # noqa: E402
from adapters.discord.payloads import OfflineParser  # noqa: E402
from bot.core.events import Event, MemberJoined, MemberLeft, MessagePosted  # noqa: E402

GUILD = 1_300_000_000_000_000_000
BOT = GUILD + 9
DISCORD_EPOCH_MS = 1_420_070_400_000
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
WORDS = ["the", "solar", "grid", "battery", "founders", "funding", "pitch", "deck", "market"]
CHARS_ZH = "我们今天讨论新能源项目融资的经验欢迎大家分享观点储能光伏电池市场"
BLOCKED = ["加微信领资料", "w.e.c.h.a.t me now", "代开发票 联系我"]

Payload = dict[str, Any]
# (gateway event name, payload), as the websocket hands them to the parser.
Raw = tuple[str, Payload]


def channel_id(n: int) -> int:
    return GUILD + 100 + n


def user_id(n: int) -> int:
    return GUILD + 1000 + n


def user(uid: int, name: str) -> Payload:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": False,
        "public_flags": 0,
    }


def guild_payload(channels: int) -> Payload:
    return {
        "id": str(GUILD),
        "name": "Green Energy Founders",
        "owner_id": str(GUILD + 8),
        "icon": None,
        "roles": [
            {"id": str(GUILD), "name": "@everyone", "permissions": "104324673", "position": 0}
        ],
        "channels": [
            {"id": str(channel_id(n)), "type": 0, "name": f"chat-{n}", "position": n,
             "guild_id": str(GUILD)}
            for n in range(channels)
        ],
        "members": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": 1,
    }  # fmt: skip


def snowflake(at: datetime, n: int) -> int:
    """Discord ids are their creation time: discord.py reads created_at from them."""
    return ((int(at.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | (n & 0x3FFFFF)


def member_part(joined: datetime) -> Payload:
    return {"roles": [], "joined_at": joined.isoformat(), "deaf": False, "mute": False,
            "flags": 0, "pending": False}  # fmt: skip


def message(
    n: int,
    at: datetime,
    channel: int,
    author: Payload,
    joined: datetime,
    content: str,
    mentions: list[Payload],
    reply: tuple[int, Payload] | None = None,
) -> Raw:
    payload: Payload = {
        "id": str(snowflake(at, n)),
        "channel_id": str(channel),
        "guild_id": str(GUILD),
        "author": author,
        "member": member_part(joined),
        "content": content,
        "timestamp": at.isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": False,
        "sticker_items": [],
        "type": 0,
        "flags": 0,
    }
    if reply is not None:
        # A reply carries the message it answers, as the gateway sends it.
        replied, to = reply
        payload["type"] = 19
        payload["message_reference"] = {
            "message_id": str(replied), "channel_id": str(channel), "guild_id": str(GUILD),
        }  # fmt: skip
        payload["referenced_message"] = payload | {
            "id": str(replied), "author": to, "content": "earlier", "type": 0, "mentions": [],
        }  # fmt: skip
        payload["referenced_message"].pop("message_reference")
        payload["referenced_message"].pop("member")
    return "MESSAGE_CREATE", payload


@dataclass(frozen=True, slots=True)
class Mix:
    name: str
    raw: list[Raw]
    # Members the bot knew before the bench: (GUILD_MEMBER_ADD payload of
    # their join, messages they had written).
    known: list[tuple[Payload, int]]
    channels: int


def worst(messages: int, members: int, channels: int, seed: int = 7) -> Mix:
    """Every author unseen by the bot: their first messages, each through
    the whole spam detector."""
    rng = random.Random(seed)
    authors = [user(user_id(m), f"member{m}") for m in range(members)]
    joined = datetime(2025, 6, 1, tzinfo=UTC)
    raw = []
    for n in range(messages):
        author = rng.choice(authors)
        at = START + timedelta(milliseconds=50 * n)
        mentions = [rng.choice(authors)] if rng.random() < 0.1 else []
        roll = rng.random()
        if roll < 0.03:
            content = rng.choice(BLOCKED)
        elif roll < 0.05:
            content = rng.choice(["!checkin", "/checkin", "签到", "!me"])
        elif roll < 0.5:
            content = "".join(rng.choice(CHARS_ZH) for _ in range(rng.choice([2, 8, 30])))
        else:
            content = " ".join(rng.choice(WORDS) for _ in range(rng.choice([1, 6, 25])))
        if mentions:
            content += f" <@{mentions[0]['id']}>"
        raw.append(message(n, at, channel_id(rng.randrange(channels)), author, joined,
                           content, mentions))  # fmt: skip
    return Mix("worst case", raw, [], channels)


def _engine_bench() -> Any:
    """bench/engine.py, whose realistic mix this bench writes as Discord payloads."""
    name = "bench_engine_mix"
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("engine.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def realistic(messages: int, members: int, channels: int) -> Mix:
    """bench/engine.py's realistic mix, its Telegram-shaped events written as
    the Discord gateway sends them: the same members, texts, joins, leaves
    and replies, one channel per group."""
    events = _engine_bench().realistic(channels, members, messages)
    joined: dict[str, datetime] = {}
    people: dict[str, Payload] = {}

    def author(ref: Any) -> Payload:
        found = people.get(ref.user_id)
        if found is None:
            n = int(ref.user_id) - 10_000
            found = people[ref.user_id] = user(user_id(n), f"member{n}")
        return found

    def home(chat: Any) -> int:
        return channel_id(-1_000_000 - int(chat.chat_id))

    def member_add(ev: MemberJoined) -> Payload:
        return {"guild_id": str(GUILD), "user": author(ev.member)} | member_part(ev.at)

    known = []
    for ev in events.joins:
        assert isinstance(ev, MemberJoined)
        joined[ev.member.user_id] = ev.at
        known.append((member_add(ev), events.history.get(ev.member.key, 0)))
    raw: list[Raw] = []
    ids: dict[tuple[str, int], int] = {}
    for n, ev in enumerate(events.traffic):
        if isinstance(ev, MemberJoined):
            joined[ev.member.user_id] = ev.at
            raw.append(("GUILD_MEMBER_ADD", member_add(ev)))
        elif isinstance(ev, MemberLeft):
            raw.append(("GUILD_MEMBER_REMOVE",
                        {"guild_id": str(GUILD), "user": author(ev.member)}))  # fmt: skip
        elif isinstance(ev, MessagePosted):
            sid = snowflake(ev.at, n)
            ids[(ev.chat.chat_id, ev.message_id)] = sid
            reply = None
            if ev.reply_to is not None and ev.reply_to.sender is not None:
                earlier = ids.get((ev.chat.chat_id, ev.reply_to.message_id), sid - 1)
                reply = (earlier, author(ev.reply_to.sender))
            raw.append(message(n, ev.at, home(ev.chat), author(ev.sender),
                               joined[ev.sender.user_id], ev.text, [], reply))  # fmt: skip
    return Mix("realistic", raw, known, channels)


class Feed:
    """discord.py's parsers for one pass over a mix, and what they dispatch
    turned into the core's events (the bench's stand-in for the client's
    `on_message`, `on_member_join` and `on_raw_member_remove`)."""

    def __init__(self, mix: Mix, prefix: str, known: frozenset[str]) -> None:
        bot_user = user(BOT, "groupkeeper") | {"bot": True}
        self.parser = OfflineParser(guild_payload(mix.channels), bot_user)
        self.parsers = self.parser.state.parsers
        self.prefix = prefix
        self.known = known
        self.home = translate.chat_ref(self.parser.guild.get_channel(channel_id(0)))
        self.out: list[tuple[str, Any]] = []
        self.parser.state.dispatch = self._dispatch

    def _dispatch(self, event: str, *args: Any) -> None:
        if event in ("message", "member_join", "raw_member_remove"):
            self.out.append((event, args[0]))

    def parse(self, raw: Raw) -> None:
        self.parsers[raw[0]](raw[1])
        self.out.clear()

    def event(self, raw: Raw, at: datetime) -> Event | None:
        self.parsers[raw[0]](raw[1])
        if not self.out:
            return None
        kind, obj = self.out.pop()
        self.out.clear()
        if kind == "message":
            return translate.message_event(obj, prefix=self.prefix, commands=self.known)
        if kind == "member_join":
            return translate.member_joined(obj, self.home, obj.joined_at or at, None)
        return translate.member_left(obj.user, self.home, at)


def _at(raw: Raw, fallback: datetime) -> datetime:
    joined = raw[1].get("joined_at")
    return datetime.fromisoformat(joined) if joined else fallback


async def _app(db: str, mix: Mix) -> App:
    """The bot's app on a fresh database, the mix's known members loaded
    (their joins, then their message counts, as a restart would find them)."""
    app = await build_app(ROOT / "config.example.yaml", db, background_flush=False)
    engine = app.engine
    feed = Feed(mix, app.config.platforms.discord.prefix, frozenset(engine.commands()))
    for payload, _ in mix.known:
        event = feed.event(("GUILD_MEMBER_ADD", payload), START)
        assert event is not None
        await engine.handle(event)
    directory = engine.kit.directory
    for payload, count in mix.known:
        if count:
            member = directory.members[f"discord:{payload['user']['id']}"]
            member.message_count = count
            directory.touch(member)
    await engine.writes.flush(everything=True)
    return app


def cpu(run: Callable[[], Any]) -> float:
    gc.collect()
    began = time.process_time()
    run()
    return time.process_time() - began


def time_parse(mix: Mix, known: frozenset[str]) -> float:
    feed = Feed(mix, "!", known)

    def run() -> None:
        # Nothing kept: each parsed message is dropped, as a bot drops it.
        for raw in mix.raw:
            feed.parse(raw)

    return cpu(run)


def time_translated(mix: Mix, known: frozenset[str]) -> float:
    feed = Feed(mix, "!", known)

    def run() -> None:
        for raw in mix.raw:
            feed.event(raw, START)

    return cpu(run)


async def time_engine(mix: Mix, db: str) -> float:
    app = await _app(db, mix)
    engine = app.engine
    feed = Feed(mix, app.config.platforms.discord.prefix, frozenset(engine.commands()))
    events = [feed.event(raw, _at(raw, START)) for raw in mix.raw]
    try:
        gc.collect()
        began = time.process_time()
        for event in events:
            if event is not None:
                await engine.handle(event)
        await engine.writes.flush(everything=True)
        return time.process_time() - began
    finally:
        await app.close()


async def time_full(mix: Mix, db: str) -> tuple[float, int]:
    app = await _app(db, mix)
    engine = app.engine
    feed = Feed(mix, app.config.platforms.discord.prefix, frozenset(engine.commands()))
    decided = 0
    try:
        gc.collect()
        began = time.process_time()
        for raw in mix.raw:
            event = feed.event(raw, START)
            if event is not None:
                decided += len(await engine.handle(event))
        await engine.writes.flush(everything=True)
        return time.process_time() - began, decided
    finally:
        await app.close()


async def quiet(running: set[asyncio.Task[Any]]) -> None:
    """Until the tasks an event set off (its commit, its sends, their marks)
    are done, `running` (the app's own, such as the config watcher) aside:
    the next event arrives after them, as on any server whose messages come
    further apart than a commit takes."""
    while others := asyncio.all_tasks() - running:
        await asyncio.wait(others)


async def time_bot(mix: Mix, db: str) -> float:
    """Messages through the running bot's own handler: `DiscordCommunity.on_message`
    (the prefix-command check, the channel's first sighting, the outbox),
    with a platform that carries each action out at once. Joins and leaves
    take the same route as in `full` (the invite diff needs the API)."""
    from adapters.discord.client import build_bot

    app = await _app(db, mix)
    bot = build_bot(app)
    community = bot.community

    async def carried(action: Any) -> None:
        return None

    community.gateway.dispatch = carried  # type: ignore[method-assign]
    feed = Feed(mix, community.prefix, frozenset(app.engine.commands()))
    # The command check reads the bot's own user (set at login otherwise).
    bot._connection.user = feed.parser.state.user
    engine = app.engine
    running = asyncio.all_tasks()
    try:
        gc.collect()
        began = time.process_time()
        for raw in mix.raw:
            feed.parsers[raw[0]](raw[1])
            if not feed.out:
                continue
            kind, obj = feed.out.pop()
            feed.out.clear()
            if kind == "message":
                await community.on_message(obj)
            else:
                kind_event = (
                    translate.member_joined(obj, feed.home, obj.joined_at or START, None)
                    if kind == "member_join"
                    else translate.member_left(obj.user, feed.home, START)
                )
                await community.handle(kind_event)
            await quiet(running)
        await community.delivery.stop(60.0)
        await engine.writes.flush(everything=True)
        return time.process_time() - began
    finally:
        await bot.close()
        await app.close()


def measure(mix: Mix, rounds: int, known: frozenset[str], bot: bool) -> None:
    # The reference is cheap to time: more rounds, so a busy moment on a
    # shared machine does not make it look slower than it is.
    parse = min(time_parse(mix, known) for _ in range(max(rounds, 5)))
    translated = min(time_translated(mix, known) for _ in range(max(rounds, 5)))

    def fresh(timing: Callable[[str], Any]) -> Any:
        with tempfile.TemporaryDirectory() as tmp, serving():
            return asyncio.run(timing(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"))

    engine = min(fresh(lambda db: time_engine(mix, db)) for _ in range(rounds))
    fulls = [fresh(lambda db: time_full(mix, db)) for _ in range(rounds)]
    full = min(f[0] for f in fulls)
    rows = [
        ("parse (discord.py)", parse),
        ("parse + translate", translated),
        ("engine only", engine),
        ("full: parse+translate+engine", full),
    ]
    if bot:
        rows.append(("bot: + outbox, delivery", min(fresh(lambda db: time_bot(mix, db))
                                                     for _ in range(rounds))))  # fmt: skip
    n = len(mix.raw)
    messages = sum(1 for kind, _ in mix.raw if kind == "MESSAGE_CREATE")
    print(f"  {mix.name}: {n:,} payloads ({messages:,} MESSAGE_CREATE), "
          f"{len(mix.known):,} members known before, {fulls[0][1]:,} actions decided")  # fmt: skip
    for label, seconds in rows:
        print(
            f"    {label:<30} {seconds / n * 1e6:7.1f} µs CPU/event {n / seconds:9,.0f} ev/s"
            f"  {seconds / parse:5.2f}x parse"
        )
    alone = (translated - parse) / n * 1e6
    apart = (full - engine - translated) / n * 1e6
    print(
        f"    translate alone {alone:.1f} µs/event; full minus its parts timed apart {apart:.1f} µs"
    )


def serving() -> AbstractContextManager[None]:
    """The collector as `groupkeeper run` sets it, for the rows that run the
    bot (the parse rows keep CPython's defaults, as a discord.py bot runs);
    a tree older than that keeps the defaults throughout."""
    try:
        from bot.core.collector import serving as tuned
    except ImportError:
        return nullcontext()
    return tuned()


async def core_commands() -> frozenset[str]:
    """The command names the core knows, as the Discord adapter reads them
    from the running engine."""
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite+aiosqlite:///{Path(tmp) / 'names.db'}"
        app = await build_app(ROOT / "config.example.yaml", db, background_flush=False)
        try:
            return frozenset(app.engine.commands())
        finally:
            await app.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--members", type=int, default=5_000)
    ap.add_argument("--channels", type=int, default=10)
    ap.add_argument("--mix", choices=["realistic", "worst", "both"], default="both")
    ap.add_argument("--rounds", type=int, default=2, help="best of N for each timing")
    ap.add_argument("--no-bot", action="store_true", help="skip the running bot's path")
    args = ap.parse_args()
    # The offline client logs what it cannot do without a connection.
    logging.disable(logging.WARNING)

    mixes = []
    if args.mix in ("realistic", "both"):
        mixes.append(realistic(args.messages, args.members, args.channels))
    if args.mix in ("worst", "both"):
        mixes.append(worst(args.messages, args.members, args.channels))
    known = asyncio.run(core_commands())
    print(
        f"discord: {args.channels} channels, {args.members:,} members, every feature of "
        f"config.example.yaml, SQLite, CPU time on one core (tree {ROOT})"
    )
    for mix in mixes:
        measure(mix, args.rounds, known, not args.no_bot)


if __name__ == "__main__":
    main()
