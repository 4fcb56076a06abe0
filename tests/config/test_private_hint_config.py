"""`welcome.private_hint`: how often a plain private message gets the hint,
or whether it gets one at all; a bad value is named by its key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, parse_config

HEAD = "community:\n  name: 读书会\n  slug: dushu\n"


def test_the_hint_is_on_every_12_hours_unless_set() -> None:
    hint = parse_config(HEAD).welcome.private_hint
    assert hint.enabled and hint.every == timedelta(hours=12)
    hint = parse_config(HEAD + "welcome:\n  private_hint: {every: 90m}\n").welcome.private_hint
    assert hint.enabled and hint.every == timedelta(minutes=90)
    hint = parse_config(HEAD + "welcome:\n  private_hint: {enabled: false}\n").welcome.private_hint
    assert not hint.enabled


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{every: 30s}", "welcome.private_hint.every: must be at least 1m (enabled: false switches the hint off) (line 5)"),
        ("{every: 31d}", "welcome.private_hint.every: must be at most 30d: who was told is kept that long (line 5)"),
        ("{every: often}", "welcome.private_hint.every: 'often' is not a duration (use e.g. 30s, 10m, 2h, 7d) (line 5)"),
        ("{evrey: 1h}", "welcome.private_hint.evrey: unknown key (did you mean `every`?) (line 5)"),
        ("{enabled: sometimes}", "welcome.private_hint.enabled: "),
    ],
)  # fmt: skip
def test_a_bad_setting_is_named_by_its_key(value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(HEAD + f"welcome:\n  private_hint: {value}\n")
    [error] = exc.value.errors
    assert error.startswith(expected), error
