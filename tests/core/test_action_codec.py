"""Every action the engine can make comes back from the outbox's JSON equal
to what went in: the one sent after a crash is the one the engine made."""

from __future__ import annotations

import typing
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, get_args

import pytest

from bot.core import actions as act
from bot.core.action_codec import decode, encode
from bot.core.buttons import Button
from bot.core.events import ChatRef, UserRef

CHAT = ChatRef("telegram", "-100123", title="Founders 群")
USER = UserRef(
    "telegram", "42", "Zhu 朱", "zhu", language="zh", joined_at=datetime(2026, 1, 2, tzinfo=UTC)
)
SAMPLES: dict[str, Any] = {
    "ChatRef": CHAT,
    "UserRef": USER,
    "ChatRef | None": CHAT,
    "UserRef | None": USER,
    "str": '加微信? no: \u00e9\u2028 "quoted"',
    "str | None": "1h",
    "int": 7,
    "int | None": 12,
    "float": 2.5,
    "bool": True,
    "bytes": b"\x89PNG\x00\xff",
    "datetime": datetime(2026, 12, 7, 6, 0, tzinfo=UTC),
    "datetime | None": datetime(2027, 1, 1, tzinfo=UTC),
    "tuple[int, ...]": (3, 4),
    "tuple[str, ...]": ("yes", "no"),
    "tuple[Button, ...]": (Button("Confirm", "resolve", ("3", "confirm")),),
    "tuple[ChatRef, ...]": (CHAT, ChatRef("discord", "9")),
}


def sample(kind: type[Any]) -> Any:
    hints = typing.get_type_hints(kind, vars(act) | {"ChatRef": ChatRef, "UserRef": UserRef})
    values = {}
    for f in fields(kind):
        hint = hints[f.name]
        text = hint.__name__ if isinstance(hint, type) else str(hint)
        for prefix in ("bot.core.events.", "bot.core.actions.", "bot.core.buttons.", "datetime."):
            text = text.replace(prefix, "")
        values[f.name] = SAMPLES[text]
    return kind(**values)


@pytest.mark.parametrize("kind", get_args(act.Action), ids=lambda k: k.__name__)
def test_every_action_comes_back_equal(kind: type[Any]) -> None:
    action = sample(kind)
    back = decode(encode(action))
    assert back == action and type(back) is kind
    # Fields left out of equality (a chat's title, a member's join date) too.
    assert repr(back) == repr(action)


def test_a_payload_from_another_version_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="not an action"):
        decode('{"@": "SendCarrierPigeon", "chat": null}')
    with pytest.raises(ValueError, match="not an action"):
        decode('{"@": "SendMessage", "colour": "red"}')
    with pytest.raises(ValueError, match="not an action"):
        decode('{"@": "ChatRef", "platform": "telegram", "chat_id": "1"}')
