"""What the operations tests share: `groupkeeper run` as a real process
against fake Bot APIs, its /healthz and /metrics read over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.telegram.harness import CONFIG

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def community_file(
    folder: Path,
    name: str,
    *,
    slug: str = "tg-test",
    token_var: str = "TELEGRAM_TOKEN",
    url_var: str = "GK_TG_BASE_URL",
    extra: str = "",
) -> Path:
    """The Telegram tests' community, under another slug and env names."""
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace("slug: tg-test", f"slug: {slug}")
    text = text.replace("${TELEGRAM_TOKEN:-}", f"${{{token_var}:-}}")
    text = text.replace("${GK_TG_BASE_URL:-", f"${{{url_var}:-")
    text += '\nmetrics: {port: "${GK_METRICS_PORT:-}"}\n' + extra
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def start(args: list[str], env: Mapping[str, str], log: Path) -> asyncio.subprocess.Process:
    full = dict(os.environ) | dict(env)
    full.pop("GROUPKEEPER_LOG", None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "run", *args,
        env=full, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


async def get(port: int, path: str) -> tuple[int, str]:
    # In a thread: the fake Bot API serves from the test's own loop.
    return await asyncio.to_thread(_get, port, path)


async def health(port: int) -> tuple[int, dict[str, Any]]:
    status, body = await get(port, "/healthz")
    return status, (json.loads(body) if body else {})


async def roles(port: int) -> dict[str, str]:
    _, body = await health(port)
    return {slug: entry["role"] for slug, entry in body.get("communities", {}).items()}


async def wait(predicate: Callable[[], Any], within: float, what: str | Callable[[], str]) -> None:
    """Until `predicate()` (a value, or a coroutine giving one) holds."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what() if callable(what) else what}")
        await asyncio.sleep(0.05)
