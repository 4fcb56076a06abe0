"""What the monitors still hold about a member when she asks to be
forgotten (in a Chinese community): a question of hers waiting for an answer and her join counted
toward a raid. Alerts raised after the erasure show the alias, not her,
and not her words; after a restart too."""

from __future__ import annotations

import re

from adapters.console.session import ConsoleSession
from tests.conftest import run_script

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
