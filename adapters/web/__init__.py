"""The owners' and moderators' web dashboard (issue 19): an adapter beside
the platforms, reading the core through its ports and acting through the
engine. `start()` runs it beside the console or the platforms."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from adapters.web.app import Dashboard
from adapters.web.bridge import Bot

__all__ = ["Dashboard", "start", "stop"]

log = logging.getLogger(__name__)


def start(bot: Bot, config_path: Path | None, say: Callable[[str], None]) -> Dashboard:
    """Serve the dashboard in this event loop and tell the operator the
    one-time login link; a port already taken is logged, and the bot runs on
    without its dashboard."""
    dash = Dashboard(bot, config_path)
    say(f"Dashboard: {dash.login_link()}  (one-time login link)")
    dash.task = asyncio.get_running_loop().create_task(_serve(dash), name="dashboard")
    return dash


async def _serve(dash: Dashboard) -> None:
    cfg = dash.settings
    try:
        await dash.serve()
    except SystemExit:
        # uvicorn exits when it cannot bind: that must not stop the bot.
        log.error("the dashboard cannot listen on %s:%s; the bot runs without it",
                  cfg.listen, cfg.port)  # fmt: skip
    except Exception:
        log.exception("the dashboard stopped")


async def stop(dash: Dashboard | None) -> None:
    if dash is None or dash.task is None:
        return
    dash.task.cancel()
    await asyncio.gather(dash.task, return_exceptions=True)
