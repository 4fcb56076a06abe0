"""`/warnings`: the warnings in force and when each expires; moderators ask
about anyone, members about themselves."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from tests.conftest import run_script


async def test_a_moderator_sees_a_members_warnings_with_their_cases(
    console: ConsoleSession,
) -> None:
    out = await run_script(
        console,
        "!mod mia\nbob: hello\nmia > 1: /warn spamming links\nmia: /warnings @bob",
    )
    assert "bob" in out[-1] and "1/" in out[-1]
    assert "#1" in out[-1]


async def test_a_member_sees_only_their_own_warnings(console: ConsoleSession) -> None:
    out = await run_script(console, "!mod mia\nbob: hi\nmia > 1: /warn\ncarol: /warnings @bob")
    assert "/warnings" in out[-1] and "bob" not in out[-1] and "#1" not in out[-1]
    out = await run_script(console, "carol: /warnings")
    assert "carol" in out[-1] and "#" not in out[-1].partition("bot:")[2]
    out = await run_script(console, "bob: /warnings")
    assert "bob" in out[-1] and "#1" in out[-1]


async def test_an_unknown_name_gets_a_clear_answer(console: ConsoleSession) -> None:
    out = await run_script(console, "!mod mia\nmia: /warnings @nobody")
    assert "@nobody" in out[-1]
