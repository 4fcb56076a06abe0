"""Every gateway carries out every action the core can emit: a missing entry
in a dispatch table would leave an action undone on a live platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

import pytest

from adapters.console.gateway import ConsoleGateway
from adapters.discord.gateway import DiscordGateway
from adapters.gateway import Route
from adapters.telegram.gateway import TelegramGateway
from adapters.telegram.recording import RecordingGateway
from bot.core.actions import Action, SendMessage
from bot.core.clock import FakeClock
from bot.core.events import ChatRef
from tests.conftest import EXAMPLE

ACTIONS = set(get_args(Action))


def tables() -> dict[str, Mapping[type[Action], Route]]:
    return {
        "console": ConsoleGateway.routes,
        "recording": RecordingGateway.routes,
        "telegram": TelegramGateway.routes,
        "discord": DiscordGateway.routes,
    }


@pytest.mark.parametrize("name", ["console", "recording", "telegram", "discord"])
def test_every_action_has_a_handler(name: str) -> None:
    assert set(tables()[name]) == ACTIONS


async def test_the_console_and_recording_gateways_pin_a_message_sent_with_pin() -> None:
    chat = ChatRef("console", "g1")
    console = ConsoleGateway(FakeClock(), lambda: None)
    recording = RecordingGateway()
    for gateway in (console, recording):
        await gateway.execute([SendMessage(chat, "Rules", pin=True), SendMessage(chat, "hi")])
    assert [(o.kind, o.message_id) for o in console.outputs] == [
        ("message", 1),
        ("pin", 1),
        ("message", 2),
    ]
    assert [o.kind for o in recording.outputs] == ["message", "pin", "message"]


async def test_a_level_role_in_the_console_is_shown_not_a_crash(tmp_path: Any) -> None:
    from adapters.console.session import ConsoleSession
    from bot.config import parse_config
    from storage.sql_store import SqlStore
    from tests.conftest import START

    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "    - {min: 100, title: 活跃用户}", "    - {min: 10, title: 活跃用户, role: regulars}"
    )
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    session = ConsoleSession(parse_config(text), store, FakeClock(START))
    await session.start()
    out = await session.feed("alice: /checkin")
    assert "[g1] bot gives alice the role regulars" in out
    await session.close()
    await store.close()
