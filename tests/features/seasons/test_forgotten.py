"""A member who is forgotten (/forgetme) leaves the closed seasons' boards
as "a former member" (rank and score stay, the name goes, across a restart
too), and the role an honour gave them is taken back at once: no later
close could find them under the alias."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import run_script
from tests.features.seasons.test_seasons import MONDAY, session


async def test_a_forgotten_member_leaves_the_boards_and_the_honour_role(store: SqlStore) -> None:
    s: ConsoleSession = await session(store, FakeClock(MONDAY))
    try:
        closed = await run_script(
            s,
            """
+alice
+bob
alice: /checkin
alice: a long first message of the week
bob: a long message from bob
!clock 2026-01-12 00:01
""",
        )
        assert "[g1] bot gives alice the role star" in closed
        assert "\n    1. @alice · " in "\n".join(closed)

        out = await run_script(
            s,
            """
[dm] alice: /forgetme
[dm] alice: /forgetme confirm
bob: /top season 2026-W02
""",
        )
        assert "[g1] bot takes the role star from alice" in out
        asked = next(i for i, line in enumerate(out) if line.endswith("bob: /top season 2026-W02"))
        board = "\n".join(out[asked + 1 :])
        assert "\n    1. a former member · " in board, board
        assert "alice" not in board

        again = "\n".join(await run_script(s, "!restart\nbob: /top season 2026-W02"))
        assert "\n    1. a former member · " in again, again
        assert "alice" not in again
    finally:
        await s.close()
