"""The webhook Telegram posts updates to, served by the bot itself.

python-telegram-bot's own webhook server parses each update into PTB
objects before anyone sees it and answers 400 to one it cannot parse (a
field of a newer Bot API, a bridge's odd shape). Telegram takes a non-200
for "not delivered": it posts the same update again and again and, for
that chat, holds back the updates behind it. Polling never had this gap
(it reads getUpdates as JSON); this server reads the webhook's body as
JSON too and hands it to the runner, which skips and logs what translate
cannot read, as it does for polling.

What Telegram hears back:
- 403 for a request without the secret token (or with another one): only
  Telegram knows it, so nobody else can feed the bot updates;
- 200 for everything else, once the update has been handled and its
  effects stored. A body that is not a JSON object is logged and answered
  200 too: sent again it would still be unreadable. A crash before the
  answer makes Telegram post the update again, and it is handled then.

Telegram posts over several connections at once (`max_connections`, 40 by
default), each chat's updates in order but different chats' side by side:
updates are handled one at a time, in the order they arrive, and one that
arrives after a later one is still handled (polling's "at or below the
stored cursor" test would drop it). The same update posted twice (a
resend after a slow answer) is handled once.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.error import InvalidToken, RetryAfter, TelegramError

from adapters.ops.context import handling_update
from adapters.telegram.gateway import retry_seconds

log = logging.getLogger(__name__)

Handle = Callable[[dict[str, Any]], Awaitable[None]]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Update ids remembered as handled, against Telegram posting one again.
_REMEMBERED = 4096
# Seconds a stop waits for the updates in hand; one held up longer (by a
# database that does not answer) is cut off unanswered, and Telegram posts
# it again to the next process.
_FINISH = 5.0
# How much of an unreadable body a log line shows.
_SHOWN = 200
# setWebhook attempts before the start fails, and the waits between them.
_TRIES = 4
_FIRST_WAIT = 1.0


async def register(
    bot: Bot,
    url: str,
    secret: str,
    kinds: Sequence[str],
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """setWebhook, tried a few times over a network that is still coming
    up (a 429 waited out); a refused token fails at once, and so does the
    last attempt."""
    wait = _FIRST_WAIT
    for attempt in range(1, _TRIES + 1):
        try:
            await bot.set_webhook(url, secret_token=secret, allowed_updates=list(kinds))
            return
        except InvalidToken:
            raise
        except (TelegramError, OSError) as exc:
            if attempt == _TRIES:
                raise
            pause = retry_seconds(exc) if isinstance(exc, RetryAfter) else wait
            log.warning("Telegram: setWebhook failed (%s): again in %.0fs", exc, pause)
            await sleep(pause)
            wait *= 2


class WebhookServer:
    """Serves `path` on `listen:port`; `handle` is called with each update
    (one at a time) and its effects stored by `store` before the answer."""

    def __init__(
        self,
        listen: str,
        port: int,
        path: str,
        secret: str,
        handle: Handle,
        store: Callable[[], Awaitable[None]],
    ) -> None:
        self.listen = listen
        self.port = port
        self.path = "/" + path.strip("/")
        self._secret = secret.encode()
        self._handle = handle
        self._store = store
        self._turn = asyncio.Lock()
        self._done: set[int] = set()
        self._order: deque[int] = deque()
        self._runner: web.AppRunner | None = None
        self.unreadable = 0
        self.resent = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post(self.path, self._post)
        # A webhook_url with a trailing slash reaches the same place.
        if self.path != "/":
            app.router.add_post(self.path + "/", self._post)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=_FINISH)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("Telegram: webhook listening on %s:%s%s", self.listen, self.port, self.path)

    async def stop(self) -> None:
        """Stop taking requests; those in hand are finished and answered."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="wrong or missing secret token")
        body = await request.read()
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.unreadable += 1
            log.warning(
                "Telegram: a webhook request that is not a JSON object was skipped: %r",
                body[:_SHOWN],
            )
            return web.Response(status=200)
        update_id = data.get("update_id")
        with handling_update(update_id):
            async with self._turn:
                if isinstance(update_id, int) and update_id in self._done:
                    self.resent += 1
                    log.info("update %s was posted again; handled already", update_id)
                    return web.Response(status=200)
                await self._handle(data)
                await self._store()
                if isinstance(update_id, int):
                    self._remember(update_id)
        return web.Response(status=200)

    def _remember(self, update_id: int) -> None:
        self._done.add(update_id)
        self._order.append(update_id)
        if len(self._order) > _REMEMBERED:
            self._done.discard(self._order.popleft())
