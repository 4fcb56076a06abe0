"""What the monitors still hold about a member when she asks to be
forgotten (in a Chinese community): a question of hers waiting for an answer and her join counted
toward a raid, a lockdown in force that muted her. Alerts raised after
the erasure show the alias, not her, and not her words; after a restart
too; the lockdown still unmutes her when it lifts, then names the alias."""

from __future__ import annotations

import re

from sqlalchemy import text

from adapters.console.session import ConsoleSession
from bot.config import load_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import run_script
from tests.scenarios.test_scenarios import SCENARIOS

ALIAS = re.compile(r"erased:[0-9a-f]{12}")


async def test_alerts_raised_after_an_erasure_show_the_alias(console: ConsoleSession) -> None:
    await run_script(
        console,
        """
!mod mia
+guest0
+guest1
+eve
eve: is there a recording of the pitch night somewhere?
[dm] eve: /forgetme
[dm] eve: /forgetme confirm
""",
    )
    # Seven more joins complete the raid (ten within five minutes).
    raid = "\n".join(await run_script(console, "\n".join(f"+guest{n}" for n in range(2, 9))))
    assert "突击入群" in raid
    evidence = raid.split("证据：", 1)[1].splitlines()[0]
    alias = ALIAS.search(evidence)
    assert alias is not None and "@eve" not in evidence
    assert evidence.startswith(f"{alias.group()}, @guest2") and "(+2)" in evidence

    unanswered = "\n".join(await run_script(console, "!clock +31m"))
    assert (
        f"{alias.group()} 提问已超过 30m，至今无人回复：（此处内容已按该成员的要求删除）"
        in unanswered
    )
    assert "@eve" not in unanswered and "pitch night" not in unanswered

    again = "\n".join(await run_script(console, "!restart\nmia: /alerts"))
    assert alias.group() in again
    assert "@eve" not in again and "pitch night" not in again


async def test_a_raid_account_erased_during_a_lockdown_is_still_unmuted_when_it_lifts(
    store: SqlStore, clock: FakeClock
) -> None:
    """The lockdown in force is kept (and said so): lifting it unmutes her;
    then it names only the alias, as the raid alert does."""
    config = load_config(SCENARIOS / "raid_lockdown.yaml")
    session = ConsoleSession(config, store, clock)
    await session.start()
    try:
        await run_script(session, "!mod mia\nalice: morning all\n+r1\n+r2\n+r3\n+r4\n+r5")
        asked = "\n".join(await run_script(session, "[dm] r5: /forgetme"))
        assert "lockdown #1 in force muted you: lifting it unmutes you" in asked
        await run_script(session, "[dm] r5: /forgetme confirm")
        lifted = await run_script(session, "!restart\nmia: /unlock")
        assert "[g1] bot unmutes r5" in lifted
        rows = await _rows(store, "SELECT muted FROM lockdowns")
        alias = ALIAS.search(rows[0])
        assert alias is not None and "console:r5" not in rows[0]
        assert rows[0].splitlines() == ["console:r1", "console:r2", "console:r3", "console:r4",
                                        alias.group()]  # fmt: skip
        evidence = await _rows(store, "SELECT evidence FROM risk_alerts WHERE kind = 'raid'")
        assert evidence == [f"@r1, @r2, @r3, @r4, {alias.group()}"]
    finally:
        await session.close()


async def _rows(store: SqlStore, query: str) -> list[str]:
    async with store.engine.connect() as c:
        return [row[0] for row in await c.execute(text(query))]
