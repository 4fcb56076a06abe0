"""Webhook mode against updates the bot cannot read, through real HTTP: the
fake Bot API posts each update to the running bot's webhook (in order, again
and again until it answers 200, as Telegram does), and the tests post to it
themselves as Telegram or a stranger would. The bot is python-telegram-bot
unmodified, built by `build_application`."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram.error import NetworkError

from adapters.telegram.webhook import SECRET_HEADER
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, Bot, Sleeps, start_bot

SECRET = "s3cret-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def hook_url(monkeypatch: pytest.MonkeyPatch, world: FakeBotApi) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    monkeypatch.setenv("TELEGRAM_TOKEN", world.token)
    monkeypatch.setenv("GK_TG_BASE_URL", world.base_url)
    monkeypatch.setenv("GK_TG_MODE", "webhook")
    monkeypatch.setenv("GK_TG_WEBHOOK_URL", url)
    monkeypatch.setenv("GK_TG_PORT", str(port))
    monkeypatch.setenv("GK_TG_SECRET", SECRET)
    return url


@pytest.fixture
async def hooked(
    world: FakeBotApi, hook_url: str, tg_db: str, sleeps: Sleeps
) -> AsyncIterator[Bot]:
    async with start_bot(world, tg_db, sleeps) as bot:
        assert world.webhook == {"url": hook_url, "secret_token": SECRET}
        yield bot


async def post(url: str, body: Any, *, raw: bool = False, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if raw else None
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, json=None if raw else body, headers=headers) as response,
    ):
        return response.status


def points_replies(api: FakeBotApi) -> list[str]:
    return [text for text in api.sent(GROUP) if "+10 points" in text]


# python-telegram-bot cannot build a Chat without its id: its own webhook
# answered 400 to this, and Telegram posted it again and again.
def nameless_chat(message_id: int) -> dict[str, Any]:
    chat = {"type": "supergroup", "title": "Test Group"}
    return {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": "hello"}


async def test_an_update_the_bot_cannot_read_is_answered_200_and_the_next_is_handled(
    hooked: Bot, hook_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    api = hooked.api
    with caplog.at_level(logging.WARNING):
        bad = api.inject("message", nameless_chat(900))
        api.post(GROUP, ANN, "/checkin")
        await hooked.settle()
    assert len(points_replies(api)) == 1
    # Delivered once: Telegram was never asked to post it again.
    assert api.deliveries[bad["update_id"]] == 1
    assert api.webhook_rejections == 0
    lines = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert lines == [f"update {bad['update_id']} cannot be read (missing field 'id'); skipped"]


async def test_a_body_that_is_no_update_at_all_is_answered_200_and_logged(
    hooked: Bot, hook_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    api = hooked.api
    with caplog.at_level(logging.WARNING):
        assert await post(hook_url, b"{not json", raw=True) == 200
        assert await post(hook_url, [1, 2, 3]) == 200
    skipped = [r.getMessage() for r in caplog.records if "not a JSON object" in r.getMessage()]
    assert len(skipped) == 2 and "{not json" in skipped[0]
    api.post(GROUP, ANN, "/checkin")
    await hooked.settle()
    assert len(points_replies(api)) == 1


async def test_a_webhook_post_without_the_secret_is_refused_and_not_handled(
    hooked: Bot, hook_url: str
) -> None:
    api = hooked.api
    message = dict(nameless_chat(1), chat=api.chats[GROUP].as_json(), text="/checkin")
    forged = {"update_id": 777, "message": dict(message, **{"from": api.users[ANN]})}
    assert await post(hook_url, forged, secret=None) == 403
    assert await post(hook_url, forged, secret="guess") == 403
    assert hooked.runner.handled == 0
    assert points_replies(api) == []


async def test_updates_from_two_chats_out_of_order_are_both_handled_once(
    hooked: Bot, hook_url: str
) -> None:
    """Telegram posts different chats' updates over parallel connections:
    a later update may arrive first. Neither is dropped, and the same
    update posted again is not handled again."""
    api = hooked.api
    chat = api.chats[GROUP]

    def checkin(update_id: int, user: int) -> dict[str, Any]:
        msg = {
            "message_id": chat.new_message_id(),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": api.users[user],
            "text": "/checkin",
            "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        }
        chat.messages[msg["message_id"]] = msg
        return {"update_id": update_id, "message": msg}

    later, earlier = checkin(5002, BOB), checkin(5001, ANN)
    assert await post(hook_url, later) == 200
    assert await post(hook_url, earlier) == 200
    assert await post(hook_url, earlier) == 200
    await hooked.settle()
    assert len(points_replies(api)) == 2
    assert hooked.runner.handled == 2


async def test_setting_the_webhook_is_tried_again_and_a_lasting_failure_fails_the_start(
    world: FakeBotApi, hook_url: str, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    api.flood("setWebhook", times=1, retry_after=3)
    api.break_down("setWebhook", times=1)
    async with start_bot(api, tg_db, sleeps) as bot:
        assert sorted(sleeps.asked) == [1.0, 3.0]
        api.post(GROUP, ANN, "/checkin")
        await bot.settle()
        assert len(points_replies(api)) == 1
    api.webhook = None
    api.break_down("setWebhook", times=4)
    with pytest.raises(NetworkError):
        async with start_bot(api, tg_db, sleeps):
            pass
    assert api.webhook is None
