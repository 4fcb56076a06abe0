"""Actions as JSON, for the transactional outbox (`bot.core.records.OutboxRecord`).

An action is stored when its event's effects are, and read back after a crash
to be sent then: it must come back equal to what the engine made. Every value
an action holds is a dataclass of `bot.core.actions` or `bot.core.events`, a
datetime, bytes (a chart), a tuple, a list or a plain JSON value; each of the
first four is tagged, so decoding needs no type hints:
`{"@": "SendMessage", "chat": {"@": "ChatRef", ...}, "text": "hi"}`.

A payload written by an older version names a class or field this one no
longer has: `decode` raises `ValueError`, and the caller skips that action.
"""

from __future__ import annotations

import base64
import json
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, get_args

from bot.core import actions as act
from bot.core.buttons import Button
from bot.core.events import ChatRef, UserRef

# Every class an action may contain, by name.
_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (*get_args(act.Action), Button, ChatRef, UserRef)
}


def encode(action: act.Action) -> str:
    return json.dumps(_plain(action), ensure_ascii=False, separators=(",", ":"))


def decode(payload: str) -> act.Action:
    try:
        value = _value(json.loads(payload))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not an action this version knows: {exc}") from exc
    if not isinstance(value, get_args(act.Action)):
        raise ValueError(f"not an action: {type(value).__name__}")
    action: act.Action = value
    return action


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise TypeError(f"{name} cannot go in the outbox")
        out = {"@": name}
        out.update({f.name: _plain(getattr(value, f.name)) for f in fields(value)})
        return out
    if isinstance(value, datetime):
        return {"@dt": value.isoformat()}
    if isinstance(value, bytes):
        return {"@b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"@t": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} cannot go in the outbox")


def _value(data: Any) -> Any:
    if isinstance(data, list):
        return [_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "@dt" in data:
        return datetime.fromisoformat(data["@dt"])
    if "@b" in data:
        return base64.b64decode(data["@b"])
    if "@t" in data:
        return tuple(_value(v) for v in data["@t"])
    cls = _CLASSES[data["@"]]
    return cls(**{k: _value(v) for k, v in data.items() if k != "@"})
