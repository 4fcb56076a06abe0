"""The example file's commented tiers, seasons, notice, polls and feedback
are valid as written: an owner who uncomments them gets a running config."""

from __future__ import annotations

import re

from bot.config import parse_config
from tests.conftest import EXAMPLE


def test_the_commented_community_sections_parse_when_uncommented() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("# Member tiers")
    lines = [
        line[2:] if re.match(r"# [a-z_]+:", line) or re.match(r"#   +\S", line) else line
        for line in text[start:].splitlines()
    ]
    config = parse_config(text[:start] + "\n".join(lines))

    assert [t.name for t in config.tiers] == ["活跃成员", "核心成员"]
    assert config.seasons.week is not None and config.seasons.week.prizes.points == [100, 50, 20]
    assert config.seasons.month is not None and config.seasons.month.prizes.items
    assert config.notice is not None and config.notice.refresh.days == 7
    # The core tier's links privilege reaches the links rule.
    assert next(r for r in config.rules if r.id == "links").exempt.min_level == 3
