"""Discord: raw gateway MESSAGE_CREATE payloads to the engine's decision,
beside discord.py's own parse cost of the same payloads.

    .venv/bin/python bench/discord_events.py [--messages 20000] [--members 500]

Three timings over the same payloads, on one core:
  parse   discord.py's parser alone (`ConnectionState.parse_message_create`:
          the Message, its Member and mentions), what any discord.py bot pays;
  parse + translate
          the same, then `adapters.discord.translate` to the core's event;
  full    all that, then `Engine.handle` (rules, points, write-behind with
          SQLite) up to the list of actions, which are not carried out;
  ratio   full / parse: how much the bot adds on top of discord.py.
No network and no token: the parser runs offline (adapters.discord.payloads).
Not a test: figures go in the closing notes, not in assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.app import build_app  # noqa: E402
from adapters.discord import translate  # noqa: E402
from adapters.discord.payloads import OfflineParser  # noqa: E402

GUILD = 1_300_000_000_000_000_000
CHANNELS = [GUILD + 1, GUILD + 2, GUILD + 3]
BOT = GUILD + 9
DISCORD_EPOCH_MS = 1_420_070_400_000
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
WORDS = ["the", "solar", "grid", "battery", "founders", "funding", "pitch", "deck", "market"]
CHARS_ZH = "我们今天讨论新能源项目融资的经验欢迎大家分享观点储能光伏电池市场"
BLOCKED = ["加微信领资料", "w.e.c.h.a.t me now", "代开发票 联系我"]


def user(uid: int, name: str) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": False,
        "public_flags": 0,
    }


def guild_payload() -> dict[str, Any]:
    return {
        "id": str(GUILD),
        "name": "Green Energy Founders",
        "owner_id": str(GUILD + 8),
        "icon": None,
        "roles": [
            {"id": str(GUILD), "name": "@everyone", "permissions": "104324673", "position": 0}
        ],
        "channels": [
            {"id": str(c), "type": 0, "name": f"chat-{n}", "position": n, "guild_id": str(GUILD)}
            for n, c in enumerate(CHANNELS)
        ],
        "members": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": 1,
    }


def text(rng: random.Random, n: int) -> str:
    roll = rng.random()
    if roll < 0.03:
        return rng.choice(BLOCKED)
    if roll < 0.05:
        return rng.choice(["!checkin", "/checkin", "签到", "!me"])
    if roll < 0.5:
        return "".join(rng.choice(CHARS_ZH) for _ in range(rng.choice([2, 8, 30])))
    return " ".join(rng.choice(WORDS) for _ in range(rng.choice([1, 6, 25])))


def message_payloads(count: int, members: int, seed: int = 7) -> list[dict[str, Any]]:
    """Discord-shaped MESSAGE_CREATE payloads: ids are snowflakes of their
    send time (one message every 50 ms), as discord.py reads created_at
    from the id."""
    rng = random.Random(seed)
    authors = [user(GUILD + 1000 + m, f"member{m}") for m in range(members)]
    start_ms = int(START.timestamp() * 1000) - DISCORD_EPOCH_MS
    out = []
    for n in range(count):
        author = rng.choice(authors)
        at_ms = start_ms + n * 50
        sent = datetime.fromtimestamp((at_ms + DISCORD_EPOCH_MS) / 1000, UTC).isoformat()
        mentions = [rng.choice(authors)] if rng.random() < 0.1 else []
        content = text(rng, n)
        if mentions:
            content += f" <@{mentions[0]['id']}>"
        out.append(
            {
                "id": str((at_ms << 22) | (n & 0x3FFFFF)),
                "channel_id": str(rng.choice(CHANNELS)),
                "guild_id": str(GUILD),
                "author": author,
                "member": {"roles": [], "joined_at": "2025-06-01T00:00:00+00:00", "deaf": False,
                           "mute": False, "flags": 0, "pending": False},
                "content": content,
                "timestamp": sent,
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
        )  # fmt: skip
    return out


def time_parse(parser: OfflineParser, payloads: list[dict[str, Any]]) -> float:
    parse = parser.state.parse_message_create
    gc.collect()
    began = time.perf_counter()
    for payload in payloads:
        parse(payload)  # type: ignore[arg-type]
    return time.perf_counter() - began


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


def time_translated(
    parser: OfflineParser, payloads: list[dict[str, Any]], known: frozenset[str]
) -> float:
    parse = parser.state.parse_message_create
    messages: list[Any] = []
    parser.state.dispatch = lambda event, *args: messages.append(args[0])  # type: ignore[method-assign]
    gc.collect()
    began = time.perf_counter()
    for payload in payloads:
        parse(payload)  # type: ignore[arg-type]
        translate.message_event(messages.pop(), prefix="!", commands=known)
    return time.perf_counter() - began


async def time_full(parser: OfflineParser, payloads: list[dict[str, Any]], db: str) -> float:
    app = await build_app(ROOT / "config.example.yaml", db, background_flush=False)
    engine = app.engine
    parse = parser.state.parse_message_create
    known = frozenset(engine.commands())
    prefix = app.config.platforms.discord.prefix
    messages: list[Any] = []
    parser.state.dispatch = lambda event, *args: messages.append(args[0])  # type: ignore[method-assign]
    decided = 0
    try:
        gc.collect()
        began = time.perf_counter()
        for payload in payloads:
            parse(payload)  # type: ignore[arg-type]
            event = translate.message_event(messages.pop(), prefix=prefix, commands=known)
            decided += len(await engine.handle(event))
        elapsed = time.perf_counter() - began
    finally:
        await app.close()
    print(f"  actions decided: {decided}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3, help="best of N for each timing")
    args = ap.parse_args()

    payloads = message_payloads(args.messages, args.members)
    bot_user = user(BOT, "groupkeeper") | {"bot": True}
    n = len(payloads)
    print(f"{n} MESSAGE_CREATE payloads, {args.members} members, 3 channels")

    parse_best = min(
        time_parse(OfflineParser(guild_payload(), bot_user), payloads) for _ in range(args.rounds)
    )
    known = asyncio.run(core_commands())
    translated_best = min(
        time_translated(OfflineParser(guild_payload(), bot_user), payloads, known)
        for _ in range(args.rounds)
    )
    full_best = float("inf")
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            parser = OfflineParser(guild_payload(), bot_user)
            full_best = min(full_best, asyncio.run(time_full(parser, payloads, db)))

    for label, seconds in (
        ("parse (discord.py)", parse_best),
        ("parse + translate", translated_best),
        ("full: + engine decision", full_best),
    ):
        print(f"{label:<26} {seconds / n * 1e6:8.1f} µs/msg {n / seconds:10.0f} msg/s")
    print(f"{'ratio full/parse':<26} {full_best / parse_best:8.2f}x")


if __name__ == "__main__":
    main()
