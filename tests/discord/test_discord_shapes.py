"""Message shapes a real Discord server sends that the scenarios' traffic
does not: threads, webhooks and other bots, attachments and stickers with no
text, direct messages, edits of messages the bot never cached, a server that
removes the bot, refusals for missing permissions. simcord members act,
discord.py parses the gateway payloads, the real bot answers."""

from __future__ import annotations

import simcord
from discord_world import World, en
from simcord.backend.models.message import MessageSticker, Poll, PollAnswer

from bot.core.actions import Action, SendMessage


def thread_in(world: World, name: str, owner: simcord.MemberActor) -> simcord.ChannelHandle:
    backend = world.env.backend
    thread = backend.create_thread(world.general.id, name, owner.id)
    backend.add_thread_member(thread.id, world.bot.user.id)  # type: ignore[union-attr]
    return simcord.ChannelHandle(world.env, world.guild, thread)


async def test_spam_in_a_thread_is_deleted_and_warned_in_that_thread(world: World) -> None:
    thread = thread_in(world, "side chat", world.alice)
    await world.env.settle()
    message = await world.alice.send(thread, "cheap buy followers here")

    assert message.id not in [m.id for m in thread.history()]
    notice = en("notice.removed", name="@alice", rule="No ads or recruiting")
    assert thread.last_message is not None and thread.last_message.content.startswith(notice)
    assert not any(notice in text for text in world.texts(world.general))


async def test_a_command_in_a_thread_is_answered_there(world: World) -> None:
    thread = thread_in(world, "daily", world.bob)
    await world.env.settle()
    await world.bob.send(thread, "!checkin")

    assert any("checked in" in text for text in world.texts(thread))
    assert world.balance(world.bob) > 0


async def test_webhook_posts_are_left_alone_and_count_for_nobody(world: World) -> None:
    hook = world.guild.create_webhook(world.general, "CI")
    posted = await hook.send("casino build passed", username="alice")
    await world.env.settle()

    assert posted.id in [m.id for m in world.general.history()]
    assert world.texts(world.modlog) == []
    assert world.app.engine.kit.directory.find(f"discord:{hook.id}") is None


async def test_attachments_and_stickers_without_text_are_read_as_posts(world: World) -> None:
    sticker = world.guild.create_sticker("wave")
    backend = world.env.backend
    stuck = MessageSticker(sticker.id, sticker.name, 1, world.guild.id)
    backend.create_message(world.general.id, world.alice.id, "", stickers=[stuck])
    await world.alice.send(world.general, attachments=[("notes.txt", b"meeting at 10")])
    await world.env.settle()

    member = world.app.engine.kit.directory.find(world.key(world.alice))
    assert member is not None and member.message_count == 2
    assert world.env.errors == []


async def test_a_direct_message_with_spam_is_not_moderated(world: World) -> None:
    dm = await world.alice.send_dm("buy followers from me")
    await world.env.settle()

    assert world.texts(world.modlog) == []
    assert dm.id in [m.id for m in world.alice.user.dm_channel.history()]


async def test_an_edit_of_a_message_sent_before_a_restart_is_checked(world: World) -> None:
    message = await world.alice.send(world.general, "hello everyone, nice to meet you")
    # The bot's message cache is empty after a restart.
    world.bot._connection._messages.clear()  # type: ignore[union-attr]
    await world.alice.edit(message, "hello everyone, buy followers from me")
    await world.env.settle()

    assert message.id not in [m.id for m in world.general.history()]


async def test_missing_permissions_on_delete_and_timeout_are_reported(world: World) -> None:
    world.env.inject_error(
        "DELETE", "/channels/*/messages/*", status=403, code=50013, message="Missing Permissions"
    )
    kept = await world.alice.send(world.general, "cheap buy followers here")
    await world.env.settle()

    assert kept.id in [m.id for m in world.general.history()]
    report = world.texts(world.modlog)[-1]
    assert report.startswith("⚠️ Discord") and "Missing Permissions" in report
    # The bot goes on: the next spam is removed.
    again = await world.bob.send(world.general, "casino tonight")
    assert again.id not in [m.id for m in world.general.history()]


async def test_a_server_that_removes_the_bot_costs_nothing_else(world: World) -> None:
    other = world.env.create_guild("Elsewhere")
    await world.env.settle()
    world.env.backend.remove_guild(other.id)
    await world.env.settle()
    message = await world.alice.send(world.general, "cheap buy followers here")

    assert message.id not in [m.id for m in world.general.history()]
    assert world.env.errors == []


async def test_a_poll_is_read_by_the_rules(world: World) -> None:
    backend = world.env.backend
    poll = Poll(
        "Where to get cheap followers?",
        [PollAnswer(1, "buy followers at my shop"), PollAnswer(2, "nowhere")],
        expiry=backend.now_iso(),
    )
    posted = backend.create_message(world.general.id, world.alice.id, "", poll=poll)
    await world.env.settle()

    assert posted.id not in [m.id for m in world.general.history()]


async def test_spam_edited_before_the_bot_read_it_is_warned_once(world: World) -> None:
    backend = world.env.backend
    posted = backend.create_message(world.general.id, world.alice.id, "casino tonight")
    backend.edit_message(world.general.id, posted.id, {"content": "casino tonight, come"})
    await world.env.settle()

    assert posted.id not in [m.id for m in world.general.history()]
    notice = en("notice.removed", name="@alice", rule="No ads or recruiting")
    warnings = [text for text in world.texts(world.general) if text.startswith(notice)]
    assert warnings == [notice + en("notice.count", count=1, limit=5)]


async def test_the_owners_hear_when_the_server_removes_the_bot(world: World) -> None:
    heard: list[Action] = []

    async def forward(action: Action) -> None:
        heard.append(action)

    world.bot.community.gateway.forward = forward
    config = world.app.engine.config
    community = config.community.model_copy(update={"log_chat": "telegram:-1009001"})
    world.app.engine.reload(config.model_copy(update={"community": community}))
    world.env.backend.remove_guild(world.guild.id)
    await world.env.settle()

    said = [a.text for a in heard if isinstance(a, SendMessage)]
    assert said == [en("presence.removed", group="Green Energy")]
    assert world.env.errors == []


async def test_payloads_discord_py_cannot_read_cost_only_themselves(world: World) -> None:
    message = await world.alice.send(world.general, "hello everyone, nice to meet you")
    guild, channel = str(world.guild.id), str(world.general.id)
    # A partial MESSAGE_UPDATE (an embed unfurled), a member update without
    # the user's discriminator, a message without its type: discord.py's
    # parsers raise on each, out of the websocket's read loop.
    world.env.backend.emit(
        "MESSAGE_UPDATE",
        {"id": str(message.id), "channel_id": channel, "guild_id": guild, "embeds": []},
    )
    world.env.backend.emit(
        "GUILD_MEMBER_UPDATE",
        {"guild_id": guild, "user": {"id": str(world.bob.id), "username": "bob"}, "roles": []},
    )
    world.env.backend.emit("MESSAGE_CREATE", {"id": "1", "channel_id": channel})
    await world.env.settle()

    spam = await world.bob.send(world.general, "cheap buy followers here")
    assert spam.id not in [m.id for m in world.general.history()]
    assert message.id in [m.id for m in world.general.history()]


async def test_spam_in_a_thread_the_bot_never_saw_open_is_removed(world: World) -> None:
    backend = world.env.backend
    # No THREAD_CREATE reached the bot: discord.py hands over a
    # PartialMessageable for the channel.
    thread = backend.create_thread(world.general.id, "quiet", world.alice.id, broadcast=False)
    backend.add_thread_member(thread.id, world.bot.user.id)  # type: ignore[union-attr]
    handle = simcord.ChannelHandle(world.env, world.guild, thread)
    posted = backend.create_message(thread.id, world.alice.id, "cheap buy followers here")
    await world.env.settle()

    assert posted.id not in [m.id for m in handle.history()]
    assert world.env.errors == []
