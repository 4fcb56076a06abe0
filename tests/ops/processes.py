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
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import CONFIG, GROUP, populate

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


@asynccontextmanager
async def fake_telegrams(
    slugs: tuple[str, ...], first: int = 1
) -> AsyncIterator[dict[str, FakeBotApi]]:
    """A fake Bot API per community (a token of its own, the harness's
    group and members), started, and stopped at the end."""
    servers = {
        slug: FakeBotApi(token=f"{n + first}00000:TEST-token-shaped-like-one-of-{slug}")
        for n, slug in enumerate(slugs)
    }
    for server in servers.values():
        await server.start()
        populate(server)
    try:
        yield servers
    finally:
        for server in servers.values():
            await server.stop()


def community_folder(
    folder: Path, apis: Mapping[str, FakeBotApi], extra: str = ""
) -> dict[str, str]:
    """A `--config-dir` folder with one community file per fake Bot API;
    the environment its token and URL variables need."""
    folder.mkdir(exist_ok=True)
    env: dict[str, str] = {}
    for slug, api in apis.items():
        var = slug.replace("-", "_").upper()
        community_file(
            folder, f"{slug}.yaml", slug=slug, token_var=f"{var}_TOKEN", url_var=f"{var}_URL",
            extra=extra,
        )  # fmt: skip
        env |= {f"{var}_TOKEN": api.token, f"{var}_URL": api.base_url}
    return env


def owned(found: Mapping[str, str]) -> set[str]:
    """The communities a process's /healthz says it owns."""
    return {slug for slug, role in found.items() if role == "owner"}


def checkins(api: FakeBotApi, name: str, kind: str) -> int:
    """The bot's answers in the group to `name`'s check-ins: `new` (paid)
    or `again` (already checked in today)."""
    pattern = {"new": " checked in: +", "again": ", you have already checked in"}[kind]
    return sum(1 for t in api.sent(GROUP) if t.startswith(("✅ " + name + pattern, name + pattern)))
