"""What the Telegram tests share besides fixtures: the ids of the test world,
the running bot as tests see it, and the fast options tests start it with.

Tests import from here, never from conftest.py (pytest imports that under
another name, which would make two copies of every class)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.app import App
from adapters.telegram.gateway import RetryPolicy
from adapters.telegram.limiter import Limits
from adapters.telegram.runner import TelegramRunner, build_application, running
from adapters.web.security import telegram_hash
from tests.telegram.fake_bot_api import FakeBotApi

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "config.yaml"
UPDATES = HERE / "updates"

GROUP = -1001111
LOG_CHAT = -1009001
OWNER = 1001  # community owner in the config
MOD = 1002  # moderator in the config, not a Telegram admin
ADMIN = 1003  # a Telegram admin of GROUP, not in the config
ANN = 2001
BOB = 2002
ZHU = 2003


def dashboard_config(folder: Path, port: int, *, widget: bool = True) -> Path:
    """The tests' community with the dashboard on `port` (and, with
    `widget`, Telegram's login widget for the bot `test_bot`)."""
    extra = ", telegram_bot: test_bot" if widget else ""
    config = folder / "config.yaml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        + f"\ndashboard: {{enabled: true, port: {port}{extra}}}\n",
        encoding="utf-8",
    )
    return config


async def widget_login(web: httpx.AsyncClient, token: str, user_id: int = OWNER) -> httpx.Response:
    """Log in with the login widget's hash (checked with the bot's token),
    waiting for the dashboard to come up."""
    params = {"id": str(user_id), "first_name": "Olga", "auth_date": str(int(time.time()))}
    params["hash"] = telegram_hash(params, token)
    for _ in range(600):
        with contextlib.suppress(httpx.TransportError):
            return await web.get("/auth/telegram?" + urlencode(params))
        await asyncio.sleep(0.05)
    raise AssertionError("the dashboard did not come up")


def load_update(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((UPDATES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def populate(api: FakeBotApi) -> FakeBotApi:
    api.add_user(OWNER, "Olga", "olga", started=True)
    api.add_user(MOD, "Max", "max_mod")
    api.add_user(ADMIN, "Ada", "ada_admin")
    api.add_user(ANN, "Ann", "ann", language_code="en")
    api.add_user(BOB, "Bob")
    api.add_user(ZHU, "朱", "zhu", language_code="zh-hans")
    api.add_group(GROUP, "Test Group", owner=OWNER, admins=[ADMIN], members=[MOD, ANN, BOB, ZHU])
    api.add_group(LOG_CHAT, "Mod log", type="group", owner=OWNER, bot_status="member")
    return api


@asynccontextmanager
async def populated_api() -> AsyncIterator[FakeBotApi]:
    """A running fake Bot API with the tests' groups and members, for the
    tests that run groupkeeper as a service against it."""
    server = FakeBotApi()
    await server.start()
    try:
        yield populate(server)
    finally:
        await server.stop()


@dataclass
class Sleeps:
    """Stands in for asyncio.sleep in the gateway: records what it was asked
    to wait and waits a hundredth of it, so 429 tests stay fast."""

    asked: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(seconds / 100)


@dataclass
class Bot:
    """The running bot as tests see it."""

    api: FakeBotApi
    runner: TelegramRunner
    app: App
    _delivered_before: int = 0

    async def settle(self, within: float = 10.0) -> None:
        """Wait until every update the server holds for the bot was handled
        and every action it caused has run (actions may cause new updates:
        a ban is followed by a chat_member update)."""
        api, runner = self.api, self.runner

        def done() -> bool:
            delivered = sum(api.deliveries.values()) - self._delivered_before
            waiting = [u for u in api.pending if api.allowed(u)]
            return (
                all(api.deliveries[u["update_id"]] for u in waiting)
                and runner.handled + runner.skipped >= delivered
                and runner.idle
            )

        await api.wait_for(done, within, "the bot to settle")


def fast_options(sleeps: Sleeps, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "poll_timeout": 2,
        "sleep": sleeps,
        "retry": RetryPolicy(backoff=0.01),
        "limits": Limits(),
    }
    options.update(overrides)
    return options


@asynccontextmanager
async def start_bot(
    api: FakeBotApi, db_url: str, sleeps: Sleeps, *, config: Path = CONFIG, **overrides: Any
) -> AsyncIterator[Bot]:
    # The engine flushes on close only: bot.batcher's close() cancels a
    # background flush that may be inside a SQLite transaction, and the final
    # flush then waits on "database is locked" (reported to the core).
    application, app = await build_application(
        config, db_url, background_flush=False, **fast_options(sleeps, **overrides)
    )
    try:
        async with running(application) as runner:
            # Until the first getUpdates (or setWebhook) names them, Telegram
            # would not send chat_member updates and the like.
            await api.wait_for(lambda: api.allowed_updates is not None, what="the first poll")
            yield Bot(api, runner, app, sum(api.deliveries.values()))
    finally:
        await app.close()
