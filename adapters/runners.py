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
from pathlib import Path

from adapters.app import App, build_app, database_url
from adapters.scheduler import GatewayOutlet, ScheduleDriver, TelegramOutlet

RUNNERS = {"telegram": "adapters.telegram.runner", "discord": "adapters.discord.runner"}


async def run_platforms(config_path: Path, db_url: str | None, names: list[str]) -> int:
    app = await build_app(config_path, db_url)
    driver = ScheduleDriver(app, database_url(app.config, db_url), platforms=names)
    try:
        await driver.start()
        await asyncio.gather(*(_serve(name, app, driver) for name in names))
    finally:
        await driver.stop()
        await app.close()
    return 0


async def _serve(name: str, app: App, driver: ScheduleDriver) -> None:
    if name == "telegram":
        from adapters.telegram.runner import application_for, running

        async with running(application_for(app)) as runner:
            driver.attach("telegram", TelegramOutlet(runner.gateway))
            await asyncio.Event().wait()
    elif name == "discord":
        from adapters.discord.client import build_bot

        token = app.config.platforms.discord.token
        if not token:
            raise RuntimeError("platforms.discord.token is empty: set DISCORD_TOKEN")
        bot = build_bot(app)

        async def attach_when_ready() -> None:
            await bot.wait_until_ready()
            driver.attach("discord", GatewayOutlet(bot.community.gateway))

        async with bot:
            ready = asyncio.get_running_loop().create_task(attach_when_ready())
            try:
                await bot.start(token)
            finally:
                ready.cancel()
    else:
        await importlib.import_module(RUNNERS[name]).serve(app)
