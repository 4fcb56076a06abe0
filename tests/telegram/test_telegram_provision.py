"""The Telethon provisioner: the exact MTProto requests a user account sends
to create the next group and make the bot its administrator, the Bot API id
it reports, and errors (a flood wait, a refusal) reported with their step."""

from __future__ import annotations

import pytest
from telethon import errors, utils
from telethon.tl import functions, types

from adapters.telegram.provision import (
    ENV_API_HASH,
    ENV_API_ID,
    ENV_SESSION,
    Provisioner,
    ProvisionFailed,
    bot_api_id,
    provisioner_from_env,
)
from adapters.telegram.translate import REQUIRED_RIGHTS
from tests.telegram.fake_telethon import BOT_ACCESS_HASH, CHANNEL_ACCESS_HASH, FakeTelethon

BOT_ID = 5550001
BOT = "gk_test_bot"


@pytest.fixture
def client() -> FakeTelethon:
    return FakeTelethon(BOT_ID, BOT, next_channel_id=1987654321)


async def test_creates_a_supergroup_and_makes_the_bot_its_administrator(
    client: FakeTelethon,
) -> None:
    chat_id = await Provisioner(client).create("Founders #2", "Read /rules first.", BOT)

    assert chat_id == -1001987654321
    channel = types.InputChannel(1987654321, CHANNEL_ACCESS_HASH)
    bot = types.InputUser(BOT_ID, BOT_ACCESS_HASH)
    rights = types.ChatAdminRights(
        change_info=True,
        delete_messages=True,
        ban_users=True,
        invite_users=True,
        pin_messages=True,
    )
    assert client.requests == [
        functions.channels.CreateChannelRequest(
            title="Founders #2", about="Read /rules first.", megagroup=True
        ),
        functions.contacts.ResolveUsernameRequest(username=BOT),
        functions.channels.InviteToChannelRequest(channel=channel, users=[bot]),
        functions.channels.EditAdminRequest(
            channel=channel, user_id=bot, admin_rights=rights, rank=""
        ),
    ]


async def test_the_bot_gets_every_right_groupkeeper_checks_for(client: FakeTelethon) -> None:
    await Provisioner(client).create("Founders #2", "", "@" + BOT)
    [edit] = [r for r in client.requests if isinstance(r, functions.channels.EditAdminRequest)]
    granted = {k for k, v in edit.admin_rights.to_dict().items() if v is True}
    # What /pool add and the rights check read, in MTProto's names, and nothing more.
    assert len(granted) == len(REQUIRED_RIGHTS) == 5
    assert granted == {
        "change_info",
        "delete_messages",
        "ban_users",
        "invite_users",
        "pin_messages",
    }
    assert not edit.admin_rights.add_admins


@pytest.mark.parametrize(
    ("channel_id", "chat_id"),
    [(1, -1000000000001), (1234567890, -1001234567890), (2999999999, -1002999999999)],
)
def test_bot_api_ids_are_the_channel_id_marked_minus_100(channel_id: int, chat_id: int) -> None:
    assert bot_api_id(channel_id) == chat_id
    # As Telethon itself marks a channel's id for the Bot API.
    assert bot_api_id(channel_id) == utils.get_peer_id(types.PeerChannel(channel_id))


@pytest.mark.parametrize(
    ("request_type", "error", "said"),
    [
        (
            functions.channels.CreateChannelRequest,
            errors.FloodWaitError(request=None, capture=3600),
            "create: A wait of 3600 seconds is required",
        ),
        (
            functions.channels.CreateChannelRequest,
            errors.ChannelsTooMuchError(request=None),
            "create: You have joined too many channels/supergroups",
        ),
        (
            functions.channels.EditAdminRequest,
            errors.ChatAdminRequiredError(request=None),
            "make the bot admin: Chat admin privileges are required",
        ),
        (
            functions.channels.InviteToChannelRequest,
            ConnectionError("Connection to Telegram failed 5 time(s)"),
            "add the bot: Connection to Telegram failed",
        ),
    ],
)
async def test_a_refusal_is_raised_with_its_step_and_nothing_is_retried(
    client: FakeTelethon, request_type: type, error: Exception, said: str
) -> None:
    client.errors[request_type] = error
    with pytest.raises(ProvisionFailed) as failed:
        await Provisioner(client).create("Founders #2", "", BOT)
    assert str(failed.value).startswith(said)
    assert [type(r) for r in client.requests].count(request_type) == 1
    assert type(client.requests[-1]) is request_type


async def test_a_username_that_is_no_bot_is_refused(client: FakeTelethon) -> None:
    with pytest.raises(ProvisionFailed, match="find the bot: @someone_else is not a bot"):
        await Provisioner(client).create("Founders #2", "", "someone_else")
    assert not any(
        isinstance(r, functions.channels.InviteToChannelRequest) for r in client.requests
    )


def test_the_environment_must_hold_the_whole_session() -> None:
    with pytest.raises(ValueError, match=f"needs {ENV_API_HASH}, {ENV_SESSION}"):
        provisioner_from_env({ENV_API_ID: "12345"})
    with pytest.raises(ValueError, match=f"{ENV_API_ID} must be a number"):
        provisioner_from_env({ENV_API_ID: "abc", ENV_API_HASH: "f" * 32, ENV_SESSION: "1xyz"})
