"""A console community with its dashboard, driven through Starlette's test
client. The client runs the application in its own event loop (its
portal); the community is opened inside that loop too, so the engine, the
database and the dashboard share one loop as they do in `groupkeeper run`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from adapters.console.session import ConsoleSession
from adapters.web.app import Dashboard
from adapters.web.bridge import ConsoleBot
from adapters.web.security import telegram_hash
from bot.config import load_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START

TOKEN = "123456:" + "A" * 35
OWNER = "1001"
MODERATOR = "1002"
MEMBER = "1003"
DISCORD_SECRET = "discord-client-secret-for-tests"


EXTRA = """
dashboard:
  enabled: true
  telegram_bot: gk_test_bot
  discord: {client_id: "4242", client_secret: "${GK_WEB_TEST_DISCORD}"}
schedule:
  - {id: tips, every: 2d, texts: ["Ship small, then grow."], groups: [console:g1]}
"""


def community_file(tmp_path: Path, language: str = "en") -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", f"language: {language}")
    text = text.replace("token: ${TELEGRAM_TOKEN:-}", "token: ${GK_WEB_TEST_TOKEN}")
    text = text.replace(
        "sqlite+aiosqlite:///groupkeeper.db", f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    )
    text = text.replace("moderators: [telegram:1002]", "moderators: [telegram:1002, discord:2002]")
    # EXTRA's `dashboard:` replaces the example's: a key written twice is an error.
    text = re.sub(r"(?m)^dashboard:\n(?:[ #].*\n|\n)*", "", text)
    path = tmp_path / "config.yaml"
    path.write_text(text + EXTRA, "utf-8")
    return path


class _Late:
    """The application, set once the community is open inside the client's loop."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await self.app(scope, receive, send)


@dataclass
class Web:
    client: TestClient
    session: ConsoleSession
    dash: Dashboard
    path: Path

    def say(self, *lines: str) -> list[str]:
        """Console lines, run in the community's loop; their output."""
        out: list[str] = []
        for line in lines:
            out += self.client.portal.call(self.session.feed, line)  # type: ignore[union-attr]
        return out

    def login_telegram(self, user_id: str, name: str = "Olivia") -> Any:
        params = {"id": user_id, "first_name": name, "auth_date": str(int(time.time()))}
        params["hash"] = telegram_hash(params, TOKEN)
        return self.client.get("/auth/telegram?" + urlencode(params), follow_redirects=False)

    def csrf(self) -> str:
        from adapters.web.session import csrf_token

        who = self.dash.viewer(_request(self.client))
        assert who is not None
        return csrf_token(self.dash.signer, who)

    def post(self, url: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
        form = {"csrf": self.csrf(), **(data or {})}
        return self.client.post(url, data=form, follow_redirects=kw.pop("follow", True), **kw)


def _request(client: TestClient) -> Any:
    from starlette.requests import Request

    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return Request({"type": "http", "headers": [(b"cookie", cookie.encode())]})


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    monkeypatch.setenv("GK_WEB_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("GK_WEB_TEST_DISCORD", DISCORD_SECRET)
    path = community_file(tmp_path)
    late = _Late()
    with TestClient(late, base_url="http://127.0.0.1:8080") as client:
        portal = client.portal
        assert portal is not None

        async def open_world() -> tuple[ConsoleSession, Dashboard]:
            config = load_config(path)
            store = await SqlStore.open(config.database.url)
            session = ConsoleSession(config, store, FakeClock(START), config_path=path)
            await session.start()
            return session, Dashboard(ConsoleBot(session), path)

        session, dash = portal.call(open_world)
        late.app = dash.app

        async def close() -> None:
            await session.close()
            await session.store.close()

        try:
            yield Web(client, session, dash, path)
        finally:
            portal.call(close)
