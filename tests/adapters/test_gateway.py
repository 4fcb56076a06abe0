"""The gateway base every platform derives from: its dispatch table, the
routing of other platforms' actions, reports to the live log chat, and text
split at a platform's limit."""

from __future__ import annotations

import logging

import pytest

from adapters.gateway import Gateway, handles, split_text
from adapters.telegram.gateway import utf16_len
from bot.core.actions import Action, DeleteMessage, PinMessage, SendMessage, UnpinMessage
from bot.core.events import ChatRef

GROUP = ChatRef("fake", "g1")


class FakeGateway(Gateway):
    platform = "fake"

    def __init__(self, log_chat: str | None = None) -> None:
        self.where_log_is = log_chat
        super().__init__(lambda: self.where_log_is)
        self.sent: list[SendMessage] = []
        self.pinned: list[PinMessage | UnpinMessage] = []

    @handles(SendMessage)
    async def _send(self, a: SendMessage) -> None:
        if a.text == "refused":
            raise RuntimeError("the platform said no")
        self.sent.append(a)

    @handles(PinMessage, UnpinMessage, op="pins")
    async def _pin(self, a: PinMessage | UnpinMessage) -> None:
        self.pinned.append(a)


def test_marked_methods_make_the_table() -> None:
    assert {kind: route.op for kind, route in FakeGateway.routes.items()} == {
        SendMessage: "send",
        PinMessage: "pins",
        UnpinMessage: "pins",
    }


async def test_an_action_without_a_handler_is_logged_once_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = FakeGateway()
    with caplog.at_level(logging.ERROR):
        await gateway.execute(
            [DeleteMessage(GROUP, (1,)), DeleteMessage(GROUP, (2,)), PinMessage(GROUP, 3)]
        )
    assert [r.getMessage() for r in caplog.records] == [
        "FakeGateway has no handler for DeleteMessage; skipped"
    ]
    assert gateway.pinned == [PinMessage(GROUP, 3)]


async def test_a_failing_action_does_not_cost_the_ones_after_it() -> None:
    gateway = FakeGateway()
    await gateway.execute([SendMessage(GROUP, "refused"), SendMessage(GROUP, "hi")])
    assert [a.text for a in gateway.sent] == ["hi"]


async def test_another_platforms_actions_are_forwarded() -> None:
    forwarded: list[Action] = []

    async def forward(action: Action) -> None:
        forwarded.append(action)

    gateway = FakeGateway()
    elsewhere = SendMessage(ChatRef("telegram", "-100"), "case #1")
    await gateway.execute([elsewhere])
    gateway.forward = forward
    await gateway.execute([elsewhere])
    assert forwarded == [elsewhere] and gateway.sent == []


async def test_reports_go_to_the_log_chat_as_configured_now() -> None:
    gateway = FakeGateway("fake:log")
    await gateway.report(["one", "two"])
    gateway.where_log_is = "fake:new-log"
    await gateway.report(["three"])
    assert [(a.chat.key, a.text, a.kind) for a in gateway.sent] == [
        ("fake:log", "one\ntwo", "log"),
        ("fake:new-log", "three", "log"),
    ]


@pytest.mark.parametrize("log_chat", [None, "telegram:-100"])
async def test_no_report_without_a_log_chat_on_this_platform(log_chat: str | None) -> None:
    gateway = FakeGateway(log_chat)
    await gateway.report(["lost"])
    assert gateway.sent == []


async def test_a_report_the_log_chat_refuses_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = FakeGateway("fake:log")
    await gateway.report(["refused"])
    assert "could not report to the log chat fake:log" in caplog.text


def test_a_short_text_is_one_message() -> None:
    assert split_text("hello\n\n", 10) == ["hello\n\n"]


def test_long_texts_are_cut_at_line_breaks_and_blank_lines_at_a_cut_go() -> None:
    assert split_text("aaaa\nbbbb\n\n\ncccc", 9) == ["aaaa\nbbbb", "cccc"]


def test_a_line_longer_than_the_limit_is_cut_within() -> None:
    assert split_text("ab\n" + "x" * 12 + "\ncd", 5) == ["ab", "xxxxx", "xxxxx", "xx\ncd"]


def test_the_limit_is_in_the_platforms_measure() -> None:
    # 😀 is one character but two UTF-16 code units, as Telegram counts.
    parts = split_text("😀" * 5, 4, utf16_len)
    assert parts == ["😀😀", "😀😀", "😀"]
    assert split_text("😀" * 5, 4) == ["😀😀😀😀", "😀"]
