"""Discord's own notices in a channel ("joined the server.", a pin, a boost)
arrive as messages authored by the member they are about. They are not
posts: none counts, scores as spam or earns points."""

from __future__ import annotations

from discord_world import World
from simcord.enums import MessageType

NOTICES = [
    MessageType.NEW_MEMBER,
    MessageType.PINS_ADD,
    MessageType.PREMIUM_GUILD_SUBSCRIPTION,
    MessageType.PREMIUM_GUILD_TIER_1,
    MessageType.CHANNEL_FOLLOW_ADD,
    MessageType.NEW_MEMBER,
    MessageType.PINS_ADD,
]


async def test_system_messages_are_not_posts(world: World) -> None:
    pinned = await world.alice.send(world.general, "meeting notes for tomorrow")
    # The flood rule allows 5 posts in 10 s: seven notices in a row would
    # be a timeout if they counted.
    notices = [
        world.guild.create_system_message(
            world.general, kind, author=world.bob, referenced_message=pinned
        ).id
        for kind in NOTICES
    ]
    await world.env.settle()

    member = world.app.engine.kit.directory.find(world.key(world.bob))
    assert member is None or member.message_count == 0
    assert world.balance(world.bob) == 0
    bob = world.bob.member
    assert bob is not None and not bob.is_timed_out()
    kept = {m.id for m in world.general.history()}
    assert set(notices) <= kept
    assert world.texts(world.modlog) == []
