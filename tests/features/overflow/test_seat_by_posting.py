"""A member the bot sees posting in a group has a place there, even when it
never saw them join (they were there before the bot): `/join` tells them
where they are instead of handing out a new invite and taking a place."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from bot.features.overflow.feature import OverflowFeature
from tests.conftest import run_script


async def test_join_from_a_member_already_chatting_hands_out_no_invite(
    console: ConsoleSession,
) -> None:
    out = await run_script(console, "alice: hi\n[dm] alice: /join")
    assert not any("invites alice" in line for line in out), out
    assert "g1" in out[-1]
    assert not console.engine.feature(OverflowFeature).overflow.pending
