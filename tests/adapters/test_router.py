"""One process running Telegram and Discord: an action for the other
platform's chat (a shared log chat) reaches that platform's gateway, held
until it is up."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from adapters import runners
from adapters.runners import Router
from bot.core.actions import Action, SendDirect, SendMessage
from bot.core.events import ChatRef, UserRef


class Recording:
    def __init__(self) -> None:
        self.done: list[Action] = []

    async def execute(self, actions: Sequence[Action]) -> None:
        self.done += actions


def to(platform: str, text: str) -> SendMessage:
    return SendMessage(ChatRef(platform, "1"), text)


async def test_actions_go_to_their_platforms_gateway_and_wait_for_it() -> None:
    router = Router()
    telegram, discord = Recording(), Recording()
    router.attach("telegram", telegram)
    await router.forward(to("telegram", "case #1"))
    await router.forward(to("discord", "case #2"))
    dm = SendDirect(UserRef("discord", "7"), "hello")
    await router.forward(dm)
    assert telegram.done == [to("telegram", "case #1")]
    assert discord.done == []  # not connected yet: held
    router.attach("discord", discord)
    await asyncio.sleep(0)
    assert discord.done == [to("discord", "case #2"), dm]


async def test_held_actions_are_bounded_and_a_failing_gateway_is_survived(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runners, "_HELD", 2)
    router = Router()
    for n in range(3):
        await router.forward(to("discord", f"case #{n}"))
    discord = Recording()
    router.attach("discord", discord)
    await asyncio.sleep(0)
    assert discord.done == [to("discord", "case #1"), to("discord", "case #2")]

    class Broken:
        async def execute(self, actions: Sequence[Action]) -> None:
            raise RuntimeError("gone")

    router.attach("telegram", Broken())
    await router.forward(to("telegram", "case #3"))  # logged, not raised
