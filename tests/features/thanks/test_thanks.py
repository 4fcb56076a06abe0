"""A reply that thanks another member's message pays its author, once per
thanker and message, within the daily cap."""

from __future__ import annotations

import pytest

from adapters.console.session import ConsoleSession
from bot.features.points.feature import PointsFeature
from bot.features.thanks.feature import thanks_pattern
from tests.conftest import run_script


def balance(console: ConsoleSession, name: str) -> int:
    return console.engine.feature(PointsFeature).points.balance(f"console:{name}")


async def test_a_thanked_answer_earns_its_author_points_once(console: ConsoleSession) -> None:
    await run_script(console, "alice: how do I export last week's report?\nbob: /export week")
    before = balance(console, "bob")
    await run_script(console, "alice > 2: 谢谢，解决了！")
    assert balance(console, "bob") == before + 2
    # The same thanker thanking the same message again pays nothing more.
    await run_script(console, "alice > 2: thanks again")
    assert balance(console, "bob") == before + 2
    # Another member's thanks for it does.
    await run_script(console, "carol > 2: thank you bob")
    assert balance(console, "bob") == before + 4


async def test_no_points_for_thanking_oneself_or_for_a_reply_without_thanks(
    console: ConsoleSession,
) -> None:
    await run_script(console, "bob: the slides are in the pinned message")
    before = balance(console, "bob")
    await run_script(console, "bob > 1: thanks\nalice > 1: I disagree with slide 3")
    assert balance(console, "bob") == before


async def test_the_daily_cap_holds_across_thankers(console: ConsoleSession) -> None:
    await run_script(console, "bob: tip of the day")
    before = balance(console, "bob")
    thankers = [f"m{i}" for i in range(8)]
    await run_script(console, "\n".join(f"{m} > 1: 谢谢" for m in thankers))
    # 2 points each, capped at 10 a day.
    assert balance(console, "bob") == before + 10


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("Thanks!", True),
        ("thank you so much", True),
        ("谢谢你", True),
        ("非常感谢", True),
        ("happy thanksgiving", False),
        ("thx", True),
        ("see the thxbuild docs", False),
    ],
)
def test_thanks_words(text: str, thanks: bool) -> None:
    pattern = thanks_pattern(["谢谢", "感谢", "thanks", "thank you", "thx"])
    assert (pattern.search(text.lower()) is not None) is thanks
