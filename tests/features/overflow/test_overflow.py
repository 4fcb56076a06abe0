"""The overflow planner: entry invites go to the lowest serial with room,
unused invites hold a place, the pool readies the next group, and the owner
is warned before it runs dry."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.compose import open_engine
from bot.config import parse_config
from bot.core.actions import (
    Action,
    CheckBotRights,
    CloneGroup,
    CountMembers,
    CreateInvite,
    SendDirect,
    SendMessage,
    SetGroupProfile,
)
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import (
    BotRightsReported,
    ChatRef,
    CommandIssued,
    GroupOpened,
    MemberJoined,
    MemberLeft,
    MembersCounted,
    TimerFired,
    UserRef,
)
from storage.sql_store import SqlStore
from tests.conftest import START

CONFIG = """
community:
  name: Green
  slug: green-energy
  language: en
  owners: [telegram:1, discord:1]
  log_chat: telegram:-999
groups: {capacity: CAP, title: "{name} #{serial}", description: "Read /rules.", pool: {warn_below: 1}}
welcome: {enabled: false}
"""

OWNER = UserRef("telegram", "1", "Olga", "olga")
DISCORD_OWNER = UserRef("discord", "1", "Olga", "olga")


def group(n: int) -> ChatRef:
    return ChatRef("telegram", f"-100{n}")


def person(n: int) -> UserRef:
    return UserRef("telegram", str(1000 + n), f"P{n}", f"p{n}")


def dm(user: UserRef) -> ChatRef:
    return ChatRef("telegram", user.user_id, private=True)


@pytest.fixture
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    cap = getattr(request, "param", 3)
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    e = await open_engine(
        parse_config(CONFIG.replace("CAP", str(cap))),
        store,
        FakeClock(START),
        background_flush=False,
    )
    yield e
    await e.stop()
    await store.close()


def now(e: Engine) -> object:
    return e.clock.now()


async def command(
    e: Engine, chat: ChatRef, who: UserRef, text: str, *, lacking: tuple[str, ...] = ()
) -> list[Action]:
    """The command's actions, with the platform's part played: asked for the
    bot's rights (`/pool add`), it reports them, lacking `lacking`."""
    name, *args = text.lstrip("/").split()
    actions = await e.handle(CommandIssued(chat, who, 1, name, tuple(args), e.clock.now()))
    for check in [a for a in actions if isinstance(a, CheckBotRights)]:
        actions.remove(check)
        actions += await e.handle(BotRightsReported(check.chat, lacking, e.clock.now()))
    return actions


async def enter(e: Engine, who: UserRef) -> list[Action]:
    return await command(e, dm(who), who, "/start join-green-energy")


async def join(e: Engine, chat: ChatRef, who: UserRef) -> list[Action]:
    return await e.handle(MemberJoined(chat, who, e.clock.now()))


def invited_to(actions: list[Action]) -> str | None:
    invites = [a for a in actions if isinstance(a, CreateInvite)]
    assert len(invites) <= 1
    return invites[0].chat.chat_id if invites else None


async def setup_pool(e: Engine, spares: int) -> None:
    await command(e, group(1), OWNER, "/groups")
    for n in range(2, 2 + spares):
        reply = await command(e, group(n), OWNER, "/pool add")
        assert "spare" in reply[0].text  # type: ignore[union-attr]


async def test_entry_invite_is_single_use_short_lived_and_for_the_newcomer(engine: Engine) -> None:
    await setup_pool(engine, 1)
    actions = await enter(engine, person(1))
    invite = next(a for a in actions if isinstance(a, CreateInvite))
    assert invite.chat == group(1) and invite.member_limit == 1
    assert invite.for_user == person(1) and invite.purpose == "entry"
    assert invite.expires == engine.clock.now() + timedelta(minutes=10)


async def test_pending_invites_count_against_room_so_a_group_is_never_overfilled(
    engine: Engine,
) -> None:
    await setup_pool(engine, 1)
    # Three unused invites fill g1 (capacity 3): the fourth goes to the spare.
    targets = [invited_to(await enter(engine, person(n))) for n in range(1, 5)]
    assert targets == ["-1001", "-1001", "-1001", "-1002"]


async def test_a_member_already_in_a_group_is_pointed_back(engine: Engine) -> None:
    await setup_pool(engine, 1)
    await enter(engine, person(1))
    await join(engine, group(1), person(1))
    again = await enter(engine, person(1))
    assert invited_to(again) is None
    assert [a.text for a in again if isinstance(a, SendDirect)] == [
        "You are already in -1001: open it from your chat list."
    ]


async def test_a_leavers_place_is_refilled_before_a_newer_group(engine: Engine) -> None:
    await setup_pool(engine, 1)
    for n in range(1, 5):
        chat = group(1) if n <= 3 else group(2)
        assert invited_to(await enter(engine, person(n))) == chat.chat_id
        await join(engine, chat, person(n))
    await engine.handle(MemberLeft(group(1), person(2), engine.clock.now()))
    assert invited_to(await enter(engine, person(5))) == "-1001"
    assert invited_to(await enter(engine, person(6))) == "-1002"


async def test_an_unused_invite_gives_its_place_back_when_it_expires(engine: Engine) -> None:
    await setup_pool(engine, 0)
    for n in range(1, 4):
        await enter(engine, person(n))
    full = await enter(engine, person(4))
    assert invited_to(full) is None
    engine.clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
    await engine.handle(TimerFired("tick", engine.clock.now()))
    assert invited_to(await enter(engine, person(4))) == "-1001"


async def test_the_next_group_is_readied_from_the_pool_with_title_and_profile(
    engine: Engine,
) -> None:
    await setup_pool(engine, 2)
    actions: list[Action] = []
    for n in range(1, 4):
        actions += await enter(engine, person(n))
    profile = [a for a in actions if isinstance(a, SetGroupProfile)]
    # Photo and default permissions come from the first group, the template.
    assert profile == [SetGroupProfile(group(2), "Green #2", "Read /rules.", template=group(1))]
    g2 = engine.kit.directory.groups[group(2).key]
    assert (g2.state, g2.serial, g2.title) == ("open", 2, "Green #2")
    log = [a.text for a in actions if isinstance(a, SendMessage) and a.chat.chat_id == "-999"]
    assert any("Green #2" in line for line in log)
    assert any("Only 1 spare group(s) left" in line for line in log)
    # No rules configured: nothing to pin.
    assert not any(isinstance(a, SendMessage) and a.pin for a in actions)
    later: list[Action] = []
    for n in range(4, 7):
        later += await enter(engine, person(n))
    profile = [a for a in later if isinstance(a, SetGroupProfile)]
    assert profile == [SetGroupProfile(group(3), "Green #3", "Read /rules.", template=group(1))]


RULES = """
rules:
  - {id: ads, type: blocklist, words: [casino], action: delete, description: No ads}
  - {id: links, type: links, action: delete, groups: ["-1001"]}
  - {id: shouting, type: caps, enabled: false, action: delete}
"""


async def test_a_spare_that_opens_gets_the_rules_posted_and_pinned() -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    e = await open_engine(
        parse_config(CONFIG.replace("CAP", "3") + RULES),
        store,
        FakeClock(START),
        background_flush=False,
    )
    try:
        await setup_pool(e, 1)
        actions: list[Action] = []
        for n in range(1, 4):
            actions += await enter(e, person(n))
        [pinned] = [a for a in actions if isinstance(a, SendMessage) and a.pin]
        # What /rules shows in the new group: the links rule is g1's alone.
        asked = await command(e, group(2), person(9), "/rules")
        assert pinned.chat == group(2) and pinned.text == asked[0].text  # type: ignore[union-attr]
        assert pinned.text == "📜 Rules of Green:\n1. No ads"
    finally:
        await e.stop()
        await store.close()


async def test_the_owner_is_warned_once_when_the_pool_is_empty(engine: Engine) -> None:
    await setup_pool(engine, 0)
    warned: list[str] = []
    for n in range(1, 6):
        for a in await enter(engine, person(n)):
            if isinstance(a, SendMessage) and a.chat.chat_id == "-999":
                warned.append(a.text)
    assert sum("No spare groups left" in w for w in warned) == 1
    assert sum("found no room" in w for w in warned) == 1


async def test_groups_shows_fill_levels_and_the_entry(engine: Engine) -> None:
    await setup_pool(engine, 1)
    await enter(engine, person(1))
    await join(engine, group(1), person(1))
    await enter(engine, person(2))
    reply = await command(engine, group(1), person(9), "/groups")
    text = reply[0].text  # type: ignore[union-attr]
    assert "#1 -1001: 1/3 + 1 invited (66%) ← newcomers go here" in text
    assert "Spare groups in the pool: 1" in text


async def test_only_owners_manage_the_pool_and_bad_arguments_get_usage(engine: Engine) -> None:
    refused = await command(engine, group(5), person(1), "/pool add")
    assert "Only an owner" in refused[0].text  # type: ignore[union-attr]
    usage = await command(engine, group(5), OWNER, "/pool fill")
    assert "Usage: /pool add" in usage[0].text  # type: ignore[union-attr]
    private = await command(engine, dm(OWNER), OWNER, "/pool add")
    assert "inside the new group" in private[0].text  # type: ignore[union-attr]
    wrong = await command(engine, dm(person(1)), person(1), "/start join-other")
    assert "/start join-green-energy" in wrong[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("engine", [50], indirect=True)
async def test_a_burst_of_2000_newcomers_is_placed_with_zero_overfill(engine: Engine) -> None:
    await command(engine, group(1), OWNER, "/groups")
    for n in range(2, 45):
        await command(engine, group(n), OWNER, "/pool add")
    results = await asyncio.gather(*(enter(engine, person(n)) for n in range(1, 2001)))
    placed = Counter(invited_to(r) for r in results)
    assert None not in placed and sum(placed.values()) == 2000
    assert max(placed.values()) == 50
    assert len(placed) == 40


async def test_the_platforms_count_replaces_ours_and_a_big_drift_is_reported(
    engine: Engine,
) -> None:
    await setup_pool(engine, 1)
    await join(engine, group(1), person(1))
    quiet = await engine.handle(MembersCounted(group(1), 2, engine.clock.now()))
    assert quiet == []
    g1 = engine.kit.directory.groups[group(1).key]
    assert g1.member_count == 2
    # Members added while the bot was away: the owner hears of it, and the
    # spare opens now that g1 is full.
    actions = await engine.handle(MembersCounted(group(1), 5, engine.clock.now()))
    log = [a.text for a in actions if isinstance(a, SendMessage) and a.chat.chat_id == "-999"]
    assert log[0] == "ℹ️ -1001 has 5 members by the platform's count, not 2 (+3): corrected."
    assert SetGroupProfile(group(2), "Green #2", "Read /rules.", template=group(1)) in actions
    assert invited_to(await enter(engine, person(2))) == "-1002"


async def test_the_platforms_are_asked_to_count_open_and_spare_groups_now_and_then(
    engine: Engine,
) -> None:
    await setup_pool(engine, 1)
    home = ChatRef("discord", "10")
    await command(engine, home, DISCORD_OWNER, "/groups")
    await command(engine, ChatRef("telegram", "-999"), OWNER, "/groups")  # the log chat

    def counts(actions: list[Action]) -> list[Action]:
        return [a for a in actions if isinstance(a, CountMembers)]

    async def tick(after: timedelta) -> list[Action]:
        engine.clock.advance(after)  # type: ignore[attr-defined]
        return counts(await engine.handle(TimerFired("tick", engine.clock.now())))

    assert await tick(timedelta(seconds=59)) == []
    # A minute after start: what changed while the bot was down.
    assert await tick(timedelta(seconds=1)) == [
        CountMembers("discord", (home,)),
        CountMembers("telegram", (group(1), group(2))),
    ]
    # Then every groups.reconcile_every (30 minutes by default).
    assert await tick(timedelta(minutes=29)) == []
    assert len(await tick(timedelta(minutes=1))) == 2


async def test_a_discord_clone_is_asked_for_once_and_becomes_the_entry_when_opened(
    engine: Engine,
) -> None:
    home = ChatRef("discord", "10")
    await command(engine, home, DISCORD_OWNER, "/groups")
    newcomers = [UserRef("discord", str(20 + n), f"D{n}") for n in range(4)]
    actions: list[Action] = []
    for who in newcomers[:3]:
        actions += await command(
            engine, ChatRef("discord", who.user_id, private=True), who, "/join"
        )
    clones = [a for a in actions if isinstance(a, CloneGroup)]
    assert clones == [CloneGroup(home, "Green #2", 2)]
    stuck = await command(
        engine, ChatRef("discord", newcomers[3].user_id, private=True), newcomers[3], "/join"
    )
    assert invited_to(stuck) is None and not any(isinstance(a, CloneGroup) for a in stuck)
    opened = await engine.handle(GroupOpened(ChatRef("discord", "30"), "Green #2", 2, START))
    assert any("Green #2 (#2)" in a.text for a in opened if isinstance(a, SendMessage))
    # The clone copied its template's pins: nothing is pinned twice.
    assert not any(isinstance(a, SendMessage) and a.pin for a in opened)
    again = await command(
        engine, ChatRef("discord", newcomers[3].user_id, private=True), newcomers[3], "/join"
    )
    assert invited_to(again) == "30"


async def test_pool_add_names_the_admin_rights_the_bot_lacks(engine: Engine) -> None:
    missing = ("can_invite_users", "can_pin_messages")
    refused = await command(engine, group(7), OWNER, "/pool add", lacking=missing)
    assert refused[0].text == (  # type: ignore[union-attr]
        "I cannot run this group yet: as its administrator I lack Invite users via link, "
        "Pin messages. Grant them, then send /pool add again."
    )
    added = await command(engine, group(7), OWNER, "/pool add")
    assert "now a spare" in added[0].text  # type: ignore[union-attr]


async def test_pool_add_waits_for_the_rights_read_for_it(engine: Engine) -> None:
    at = engine.clock.now()
    # An old reading (the bot's arrival, say) is not trusted.
    assert await engine.handle(BotRightsReported(group(7), (), at)) == []
    asked = await engine.handle(CommandIssued(group(7), OWNER, 5, "pool", ("add",), at))
    assert asked == [CheckBotRights(group(7))]
    g7 = engine.kit.directory.groups[group(7).key]
    assert g7.state == "open"

    [added] = await engine.handle(BotRightsReported(group(7), (), at))

    assert isinstance(added, SendMessage) and added.reply_to == 5
    assert (
        added.text == "✅ This group is now a spare; it opens when the others fill up. Spares: 1."
    )
    assert g7.state == "spare"
    # A later reading answers nothing more.
    assert await engine.handle(BotRightsReported(group(7), (), at)) == []


async def test_pool_add_refuses_at_once_what_no_rights_would_fix(engine: Engine) -> None:
    await command(engine, group(7), OWNER, "/pool add")
    again = await engine.handle(CommandIssued(group(7), OWNER, 6, "pool", ("add",), START))
    assert [type(a) for a in again] == [SendMessage]
    assert "already" in again[0].text  # type: ignore[union-attr]
