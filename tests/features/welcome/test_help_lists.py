"""/help names each command once, and /top's usage names every period it takes."""

from __future__ import annotations

import re

from adapters.console.session import ConsoleSession


async def test_help_lists_each_command_once_in_both_languages(console: ConsoleSession) -> None:
    out = await console.run(["alice: /help", "alice: /lang en", "alice: /help"])
    for reply in (out[1], out[5]):
        named = re.findall(r"^\s*(/\w+)", reply, re.MULTILINE)
        assert len(named) == len(set(named)), named


async def test_top_usage_names_all(console: ConsoleSession) -> None:
    out = await console.run(["alice: /top x", "alice: /lang en", "alice: /top x"])
    assert "/top all" in out[1] and "/top all" in out[5]
