"""A member's real tenure decides who is a newcomer: a member whose join the
bot never saw was there before it (adopted with the group), unless the
platform says when they joined. Probation, the links rule for new members
and the spam guard's newcomer checks spare them; a real newcomer still
meets every one of them."""

from __future__ import annotations

from adapters.console.session import ConsoleSession

LINK = "look https://example.com/deal"
EMOJI = "好消息 " + "🎉" * 15


def removed(out: list[str]) -> bool:
    return any("deletes" in line or "mutes" in line for line in out)


async def test_a_member_first_seen_posting_is_no_newcomer(console: ConsoleSession) -> None:
    assert not removed(await console.feed(f"olga: {LINK}"))
    assert not removed(await console.feed(f"olga: {EMOJI}"))


async def test_a_member_the_bot_saw_join_is_one(console: ConsoleSession) -> None:
    await console.feed("+nina")
    out = await console.feed(f"nina: {LINK}")
    assert any("deletes" in line and "rule: links" in line for line in out)
    await console.feed("+nora")
    assert removed(await console.feed(f"nora: {EMOJI}"))


async def test_a_member_known_only_from_a_private_chat_arrives_as_a_newcomer(
    console: ConsoleSession,
) -> None:
    await console.feed("[dm] nick: /start")
    await console.feed("+nick")
    assert removed(await console.feed(f"nick: {LINK}"))
