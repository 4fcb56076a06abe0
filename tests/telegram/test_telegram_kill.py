"""kill -9 in the middle of a burst, against the fake Bot API: every update is
handled once and every reply and removal is delivered.

The bot runs as a process of its own (`tests.telegram.live_runner`: the real
runner, python-telegram-bot unmodified). A burst of check-ins and spam is
posted, the process is killed with SIGKILL after a random number of the
bot's calls have reached the server, started again, killed again, and
finally left to finish. Then: each check-in paid once (the ledger), each
check-in answered, each spam message removed and its sender warned.

Why it holds: an update is confirmed to Telegram (the next getUpdates'
offset) only after its effects, its platform cursor and its actions are
committed together (the transactional outbox, `adapters.outbox`); on start
the actions stored and not marked sent are sent. What may come twice is an
action the server had carried out when the kill came but whose mark was not
committed yet: one commit's worth, counted and bounded below.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.sql_store import SqlStore
from tests.telegram.fake_bot_api import FakeBotApi, Member, ServerLimits
from tests.telegram.harness import CONFIG, GROUP, populate

ROOT = Path(__file__).resolve().parents[2]
CHECKINS = 30
SPAMMERS = 12
KILLS = 2


async def start(
    api: FakeBotApi, db_url: str, log: Path, hook: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """The bot, its output in `log` (pytest shows it when the test fails);
    with `hook` (the environment of webhook mode), served by its webhook."""
    env = os.environ | {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    env["GROUPKEEPER_LOG"] = "INFO"
    env |= hook or {}
    polls = len(api.offsets)
    hooks = len(api.called("setWebhook"))
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.telegram.live_runner", str(CONFIG), db_url,
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    if hook:
        await api.wait_for(lambda: len(api.called("setWebhook")) > hooks, 60, "the webhook")
    else:
        await api.wait_for(lambda: len(api.offsets) > polls, 60, "the bot's first poll")
    return process


def webhook_env() -> dict[str, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "GK_TG_MODE": "webhook",
        "GK_TG_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg-hook",
        "GK_TG_PORT": str(port),
        "GK_TG_SECRET": "kill-test-secret",
    }


def effects(api: FakeBotApi) -> int:
    return len(api.called("sendMessage")) + len(api.called("deleteMessage"))


def replies_to(api: FakeBotApi, message_ids: set[int]) -> Counter[int]:
    """How many messages the bot sent in reply to each of these messages."""
    return Counter(
        json.loads(p["reply_parameters"])["message_id"]
        for p in api.called("sendMessage", chat_id=GROUP)
        if "reply_parameters" in p
        and json.loads(p["reply_parameters"])["message_id"] in message_ids
    )


@pytest.fixture
async def roomy() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API whose flood limits match the live runner's (opened up)."""
    server = FakeBotApi(limits=ServerLimits(group=1000, group_period=1.0, overall=1000))
    await server.start()
    yield populate(server)
    await server.stop()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_kill_9_in_a_burst_loses_nothing_and_doubles_nothing(
    roomy: FakeBotApi, tmp_path: Path, seed: int
) -> None:
    await burst(roomy, tmp_path, seed)
    # No update came to the bot after its effects were stored: the polls'
    # offsets only ever moved forward.
    confirmed = [o for o in roomy.offsets if o is not None]
    assert confirmed == sorted(confirmed)


async def test_kill_9_with_a_webhook_loses_nothing_and_doubles_nothing(
    roomy: FakeBotApi, tmp_path: Path
) -> None:
    """The webhook answers 200 once an update's effects are stored: one the
    kill cut short is posted again by Telegram and handled then."""
    await burst(roomy, tmp_path, 4, webhook_env())
    assert roomy.webhook_rejections > 0  # posts met the dead process


async def burst(
    api: FakeBotApi, tmp_path: Path, seed: int, hook: dict[str, str] | None = None
) -> None:
    rng = random.Random(seed)
    users = list(range(3000, 3000 + CHECKINS + SPAMMERS))
    for uid in users:
        api.add_user(uid, f"M{uid}")
        api.chats[GROUP].members[uid] = Member(api.users[uid])
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'kill.db'}"
    log = tmp_path / "bot.log"

    checkins: dict[int, int] = {}
    spam: dict[int, int] = {}
    order = users[:]
    rng.shuffle(order)
    process = await start(api, db_url, log, hook)
    try:
        for uid in order:
            if uid < 3000 + CHECKINS:
                checkins[api.post(GROUP, uid, "/checkin")["message_id"]] = uid
            else:
                spam[api.post(GROUP, uid, f"加微信 {uid} 私聊")["message_id"]] = uid
        expected = CHECKINS + 3 * SPAMMERS  # reply, removal, warning; the log chat's too
        for _ in range(KILLS):
            target = effects(api) + rng.randint(1, expected // KILLS)
            await api.wait_for(lambda t=target: effects(api) >= t, 60, "the bot's calls")
            process.send_signal(signal.SIGKILL)
            await process.wait()
            process = await start(api, db_url, log, hook)
        await api.wait_for(
            lambda: (
                set(replies_to(api, set(checkins))) == set(checkins)
                and {int(p["message_id"]) for p in api.called("deleteMessage")} >= set(spam)
            ),
            90,
            "every reply and removal",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        print(log.read_text(encoding="utf-8", errors="replace")[-20000:])

    # Every update handled once: one check-in each in the ledger.
    store = await SqlStore.open(db_url)
    try:
        for uid in checkins.values():
            entries = await store.ledger("tg-test", f"telegram:{uid}")
            assert [e.reason for e in entries].count("checkin") == 1, uid
    finally:
        await store.close()
    # Every reply and removal delivered; twice only for what the server had
    # done when the kill came and whose mark was not stored yet.
    answered = replies_to(api, set(checkins))
    removed = Counter(int(p["message_id"]) for p in api.called("deleteMessage"))
    assert set(answered) == set(checkins) and set(removed) >= set(spam)
    # A lane waits for the mark of its action before the next one, so a kill
    # can double at most one action per lane it cuts: this burst uses three
    # (the group's messages, the group's removals, the log chat).
    twice = sum(n - 1 for n in answered.values()) + sum(removed[m] - 1 for m in spam)
    print(f"kill -9 x{KILLS}: {twice} action(s) sent twice")
    assert twice <= 3 * KILLS, (answered, removed)
