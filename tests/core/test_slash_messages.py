"""A message is rule-checked whatever it starts with: a leading slash, an
unknown command or a command for another bot does not skip the rules or the
spam check."""

from __future__ import annotations

import pytest

from adapters.console.session import ConsoleSession
from bot.core.clock import FakeClock
from bot.core.commands import parse_command
from bot.core.events import ChatRef, MessagePosted, UserRef
from bot.features.points.feature import PointsFeature
from tests.conftest import run_script


@pytest.mark.parametrize("line", ["bob: /hi 加 微 信 领资料", "bob: /加微信 领资料"])
async def test_a_leading_slash_does_not_skip_the_rules(console: ConsoleSession, line: str) -> None:
    out = await run_script(console, "bob: hi\n" + line)
    assert any("bot deletes #2" in o for o in out), out
    # The removed message is answered by the rule's notice alone, with no help.
    assert not any("/help" in o for o in out), out
    assert console.engine.feature(PointsFeature).points.balance("console:bob") <= 1


async def test_an_unknown_command_the_rules_keep_still_gets_help(console: ConsoleSession) -> None:
    out = await run_script(console, "bob: /frobnicate")
    assert "/frobnicate" in out[-2] and "/help" in out[-1]


async def test_a_command_for_another_bot_is_a_message_the_rules_see(
    console: ConsoleSession, clock: FakeClock
) -> None:
    chat = ChatRef("console", "g1", title="g1")
    bob = UserRef("console", "bob", "bob", "bob")
    engine = console.engine
    await engine.handle(MessagePosted(chat, bob, 1, "hi", clock.now()))
    text = "/start@some_other_bot 加 微 信 领资料"
    posted = MessagePosted(chat, bob, 2, text, clock.now(), for_another_bot=True)
    actions = await engine.handle(posted)
    assert any(type(a).__name__ == "DeleteMessage" for a in actions), actions
    # Not ours to run: no greeting from /start.
    assert not any("/help" in getattr(a, "text", "") for a in actions)


@pytest.mark.parametrize("text", ["/\u3000", "/\u3000ban", "/ ban", "/\u00a0", "/"])
def test_a_slash_before_blanks_is_no_command(text: str) -> None:
    assert parse_command(text) is None


async def test_a_known_command_carrying_spam_is_removed_and_does_not_run(
    console: ConsoleSession,
) -> None:
    out = await run_script(console, "bob: hi\nbob: /checkin 加 微 信 领资料")
    assert any("bot deletes #2" in o for o in out), out
    # The check-in did not run: nothing paid for it.
    assert not any("+10" in o for o in out), out
    assert console.engine.feature(PointsFeature).points.balance("console:bob") <= 1


async def test_commands_in_a_row_are_no_flood(console: ConsoleSession) -> None:
    """Only what a command says is checked, not how often commands come: a
    member asking the bot for things is not flooding (the example config
    mutes after 5 messages in 10 seconds)."""
    script = "bob: hi\n" + "\n".join(f"bob: /top week {n}" for n in range(8))
    out = await run_script(console, script)
    assert not any("bot deletes" in o or "mutes" in o for o in out), out
