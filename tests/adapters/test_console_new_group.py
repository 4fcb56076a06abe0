"""A line for a group the console has not spoken in opens it as one of the
community's groups: the console says so, once, so a typo does not open a
group unnoticed."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from tests.conftest import run_script


async def test_a_new_group_is_announced_once(console: ConsoleSession) -> None:
    out = await run_script(console, "alice: hi\n[g9] alice: hi\n[g9] bob: hello\n!group g9")
    notes = [line for line in out if "g9 is new to the console" in line]
    assert len(notes) == 1, out
    assert out.index(notes[0]) < out.index("[g9] #1 alice: hi")
    # The first group and the groups it knows go without saying.
    assert not any("g1 is new" in line for line in out)
