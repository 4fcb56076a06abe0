"""Appeals through the console on the real SQL stores: one per case across a
restart, a spam catch accepted on appeal is learned as not spam (through the
spam detector's public learning call), a kick accepted lifts nothing and
says to come back by the entry link, and the window is read from the config."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.console.session import ConsoleSession, group_chat, user
from bot.core.actions import SendDirect, UnbanMember
from bot.core.i18n import t
from bot.features.appeals.feature import AppealsFeature
from bot.features.appeals.records import ACCEPTED, PENDING
from bot.features.moderation.feature import ModerationFeature
from tests.conftest import run_script

# The example config's community speaks Chinese.
NOTHING = t("zh", "appeal.nothing", window="30d")


def appeals(console: ConsoleSession) -> AppealsFeature:
    return console.engine.feature(AppealsFeature)


async def test_one_appeal_per_case_survives_a_restart(console: ConsoleSession) -> None:
    await run_script(
        console,
        """
!mod mia
eve: hello
mia > 1: /mute 1h shouting
[dm] eve: /appeal I was not shouting, my caps lock was stuck
!restart
!clock +2m
""",
    )
    service = appeals(console).appeals
    assert [(a.id, a.case_id, a.status) for a in service.waiting()] == [(1, 1, PENDING)]
    out = await run_script(console, "!clock +61m\n[dm] eve: /appeal please, it really was the key")
    # The mute ran out meanwhile: nothing stands to appeal.
    assert out[-1].endswith(NOTHING)
    await run_script(console, "[log] mia: /appeals 1 accept sorry about that")
    assert service.by_id[1].status == ACCEPTED
    assert service.by_id[1].answer == "sorry about that"


async def test_an_accepted_spam_case_is_learned_as_not_spam(console: ConsoleSession) -> None:
    taught: list[tuple[str, str, str]] = []
    service = appeals(console).appeals

    async def learn(text: str, at: datetime, by: str, member: str) -> bool:
        taught.append((text, by, member))
        return True

    service.learn_ham = learn
    kit, now = console.engine.kit, console.clock.now()
    eve = kit.directory.member(user("eve"), now)
    mia = kit.directory.member(user("mia"), now)
    group = kit.directory.group(group_chat("g1"), now)
    enforcer = console.engine.feature(ModerationFeature).enforcer
    enforcer.sanction(
        "ban", eve, group_chat("g1"), now, group=group, rule="spam",
        text="selling my old bike, DM me",
    )  # fmt: skip
    await run_script(console, "[dm] eve: /appeal it was a real bike, not spam at all")

    actions = await service.accept(service.by_id[1], mia, "", now)

    assert taught == [("selling my old bike, DM me", "console:mia", "console:eve")]
    assert [a.chat for a in actions if isinstance(a, UnbanMember)] == [group_chat("g1")]
    assert [a.user.user_id for a in actions if isinstance(a, SendDirect)] == ["eve"]


async def test_a_case_the_detector_did_not_make_teaches_it_nothing(
    console: ConsoleSession,
) -> None:
    taught: list[str] = []
    service = appeals(console).appeals

    async def learn(text: str, at: datetime, by: str, member: str) -> bool:
        taught.append(text)
        return True

    service.learn_ham = learn
    await run_script(
        console,
        """
!mod mia
dan: you are all fools
mia > 1: /mute 2h insults
[dm] dan: /appeal it was a joke among friends, nothing more
[log] mia: /appeals 1 accept
""",
    )
    assert service.by_id[1].status == ACCEPTED and taught == []


async def test_an_accepted_kick_lifts_nothing_and_points_to_the_entry(
    console: ConsoleSession,
) -> None:
    out = await run_script(
        console,
        """
!mod mia
dan: hello all
mia > 1: /kick off topic
[dm] dan: /appeal I was on topic, it was about solar panels
[log] mia: /appeals 1 accept
""",
    )
    assert not any("unban" in line or "unmute" in line for line in out)
    assert any(t("zh", "appeal.accepted_kick", id=1, case=1) in line for line in out)


async def test_the_window_comes_from_the_config(console: ConsoleSession) -> None:
    config = console.engine.config
    shorter = config.appeals.model_copy(update={"window": timedelta(hours=1)})
    console.engine.reload(config.model_copy(update={"appeals": shorter}))
    out = await run_script(
        console,
        """
!mod mia
dan: hello all
mia > 1: /ban rude
!clock +2h
[dm] dan: /appeal I am sorry, please let me back in
""",
    )
    assert out[-1].endswith(t("zh", "appeal.nothing", window="1h"))


async def test_with_notify_a_kicked_member_is_told_how_to_appeal_before_the_kick(
    console: ConsoleSession,
) -> None:
    config = console.engine.config
    notify = config.appeals.model_copy(update={"notify": True})
    console.engine.reload(config.model_copy(update={"appeals": notify}))
    out = await run_script(console, "!mod mia\ndan: hello all\nmia > 1: /kick off topic")
    notice = t("zh", "appeal.notice", action=t("zh", "actions.kick"), where="g1", case=1,
               window="30d")  # fmt: skip
    told = next(i for i, line in enumerate(out) if notice in line)
    kicked = next(i for i, line in enumerate(out) if "bot kicks dan" in line)
    assert told < kicked
    # A mute is no removal: the member still reads the group's notice.
    out = await run_script(console, "eve: hi\nmia > 4: /mute 1h")
    assert any("bot mutes eve" in line for line in out)
    assert not any(line.startswith("[dm eve]") for line in out)
