"""Starting the real platforms: each adapter package adds its runner here."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Config


async def run_platforms(config: Config, config_path: Path, db_url: str | None, names: list[str]) -> int:
    print(
        f"groupkeeper: no runner for {', '.join(names)} in this build yet; "
        "unset the token(s) to use the console.",
        file=sys.stderr,
    )
    return 2
