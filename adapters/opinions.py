"""Second opinions for the spam guard (`AskOpinion`), asked over HTTP beside
the gateway's queue so the chat never waits for them:

- CAS (Combot Anti-Spam): `GET {url}/check?user_id=ID` answers `{"ok": true,
  "result": {"offenses": N, ...}}` for a listed account and `{"ok": false}`
  otherwise; answers are cached for a day.
- A language model through any OpenAI-compatible endpoint:
  `POST {url}/chat/completions`, the key (if any) from the environment
  variable the action names; the first word of the answer, spam or ham.

Any failure (timeout, refused connection, an answer of another shape) is
logged and taken as no opinion: the message keeps the verdict it had.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from functools import cache
from typing import Any

from bot.core.actions import AskOpinion
from bot.core.events import Event, OpinionGiven

log = logging.getLogger(__name__)

_CACHE_SECONDS = 24 * 3600
_CACHE_SIZE = 50_000


class Opinions:
    def __init__(self) -> None:
        # user id -> (listed, details, when looked up)
        self.cas_cache: dict[str, tuple[bool, str, float]] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def cas(self, url: str, user_id: str, limit: float) -> tuple[bool, str] | None:
        cached = self.cas_cache.get(user_id)
        if cached is not None and time.monotonic() - cached[2] < _CACHE_SECONDS:
            return cached[0], cached[1]
        body = await _get_json(f"{url.rstrip('/')}/check", {"user_id": user_id}, limit)
        if body is None:
            return None
        listed = body.get("ok") is True
        result = body.get("result") if listed else None
        offenses = result.get("offenses") if isinstance(result, dict) else None
        details = f"{offenses} offenses" if offenses is not None else ("listed" if listed else "")
        if len(self.cas_cache) >= _CACHE_SIZE:
            self.cas_cache.clear()
        self.cas_cache[user_id] = (listed, details, time.monotonic())
        return listed, details

    async def llm(self, a: AskOpinion) -> tuple[bool, str] | None:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(a.key_env, "") if a.key_env else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        payload = {
            "model": a.model,
            "temperature": 0,
            "max_tokens": 5,
            "messages": [
                {"role": "system", "content": a.prompt},
                {"role": "user", "content": a.text},
            ],
        }
        import aiohttp  # only once an opinion is asked: commands that never ask start faster

        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=a.timeout)) as session,
                session.post(
                    f"{a.url.rstrip('/')}/chat/completions", json=payload, headers=headers
                ) as response,
            ):
                if response.status != 200:
                    log.warning("language model answered HTTP %s", response.status)
                    return None
                body = await response.json(content_type=None)
            answer = str(body["choices"][0]["message"]["content"]).strip().lower()
        except (aiohttp.ClientError, TimeoutError, KeyError, IndexError, TypeError, ValueError):
            log.warning("no opinion from the language model at %s", a.url)
            return None
        word = answer.split()[0].strip(".,!:;\"'") if answer else ""
        if word not in ("spam", "ham"):
            log.warning("the language model answered %r, neither spam nor ham", answer[:40])
            return None
        return word == "spam", answer[:80]

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settle(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


async def _get_json(url: str, params: dict[str, str], limit: float) -> dict[str, Any] | None:
    import aiohttp

    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit)) as session,
            session.get(url, params=params) as response,
        ):
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        log.warning("no answer from %s", url)
        return None
    return body if isinstance(body, dict) else None


@cache
def shared_opinions() -> Opinions:
    """The process's one Opinions, made on first use."""
    return Opinions()


async def ask_and_tell(
    tell: Callable[[Event], Awaitable[None]],
    opinions: Opinions,
    a: AskOpinion,
    now: Callable[[], datetime],
) -> None:
    """Ask, and tell the core what was said; nothing when nothing was."""
    if a.service == "cas":
        found = await opinions.cas(a.url, a.sender.user_id, a.timeout)
    elif a.service == "llm":
        found = await opinions.llm(a)
    else:
        log.error("unknown opinion service %r", a.service)
        return
    if found is None:
        return
    spam, details = found
    await tell(OpinionGiven(a.chat, a.sender, a.message_id, a.service, spam, details, now()))
