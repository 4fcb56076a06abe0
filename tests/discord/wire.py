"""A Discord on the wire, for `groupkeeper run` in a process of its own: the
REST API over HTTP and the gateway over a websocket, on 127.0.0.1.

simcord drives discord.py inside the test's process; a kill -9, a SIGTERM or
a second process cannot be tried there. This fake is what the bot reaches
through `platforms.discord.api_url` and `gateway_url`, as it would reach a
Discord-compatible proxy: discord.py itself speaks to it, unmodified. It
serves one server (the recorded `payloads/guild_create.json`: #general, the
bot, the owner, alice and mia) and only what the bot needs to log in, follow
the server and answer: its user and application, slash command
registration, the server's invites, sending and deleting messages. Anything else is answered 404
and kept in `calls`, so a test sees it.

A route can be made busy: `flood("POST", "/channels/", 1, retry_after=60)`
answers the next call 429 as Discord does (with `Via`, which discord.py
needs to tell Discord's limit from Cloudflare's ban).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from tests.ops.processes import start, wait

PAYLOADS = Path(__file__).with_name("payloads")
COMMUNITY = Path(__file__).with_name("community.yaml")
# The token's shape is checked before the bot starts (adapters.start_failure).
TOKEN = "MTQ1NjA3NDQ0Mzk4MDgwMDAwMQ.GwIreA.wire-discord-test-token-0123456789"
APPLICATION = "1456074443980800001"


def _load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body only when its content type is exactly
    # application/json (aiohttp's json_response adds a charset).
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    body: Any


class WireDiscord:
    def __init__(self) -> None:
        self.guild: dict[str, Any] = _load("guild_create.json")
        self.guild["member_count"] = len(self.guild["members"])  # no chunking asked
        self.bot_user: dict[str, Any] = _load("bot_user.json")
        self.calls: list[Call] = []
        self.identified = 0
        self.resumed = 0
        self._template: dict[str, Any] = _load("message_create.json")[0]
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(1456074443980900000)
        self._busy: dict[tuple[str, str], tuple[int, float]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- the test's side -------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def channel(self) -> str:
        return str(self.guild["channels"][0]["id"])

    def args(self, folder: Path) -> list[str]:
        """`groupkeeper run`'s arguments for the Discord tests' community
        reaching this Discord, on a SQLite file in `folder` (gk.db)."""
        text = COMMUNITY.read_text(encoding="utf-8").replace(
            '    prefix: "!"\n',
            f'    prefix: "!"\n    api_url: {self.api_url}\n    gateway_url: {self.gateway_url}\n'
            "  shutdown_grace: 2s\n",
        )
        config = folder / "config.yaml"
        config.write_text(text, encoding="utf-8")
        return ["--config", str(config), "--db", f"sqlite+aiosqlite:///{folder / 'gk.db'}"]

    @asynccontextmanager
    async def serving(self, folder: Path) -> AsyncIterator[Path]:
        """`groupkeeper run` connected to this Discord for the block, then
        stopped with SIGTERM (which must exit 0); yields its log file."""
        log = folder / "bot.log"
        known = self.identified
        bot = await start(self.args(folder), {"DISCORD_TOKEN": TOKEN}, log)
        try:
            await wait(lambda: self.identified > known, 60, lambda: log.read_text()[-3000:])
            yield log
        finally:
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 60)
        assert code == 0, log.read_text()[-3000:]

    def member(self, name: str) -> dict[str, Any]:
        for m in self.guild["members"]:
            if m["user"]["username"] == name:
                found: dict[str, Any] = m
                return found
        raise KeyError(name)

    def flood(self, method: str, prefix: str, times: int, *, retry_after: float) -> None:
        self._busy[(method, prefix)] = (times, retry_after)

    def made(self, method: str, contains: str = "") -> list[Call]:
        """The calls the bot made with `method` whose path contains `contains`
        (answered or refused)."""
        return [c for c in self.calls if c.method == method and contains in c.path]

    def said(self) -> list[str]:
        """What the bot posted, in order (refused posts included)."""
        return [str(c.body.get("content") or "") for c in self.made("POST", "/messages")]

    async def post(self, author: str, content: str) -> str:
        """`author` (a member's username) writes `content` in #general: a
        MESSAGE_CREATE to every connected bot. Returns the message's id."""
        member = self.member(author)
        message = copy.deepcopy(self._template)
        message_id = str(next(self._ids))
        message.update(
            id=message_id,
            channel_id=self.channel,
            content=content,
            author=member["user"],
            mentions=[],
            timestamp=datetime.now(UTC).isoformat(),
            guild_id=str(self.guild["id"]),
        )
        message["member"] = {k: v for k, v in member.items() if k != "user"}
        await self._dispatch("MESSAGE_CREATE", message)
        return message_id

    async def send_event(self, event: str, data: dict[str, Any]) -> None:
        """Any gateway event, exactly as given, to every connected bot."""
        await self._dispatch(event, data)

    async def drop(self) -> None:
        """Close every gateway connection as Discord does when it restarts a
        node (close code 4000, "unknown error: reconnect")."""
        for ws in list(self._sockets):
            await ws.close(code=4000, message=b"reconnect")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._api)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- REST ---------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body = await request.json() if request.can_read_body else None
        self.calls.append(Call(request.method, path, body))
        for (method, prefix), (times, retry_after) in list(self._busy.items()):
            if method == request.method and path.startswith(prefix) and times > 0:
                self._busy[(method, prefix)] = (times - 1, retry_after)
                return _json(
                    {"message": "You are being rate limited.", "retry_after": retry_after,
                     "global": False},
                    status=429,
                    headers={"Via": "1.1 google", "Retry-After": str(int(retry_after))},
                )  # fmt: skip
        parts = path.strip("/").split("/")
        if request.method == "GET" and path == "/users/@me":
            return _json(self.bot_user)
        if request.method == "GET" and path == "/oauth2/applications/@me":
            return _json(self._application())
        if request.method == "GET" and path == "/gateway/bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if request.method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            guild = parts[3] if len(parts) == 5 else None
            return _json([self._command(c, guild) for c in body or []])
        if request.method == "POST" and parts[0] == "channels" and parts[-1] == "messages":
            return _json(self._sent(parts[1], body or {}))
        if request.method == "GET" and parts[0] == "guilds" and parts[-1] == "invites":
            return _json([])
        if request.method == "DELETE" and parts[0] == "channels" and parts[2] == "messages":
            return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        owner = self.member(self.guild["members"][0]["user"]["username"])["user"]
        return {
            "id": APPLICATION, "name": "TestBot", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "owner": owner,
            "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "",
            "rpc_origins": [],
        }  # fmt: skip

    def _command(self, command: dict[str, Any], guild: str | None) -> dict[str, Any]:
        made = {
            "type": 1, "options": [], "default_member_permissions": None,
            "dm_permission": True, "nsfw": False, "description": "",
        }  # fmt: skip
        made |= command
        made |= {"id": str(next(self._ids)), "application_id": APPLICATION, "version": "1"}
        if guild is not None:
            made["guild_id"] = guild
        return made

    def _sent(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        message = copy.deepcopy(self._template)
        for key in ("guild_id", "member", "nonce"):
            message.pop(key, None)
        message.update(
            id=str(next(self._ids)),
            channel_id=channel,
            content=body.get("content") or "",
            author=self.bot_user,
            mentions=[],
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            timestamp=datetime.now(UTC).isoformat(),
        )
        return message

    # -- the gateway --------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op = message.get("op")
                if op == 1:
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    await self._identify(ws)
                elif op == 6:
                    # No sessions are kept: a resuming bot identifies anew.
                    self.resumed += 1
                    await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
        finally:
            self._sockets.remove(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse) -> None:
        self.identified += 1
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(self.guild["id"]), "unavailable": True}],
            "session_id": f"session-{self.identified}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APPLICATION, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send(ws, "READY", ready)
        await self._send(ws, "GUILD_CREATE", self.guild)

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        for ws in list(self._sockets):
            await self._send(ws, event, data)

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})
