"""Console lines without a name are the current member's: the last one who
spoke or joined, `you` before anyone (the banner's `Type /help` works)."""

from __future__ import annotations

from adapters.console.session import ConsoleSession


async def test_a_bare_line_is_the_current_members(console: ConsoleSession) -> None:
    out = await console.run(["/help"])
    assert out[0] == "[g1] #1 you: /help"
    assert out[1].startswith("[g1] #2 bot: ")
    out = await console.run(["bob: hi", "/me", "+carol", "/rules"])
    assert out[1] == "[g1] #4 bob: /me"
    assert "[g1] #7 carol: /rules" in out
