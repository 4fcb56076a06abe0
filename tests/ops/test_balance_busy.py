"""`groupkeeper run --config-dir`: a process over its share hands over the
communities that are quiet, and the busy one stays where it runs.

One process owns four communities; in one of them (tg-d, the one the last
by name would have sent away) members keep checking in and chatting, the
other three are quiet. A second process joins: the first hands two over,
and they are two quiet ones, while tg-d goes on being answered by the
first throughout. Every check-in is answered once and counted once, in the
busy community and in the moved ones afterwards. SQLite, real processes,
fake Bot APIs, as tests/ops/test_config_dir.py."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ops.processes import (
    checkins,
    community_folder,
    fake_telegrams,
    free_port,
    health,
    owned,
    roles,
    start,
    wait,
)
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, MOD, OWNER

SLUGS = ("tg-a", "tg-b", "tg-c", "tg-d")
BUSY, QUIET = "tg-d", ("tg-a", "tg-b", "tg-c")
MEMBERS = {ANN: "@ann", BOB: "Bob", MOD: "@max_mod", OWNER: "@olga"}
FAST = "\nstandby: {takeover: 5s}\n"
HANDING_OVER = re.compile(r"community (tg-.): handing it over to balance")
WORDS = ("meetup", "slides", "venue", "coffee", "schedule", "speakers", "tickets", "parking")


@pytest.fixture
async def apis() -> AsyncIterator[dict[str, FakeBotApi]]:
    async with fake_telegrams(SLUGS, first=1) as servers:
        yield servers


async def test_the_busy_community_stays_and_a_quiet_one_is_handed_over(
    apis: dict[str, FakeBotApi], tmp_path: Path
) -> None:
    folder = tmp_path / "communities"
    env = community_folder(folder, apis, FAST)
    db = tmp_path / "gk.db"
    args = ["--config-dir", str(folder), "--db", f"sqlite+aiosqlite:///{db}"]
    port_a, port_b = free_port(), free_port()
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    busy = apis[BUSY]

    def logs() -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(encoding="utf-8")[-3000:]
            for p in (log_a, log_b)
            if p.exists()
        )

    # Messages posted in tg-d, by whether they were check-ins.
    posted: Counter[bool] = Counter()
    # What the second process was ever seen to own.
    seen_b: set[str] = set()

    async def split(x: int, y: int) -> bool:
        for process in processes:
            if process.returncode is not None:
                raise AssertionError("a process exited " + logs())
        found_a, found_b = owned(await roles(port_a)), owned(await roles(port_b))
        seen_b.update(found_b)
        return len(found_a) == x and len(found_b) == y and not found_a & found_b

    async def chat(stop: asyncio.Event) -> None:
        """Members take turns in tg-d, one message every 0.8 s (each member
        well under the flood rule's 5 in 10 s), a check-in now and then."""
        n = 0
        while not stop.is_set():
            member = list(MEMBERS)[n % len(MEMBERS)]
            word = WORDS[n % len(WORDS)]
            text = "/checkin" if n % 8 < 4 else f"what about the {word} ({n}) for the next one?"
            busy.post(GROUP, member, text)
            posted[text == "/checkin"] += 1
            n += 1
            await asyncio.sleep(0.8)

    first = await start(args, env | {"GK_METRICS_PORT": str(port_a)}, log_a)
    processes = [first]
    stop_chat = asyncio.Event()
    chatting: asyncio.Task[None] | None = None
    try:
        await wait(lambda: split(4, 0), 120, lambda: "the first to own all four " + logs())
        await wait(
            lambda: all(api.allowed_updates is not None for api in apis.values()),
            60,
            lambda: "every bot's first poll " + logs(),
        )
        chatting = asyncio.create_task(chat(stop_chat))
        # tg-d is busy before the second comes (and while it starts).
        await wait(
            lambda: all(checkins(busy, n, "new") == 1 for n in MEMBERS.values()),
            120,
            lambda: "the busy community's check-ins " + logs(),
        )
        second = await start(args, env | {"GK_METRICS_PORT": str(port_b)}, log_b)
        processes.append(second)
        await wait(lambda: split(2, 2), 120, lambda: "a 2/2 share " + logs())
        # Still busy, and still answered, after the hand-overs.
        after = {n: checkins(busy, n, "again") for n in MEMBERS.values()}
        await wait(
            lambda: all(checkins(busy, n, "again") > after[n] for n in MEMBERS.values()),
            120,
            lambda: "the busy community answered after the share " + logs(),
        )
        stop_chat.set()
        await chatting
        await wait(
            lambda: (
                sum(checkins(busy, n, "again") for n in MEMBERS.values())
                >= posted[True] - len(MEMBERS)
            ),
            60,
            lambda: "every check-in in the busy community answered " + logs(),
        )
        # The moved communities are served by the second.
        for slug in QUIET:
            apis[slug].post(GROUP, ANN, "/checkin")
        await wait(
            lambda: all(checkins(apis[s], "@ann", "new") == 1 for s in QUIET),
            60,
            lambda: "the quiet communities' check-ins " + logs(),
        )
        final = (owned(await roles(port_a)), owned(await roles(port_b)))
        _, report = await health(port_a)
        for process in processes:
            process.send_signal(signal.SIGTERM)
        assert [await asyncio.wait_for(p.wait(), 60) for p in processes] == [0, 0]
    finally:
        stop_chat.set()
        if chatting is not None:
            await asyncio.gather(chatting, return_exceptions=True)
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()

    # Two quiet ones went, one at a time, the last by name first; tg-d
    # never moved, and the second handed nothing back.
    assert HANDING_OVER.findall(log_a.read_text(encoding="utf-8")) == ["tg-c", "tg-b"], logs()
    assert not HANDING_OVER.findall(log_b.read_text(encoding="utf-8")), logs()
    assert final == ({"tg-a", BUSY}, {"tg-b", "tg-c"}) and BUSY not in seen_b
    # The first reported tg-d as its busy one.
    load = report["process"]["load"]
    assert set(load) == {"tg-a", BUSY} and load[BUSY] > load["tg-a"]
    # Every check-in answered once: tg-d's first as new, the rest as repeats.
    for name in MEMBERS.values():
        assert checkins(busy, name, "new") == 1, (name, busy.sent(GROUP))
    again = sum(checkins(busy, n, "again") for n in MEMBERS.values())
    assert again == posted[True] - len(MEMBERS) and posted[False] > 0
    for slug in QUIET:
        assert checkins(apis[slug], "@ann", "new") == 1
        assert checkins(apis[slug], "@ann", "again") == 0
    # And counted once: one check-in row per member and community.
    rows = _checkins(db)
    expected = {(BUSY, f"telegram:{m}") for m in MEMBERS} | {(s, f"telegram:{ANN}") for s in QUIET}
    assert Counter(rows) == Counter(expected)


def _checkins(db: Path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT community, member_key, delta FROM points_ledger WHERE key LIKE 'checkin:%'"
        ).fetchall()
    finally:
        connection.close()
    assert all(delta == 10 for _, _, delta in rows), rows
    return [(community, member) for community, member, _ in rows]
