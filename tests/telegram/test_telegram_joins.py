"""Joins and leaves as Telegram reports them to a bot that is an
administrator (a `chat_member` update and the group's service message, both)
and to one that is not (the service message only): each counted once. The
fake Bot API sends `chat_member` updates to administrator bots only, as
Telegram does, and posts the service messages when `service_messages` is on.
python-telegram-bot unmodified polls it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.records import DailyStatsRecord
from bot.features.economy.feature import EconomyFeature
from tests.telegram.fake_bot_api import BOT_ID, BOT_USERNAME, FakeBotApi
from tests.telegram.harness import ANN, CONFIG, GROUP, OWNER, ZHU, Bot, Sleeps, start_bot

QUIET = -1007770001  # a group where the bot is a plain member
NINA = 3001


@pytest.fixture
def joins(bot: Bot) -> FakeBotApi:
    api = bot.api
    api.service_messages = True
    api.add_user(NINA, "Nina", "nina")
    api.add_group(QUIET, "Quiet Group", owner=OWNER, members=[ZHU], bot_status="member")
    return api


def day_stats(bot: Bot, chat_id: int) -> DailyStatsRecord:
    kit = bot.app.engine.kit
    row = kit.stats.get(f"telegram:{chat_id}", kit.calendar.local_date(kit.clock.now()))
    assert row is not None, "nothing was counted in that group today"
    return row


def welcomes(api: FakeBotApi, chat_id: int) -> list[str]:
    return [text for text in api.sent(chat_id) if "@nina" in text]


async def test_a_bot_that_is_no_admin_sees_a_join_in_the_service_message(
    bot: Bot, joins: FakeBotApi
) -> None:
    joins.member_joins(QUIET, NINA)
    await bot.settle()
    assert not [u for u in joins.history if "chat_member" in u]  # Telegram sent none
    assert len(welcomes(joins, QUIET)) == 1
    assert day_stats(bot, QUIET).joins == 1
    group = bot.app.engine.kit.directory.groups[f"telegram:{QUIET}"]
    assert group.member_count == 1


async def test_a_bot_that_is_no_admin_sees_a_leave_in_the_service_message(
    bot: Bot, joins: FakeBotApi
) -> None:
    joins.member_joins(QUIET, NINA)
    await bot.settle()
    joins.member_leaves(QUIET, NINA)
    await bot.settle()
    assert day_stats(bot, QUIET).leaves == 1
    group = bot.app.engine.kit.directory.groups[f"telegram:{QUIET}"]
    assert group.member_count == 0


async def test_an_admin_bot_given_both_reports_counts_one_join_and_keeps_the_invite(
    bot: Bot, joins: FakeBotApi
) -> None:
    joins.post(GROUP, ANN, "/invite")
    await bot.settle()
    eco = bot.app.engine.feature(EconomyFeature).economy
    assert eco is not None
    link = eco.referrals.link_of(f"telegram:{ANN}")
    assert link is not None
    joins.member_joins(GROUP, NINA, invite_link=link)
    await bot.settle()
    kinds = [next(k for k in u if k != "update_id") for u in joins.history[-2:]]
    assert kinds == ["chat_member", "message"]
    assert len(welcomes(joins, GROUP)) == 1
    assert day_stats(bot, GROUP).joins == 1
    assert day_stats(bot, GROUP).invites_used == 1
    joins.member_leaves(GROUP, NINA)
    await bot.settle()
    assert day_stats(bot, GROUP).leaves == 1


async def test_both_reports_read_with_a_stale_admin_list_still_count_once(
    bot: Bot, joins: FakeBotApi
) -> None:
    """The bot was promoted without the my_chat_member update reaching it:
    its cached admin list says it is no admin, so translate reads the
    service message while the chat_member update comes too."""
    joins.post(QUIET, ZHU, "hello everyone")
    await bot.settle()  # the admin list is read (and cached) now
    joins.chats[QUIET].members[BOT_ID].status = "administrator"
    joins.member_joins(QUIET, NINA)
    await bot.settle()
    assert len(welcomes(joins, QUIET)) == 1
    assert day_stats(bot, QUIET).joins == 1
    assert bot.runner.joins.dropped == 1


async def test_a_member_who_leaves_and_comes_back_is_counted_each_time(
    bot: Bot, joins: FakeBotApi
) -> None:
    for chat_id in (QUIET, GROUP):
        joins.member_joins(chat_id, NINA)
        joins.member_leaves(chat_id, NINA)
        joins.member_joins(chat_id, NINA)
        await bot.settle()
        assert day_stats(bot, chat_id).joins == 2
        assert day_stats(bot, chat_id).leaves == 1


async def test_a_member_added_by_another_is_a_join_and_the_bot_itself_is_not(
    bot: Bot, joins: FakeBotApi
) -> None:
    joins.member_joins(QUIET, NINA, by=ZHU)
    chat = joins.chats[QUIET]
    joins.inject(
        "message",
        {
            "message_id": chat.new_message_id(),
            "date": 1_800_000_000,
            "chat": chat.as_json(),
            "from": joins.users[OWNER],
            "new_chat_members": [joins.me],
        },
    )
    await bot.settle()
    assert day_stats(bot, QUIET).joins == 1
    assert len(welcomes(joins, QUIET)) == 1
    assert not [text for text in joins.sent(QUIET) if BOT_USERNAME in text]


async def test_a_join_reported_twice_gets_one_captcha(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps, tmp_path: Path
) -> None:
    """With a captcha guarding the entry, a direct join is muted and asked
    the captcha in private: once, though both reports are read (the bot
    promoted without the my_chat_member update reaching it)."""
    config = tmp_path / "config.yaml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8") + "\nentry: {captcha: arithmetic}\n", encoding="utf-8"
    )
    api = world
    api.service_messages = True
    api.add_user(NINA, "Nina", "nina", started=True)
    api.add_group(QUIET, "Quiet Group", owner=OWNER, members=[ZHU], bot_status="member")
    async with start_bot(api, tg_db, sleeps, config=config) as bot:
        api.post(QUIET, ZHU, "hello everyone")
        await bot.settle()
        api.chats[QUIET].members[BOT_ID].status = "administrator"
        api.member_joins(QUIET, NINA)
        await bot.settle()
        assert len(api.called("restrictChatMember", chat_id=QUIET, user_id=NINA)) == 1
        asked = [text for text in api.sent(NINA) if "captcha" in text.lower() or "+" in text]
        assert len(asked) == 1
        assert api.member(QUIET, NINA).status == "restricted"  # type: ignore[union-attr]
        assert bot.runner.joins.dropped == 1
