"""Starting the real platforms in one process around one shared engine.

Each platform package provides `serve(app: App) -> None` in its `runner`
module: it runs until cancelled, feeding updates into `app.engine` and
executing the actions through its gateway.
"""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

from adapters.app import build_app

RUNNERS = {"telegram": "adapters.telegram.runner", "discord": "adapters.discord.runner"}


async def run_platforms(config_path: Path, db_url: str | None, names: list[str]) -> int:
    app = await build_app(config_path, db_url)
    try:
        modules = [importlib.import_module(RUNNERS[name]) for name in names]
        await asyncio.gather(*(m.serve(app) for m in modules))
    finally:
        await app.close()
    return 0
