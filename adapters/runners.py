"""Starting the real platforms in one process around one shared engine.

Each platform package provides `serve(app: App) -> None` in its `runner`
module: it runs until cancelled, feeding updates into `app.engine` and
executing the actions through its gateway. Here they start beside the
schedule driver (`adapters.scheduler`), which fires the engine's "tick" every
minute and posts scheduled content through each platform once it is up.

SIGTERM (docker stop, systemd) and SIGINT (Ctrl-C) stop the process in order:
each platform's task is cancelled, which makes its runner stop fetching and
carry out what it has queued (for up to `platforms.shutdown_grace`), then
the write-behind batch is stored and the process exits 0.

Each platform stands on its own: one that cannot be reached is tried again
with a growing wait while the others serve; one that refuses the bot (a
wrong token) stays off. The process exits 1 once no platform can run.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.app import App, database_url
from adapters.ops.context import platform
from adapters.scheduler import GatewayOutlet, ScheduleDriver, TelegramOutlet
from adapters.start_failure import owners_line
from bot.core.actions import Action, platform_of
from bot.core.ports import Gateway

# Stores actions with the next batch and sends them once it commits.
Hold = Callable[[Sequence[Action], str], object]

RUNNERS = {"telegram": "adapters.telegram.runner", "discord": "adapters.discord.runner"}
# Actions held for a platform still connecting; beyond this the oldest go.
_HELD = 1000
# Seconds between a platform's attempts to connect: doubling up to the last.
_FIRST_RETRY = 1.0
_LAST_RETRY = 120.0

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from adapters.web import Dashboard

log = logging.getLogger(__name__)


class Router:
    """Actions across platforms: an event on one may need a chat on another
    told (one log chat for a community on Telegram and Discord). Each
    gateway hands what is not its own here; it goes to the gateway of its
    platform, held until that one is up."""

    def __init__(self) -> None:
        self._gateways: dict[str, Gateway] = {}
        self._outboxes: dict[str, Hold] = {}
        self._held: dict[str, deque[Action]] = {}

    def attach(self, platform: str, gateway: Gateway, outbox: Hold | None = None) -> None:
        """A platform is up; `outbox` stores actions with the next batch and
        sends them once it commits (`adapters.outbox.Outbox.hold`)."""
        self._gateways[platform] = gateway
        if outbox is not None:
            self._outboxes[platform] = outbox
        held = self._held.pop(platform, None)
        if held:
            asyncio.get_running_loop().create_task(self._deliver(gateway, list(held)))

    def detach(self, platform: str) -> None:
        self._gateways.pop(platform, None)
        self._outboxes.pop(platform, None)

    async def hold(self, actions: Sequence[Action], origin: str) -> None:
        """Actions that answer no platform's update (a moderator's on the
        dashboard): stored with the effects of what made them, in the same
        batch, and sent once it commits, through the outbox of the first
        action's platform (it forwards the others); after a kill -9, the next
        process sends them. Without a platform's outbox up yet, they wait in
        memory for its gateway, as forwarded actions do."""
        if not actions:
            return
        outbox = self._outboxes.get(platform_of(actions[0])) or next(
            iter(self._outboxes.values()), None
        )
        if outbox is not None:
            outbox(actions, origin)
            return
        for action in actions:
            await self.forward(action)

    @property
    def gateways(self) -> dict[str, Gateway]:
        """The platforms up now, by name (health and metrics read them)."""
        return dict(self._gateways)

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
    """One community, owned by this process (`adapters.ops.fleet`)."""
    from adapters.ops.fleet import Community, run_fleet

    return await run_fleet([Community(Path(config_path), tuple(names))], db_url)


async def serve_app(
    app: App,
    db_url: str | None,
    names: Sequence[str],
    stop: asyncio.Event,
    router: Router | None = None,
    config_path: Path | None = None,
    routes: Sequence[BaseRoute] = (),
) -> bool:
    """Serve a community's platforms until `stop` (True) or until no
    platform can run (False); with its config file, the dashboard too when
    the config enables it, with `routes` (health, metrics) mounted on it."""
    driver = ScheduleDriver(app, database_url(app.config, db_url), platforms=names)
    router = router or Router()
    dashboard = _dashboard(app, config_path, router, routes) if config_path is not None else None
    try:
        await driver.start()
        await _until(
            stop,
            [asyncio.create_task(_keep_up(n, app, driver, router)) for n in names],
            driver,
            app.config.platforms.shutdown_grace.total_seconds(),
        )
    finally:
        if dashboard is not None:
            from adapters.web import stop as stop_dashboard

            await stop_dashboard(dashboard)
        await driver.stop()
    if stop.is_set():
        return True
    log.error("no platform can run: stopping")
    return False


def _dashboard(
    app: App, config_path: Path, router: Router, routes: Sequence[BaseRoute]
) -> Dashboard | None:
    """The web dashboard beside the platforms, when the config enables it:
    its commands' actions go out through a platform's outbox, stored with
    the case the command recorded, like a platform's own update's."""
    if not app.config.dashboard.serves(console=False):
        return None
    from adapters.web import start
    from adapters.web.bridge import EngineBot

    async def execute(actions: list[Action]) -> None:
        # Not awaited out: the moderator's page does not wait for Telegram
        # (a 429 holds an action for as long as it says).
        await router.hold(actions, f"dashboard:{uuid.uuid4().hex}")

    bot = EngineBot(lambda: app.engine, app.store, execute, app.config.platforms.telegram.token)
    return start(bot, config_path, log.warning, routes)


@contextmanager
def stopped_by_signals(stop: asyncio.Event) -> Iterator[None]:
    """Without a handler SIGTERM ends the process at once, and whatever the
    gateways had queued is lost."""
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)

    def received(sig: signal.Signals) -> None:
        log.warning("%s: finishing what is queued, then stopping", sig.name)
        stop.set()
        # An owner who signals again wants out now, as without the handler.
        for s in signals:
            loop.remove_signal_handler(s)

    for sig in signals:
        loop.add_signal_handler(sig, received, sig)
    try:
        yield
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def _until(
    stop: asyncio.Event, platforms: list[asyncio.Task[None]], driver: ScheduleDriver, grace: float
) -> None:
    """Until a signal, or until every platform has given up. A stop lets
    the scheduled work running finish first (its posts go through the
    platforms), then each platform drains its queue."""
    stopped = asyncio.create_task(stop.wait())
    waiting: set[asyncio.Task[None] | asyncio.Task[bool]] = {stopped, *platforms}
    try:
        while stopped in waiting and len(waiting) > 1:
            _, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        await driver.drain(grace)
        # A platform shuts down in order when its task is cancelled.
        for task in platforms:
            task.cancel()
        await asyncio.wait(platforms)


async def _keep_up(name: str, app: App, driver: ScheduleDriver, router: Router) -> None:
    """One platform, connected again after network trouble; returns when it
    cannot run (it refuses the bot, or fails in a way no retry mends)."""
    wait = _FIRST_RETRY
    platform.set(name)
    while True:
        try:
            await _serve(name, app, driver, router)
            return
        except Exception as exc:
            router.detach(name)
            refusal = _refusal(name, exc)
            if refusal is not None:
                # The owner's line (what to check, where) when there is one.
                log.error("%s stays off: %s", name, owners_line(app.config, name, exc) or refusal)
                return
            if not _passing(name, exc):
                log.exception("%s stays off: it failed to start", name)
                return
            reason = str(exc) or type(exc).__name__
            log.warning("%s: cannot connect (%s): trying again in %.0fs", name, reason, wait)
        await asyncio.sleep(wait)
        wait = min(wait * 2, _LAST_RETRY)


def _refusal(name: str, exc: Exception) -> str | None:
    """Why the platform refuses the bot, when it does: it would again."""
    if name == "telegram":
        from telegram.error import InvalidToken

        # Not PTB's own message: it quotes the token.
        return "Telegram refused the bot's token" if isinstance(exc, InvalidToken) else None
    import discord

    if isinstance(exc, discord.LoginFailure | discord.PrivilegedIntentsRequired):
        return str(exc)
    return None


def _passing(name: str, exc: Exception) -> bool:
    """Network trouble and a platform's own outage pass."""
    if isinstance(exc, OSError | TimeoutError):
        return True
    if name == "telegram":
        from telegram.error import BadRequest, NetworkError, RetryAfter

        return isinstance(exc, NetworkError | RetryAfter) and not isinstance(exc, BadRequest)
    import aiohttp
    import discord

    return isinstance(
        exc, aiohttp.ClientError | discord.GatewayNotFound | discord.DiscordServerError
    )


async def _serve(name: str, app: App, driver: ScheduleDriver, router: Router) -> None:
    if name == "telegram":
        from adapters.telegram.runner import application_for, running

        grace = app.config.platforms.shutdown_grace.total_seconds()
        async with running(application_for(app, drain_timeout=grace)) as runner:
            runner.gateway.forward = router.forward
            router.attach("telegram", runner.gateway, runner.outbox.hold)
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
            router.attach("discord", bot.community.gateway, bot.community.delivery.hold)
            driver.attach("discord", GatewayOutlet(bot.community.gateway))

        async with bot:
            ready = asyncio.get_running_loop().create_task(attach_when_ready())
            try:
                await bot.start(token)
            finally:
                ready.cancel()
    else:
        await importlib.import_module(RUNNERS[name]).serve(app)
