"""Starting the real platforms in one process around one shared engine.

Each platform package provides `serve(app: App) -> None` in its `runner`
module: it runs until cancelled, feeding updates into `app.engine` and
executing the actions through its gateway. Here they start beside the
schedule driver (`adapters.scheduler`), which fires the engine's "tick" every
minute and posts scheduled content through each platform once it is up.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections import deque
from pathlib import Path

from adapters.app import App, build_app, database_url
from adapters.scheduler import GatewayOutlet, ScheduleDriver, TelegramOutlet
from adapters.start_failure import explained
from bot.core.actions import Action, platform_of
from bot.core.ports import Gateway

RUNNERS = {"telegram": "adapters.telegram.runner", "discord": "adapters.discord.runner"}
# Actions held for a platform still connecting; beyond this the oldest go.
_HELD = 1000

log = logging.getLogger(__name__)


class Router:
    """Actions across platforms: an event on one may need a chat on another
    told (one log chat for a community on Telegram and Discord). Each
    gateway hands what is not its own here; it goes to the gateway of its
    platform, held until that one is up."""

    def __init__(self) -> None:
        self._gateways: dict[str, Gateway] = {}
        self._held: dict[str, deque[Action]] = {}

    def attach(self, platform: str, gateway: Gateway) -> None:
        self._gateways[platform] = gateway
        held = self._held.pop(platform, None)
        if held:
            asyncio.get_running_loop().create_task(self._deliver(gateway, list(held)))

    async def forward(self, action: Action) -> None:
        platform = platform_of(action)
        gateway = self._gateways.get(platform)
        if gateway is not None:
            await self._deliver(gateway, [action])
            return
        held = self._held.setdefault(platform, deque(maxlen=_HELD))
        if len(held) == held.maxlen:
            log.warning("%s is not running: dropped %s", platform, type(held[0]).__name__)
        held.append(action)

    @staticmethod
    async def _deliver(gateway: Gateway, actions: list[Action]) -> None:
        try:
            await gateway.execute(actions)
        except Exception:
            log.exception("carrying out %d forwarded action(s) failed", len(actions))


async def run_platforms(config_path: Path, db_url: str | None, names: list[str]) -> int:
    app = await build_app(config_path, db_url)
    driver = ScheduleDriver(app, database_url(app.config, db_url), platforms=names)
    router = Router()
    try:
        await driver.start()
        await asyncio.gather(
            *(explained(app.config, name, _serve(name, app, driver, router)) for name in names)
        )
    finally:
        await driver.stop()
        await app.close()
    return 0


async def _serve(name: str, app: App, driver: ScheduleDriver, router: Router) -> None:
    if name == "telegram":
        from adapters.telegram.runner import application_for, running

        async with running(application_for(app)) as runner:
            runner.gateway.forward = router.forward
            router.attach("telegram", runner.gateway)
            driver.attach("telegram", TelegramOutlet(runner.gateway))
            await asyncio.Event().wait()
    elif name == "discord":
        from adapters.discord.client import build_bot

        token = app.config.platforms.discord.token
        if not token:
            raise RuntimeError("platforms.discord.token is empty: set DISCORD_TOKEN")
        bot = build_bot(app, forward=router.forward)

        async def attach_when_ready() -> None:
            await bot.wait_until_ready()
            router.attach("discord", bot.community.gateway)
            driver.attach("discord", GatewayOutlet(bot.community.gateway))

        async with bot:
            ready = asyncio.get_running_loop().create_task(attach_when_ready())
            try:
                await bot.start(token)
            finally:
                ready.cancel()
    else:
        await importlib.import_module(RUNNERS[name]).serve(app)
