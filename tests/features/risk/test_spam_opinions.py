"""Second opinions against local fake HTTP servers: CAS (Combot Anti-Spam)
for a newcomer's account, and an OpenAI-compatible language model for
messages the model found uncertain, each through the console end to end
(the engine asks, the gateway does the HTTP, the answer comes back and
removes the message) and `adapters.opinions` alone (cache, time limit,
answers of the wrong shape). Both are off by default."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from adapters.app import script_clock
from adapters.console.session import ConsoleSession
from adapters.opinions import Opinions, ask_and_tell
from bot.config import Config, parse_config
from bot.config.risk import CasConfig, LlmConfig
from bot.core.actions import AskOpinion
from bot.core.events import ChatRef, Event, OpinionGiven, UserRef
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START


@dataclass
class Fake:
    """CAS lists `listed`; the model says spam when the text has "crypto"."""

    url: str = ""
    listed: set[str] = field(default_factory=set)
    cas_asked: list[str] = field(default_factory=list)
    llm_asked: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    slow: bool = False

    async def check(self, request: web.Request) -> web.Response:
        user = request.query.get("user_id", "")
        self.cas_asked.append(user)
        if self.slow:
            await asyncio.sleep(5)
        if user in self.listed:
            return web.json_response({"ok": True, "result": {"offenses": 3}})
        return web.json_response({"ok": False, "description": "Record not found."})

    async def chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.llm_asked.append(body)
        self.keys.append(request.headers.get("Authorization", ""))
        text = body["messages"][-1]["content"]
        word = "Spam." if "crypto" in text else "ham"
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": word}}]})


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    found = Fake()
    app = web.Application()
    app.router.add_get("/check", found.check)
    app.router.add_post("/v1/chat/completions", found.chat)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    found.url = f"http://127.0.0.1:{port}"
    yield found
    await runner.cleanup()


def config(**opinions: CasConfig | LlmConfig) -> Config:
    """The example config in English, with these `risk.spam` opinions."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    base = parse_config(text)
    spam = base.risk.spam.model_copy(update=opinions)
    return base.model_copy(update={"risk": base.risk.model_copy(update={"spam": spam})})


async def run(cfg: Config, lines: list[str]) -> list[str]:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    session = ConsoleSession(cfg, store, script_clock(cfg))
    await session.start()
    try:
        return await session.run(lines)
    finally:
        await session.close()
        await store.close()


async def test_a_newcomer_listed_by_cas_is_removed_and_why_says_so(fake: Fake) -> None:
    fake.listed.add("nick")
    cfg = config(cas=CasConfig(enabled=True, url=fake.url))
    out = await run(
        cfg, ["!mod mia", "+nick", "nick: hello everyone", "nick: still here", "+olga",
              "olga: hello everyone", "mia > 2: /why"],
    )  # fmt: skip
    assert "[g1] bot deletes #2 (rule: spam)" in out
    assert "[g1] bot mutes nick for 1d (rule: spam)" in out
    # Looked up once per member; Olga is not listed and stays.
    assert fake.cas_asked == ["nick", "olga"]
    assert not [x for x in out if "deletes #5" in x or "mutes olga" in x]
    text = "\n".join(out)
    assert "listed by Combot Anti-Spam (3 offenses)" in text[text.index("mia: /why") :]


async def test_the_language_model_decides_uncertain_messages_within_its_budget(
    fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GK_TEST_LLM_KEY", "sk-test")
    cfg = config(
        llm=LlmConfig(
            enabled=True, url=f"{fake.url}/v1", model="tiny", band=10, key_env="GK_TEST_LLM_KEY",
            daily_budget=2, prompt="Selling courses is spam here.",
        )
    )  # fmt: skip
    out = await run(
        cfg, ["+nick", "nick: anyone into crypto these days?", "+olga",
              "olga: see you at the meetup", "+pete", "pete: crypto talk later?"],
    )  # fmt: skip
    assert "[g1] bot deletes #2 (rule: spam)" in out
    assert not [x for x in out if "deletes #4" in x]
    # The budget of two questions a day: Pete's message is not asked about.
    assert len(fake.llm_asked) == 2 and not [x for x in out if "deletes #6" in x]
    first = fake.llm_asked[0]
    assert (
        first["model"] == "tiny"
        and "Selling courses is spam here." in (first["messages"][0]["content"])
    )
    assert fake.keys[0] == "Bearer sk-test"


async def test_second_opinions_are_off_by_default(fake: Fake) -> None:
    fake.listed.add("nick")
    out = await run(config(), ["+nick", "nick: anyone into crypto these days?"])
    assert fake.cas_asked == [] and fake.llm_asked == []
    assert not [x for x in out if "deletes" in x]


async def test_cas_switched_on_by_a_reload_is_asked_at_once(fake: Fake) -> None:
    """Whether any opinion is configured is read once per config (not per
    message): a reload that switches CAS on must reach it."""
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    session = ConsoleSession(config(), store, script_clock(config()))
    await session.start()
    try:
        await session.run(["+nick", "nick: hello everyone"])
        assert fake.cas_asked == []
        session.engine.reload(config(cas=CasConfig(enabled=True, url=fake.url)))
        # Names no other test looks up (the gateway caches CAS answers).
        await session.run(["+quinn", "quinn: hello everyone"])
        assert fake.cas_asked == ["quinn"]
        session.engine.reload(config())
        await session.run(["+rosa", "rosa: hello everyone"])
        assert fake.cas_asked == ["quinn"]
    finally:
        await session.close()
        await store.close()


CHAT = ChatRef("console", "g1")
USER = UserRef("telegram", "42", "nick", "nick")


async def test_cas_answers_are_cached_and_a_slow_service_gives_no_opinion(fake: Fake) -> None:
    told: list[Event] = []

    async def tell(event: Event) -> None:
        told.append(event)

    opinions = Opinions()
    ask = AskOpinion(CHAT, USER, 1, "cas", fake.url, 2.0)
    fake.listed.add("42")
    await ask_and_tell(tell, opinions, ask, lambda: START)
    await ask_and_tell(tell, opinions, ask, lambda: START)
    assert fake.cas_asked == ["42"]
    assert [(e.spam, e.details) for e in told if isinstance(e, OpinionGiven)] == [
        (True, "3 offenses"), (True, "3 offenses"),
    ]  # fmt: skip
    fake.slow = True
    other = AskOpinion(CHAT, UserRef("telegram", "43", "x", "x"), 2, "cas", fake.url, 0.3)
    await ask_and_tell(tell, opinions, other, lambda: START)
    assert len(told) == 2
    # Nothing listening at all: no opinion either.
    gone = AskOpinion(CHAT, USER, 3, "llm", "http://127.0.0.1:9/v1", 0.5, "hi", "m", "p")
    await ask_and_tell(tell, opinions, gone, lambda: START)
    assert len(told) == 2
