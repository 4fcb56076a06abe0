"""The engine end to end through the console: rules, points, moderation and
persistence, as an owner would try them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import parse_config
from bot.core.clock import FakeClock
from bot.features.moderation.feature import ModerationFeature
from bot.features.points.feature import PointsFeature
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, run_script


async def test_checkin_once_per_local_day_in_the_community_time_zone(
    console: ConsoleSession, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=14, minutes=30))  # 23:30 in Shanghai, 15:30 UTC
    out = await run_script(console, "alice: /checkin\nalice: 签到")
    assert "+10 积分" in out[1]
    assert "已经签到过了" in out[3]
    clock.advance(timedelta(minutes=40))  # 00:10 next local day, same UTC day
    out = await run_script(console, "alice: 打卡")
    assert "已连续签到 2 天" in out[1]
    assert console.engine.feature(PointsFeature).points.balance("console:alice") == 20


async def test_streak_bonus_from_the_config_and_reset_after_a_missed_day(
    console: ConsoleSession, clock: FakeClock
) -> None:
    points = console.engine.feature(PointsFeature).points
    for _ in range(3):
        await console.feed("alice: /checkin")
        clock.advance(timedelta(days=1))
    # Days 1 and 2 pay the base, day 3 adds the 3-day bonus (streak: {3: 5}).
    assert points.balance("console:alice") == 10 + 10 + 15
    clock.advance(timedelta(days=1))  # a day missed
    out = await console.feed("alice: /checkin")
    assert "已连续签到 1 天" in out[1]
    assert points.balance("console:alice") == 35 + 10


async def test_message_points_respect_length_cooldown_and_daily_cap(
    console: ConsoleSession, clock: FakeClock
) -> None:
    points = console.engine.feature(PointsFeature).points
    await console.feed("bob: hi")
    assert points.balance("console:bob") == 0  # shorter than min_length 5
    await console.feed("bob: hello everyone")
    await console.feed("bob: second message")
    assert points.balance("console:bob") == 1  # the second is within the 60s cooldown
    for _ in range(70):
        clock.advance(timedelta(seconds=61))
        await console.feed("bob: still chatting here")
    assert points.balance("console:bob") == 50  # daily_cap
    clock.advance(timedelta(days=1))
    await console.feed("bob: a new day begins")
    assert points.balance("console:bob") == 51


async def test_blocked_word_is_deleted_warned_and_the_ladder_escalates(
    console: ConsoleSession, clock: FakeClock
) -> None:
    out = await console.feed("bob: 加 微 信 领资料")
    assert "[g1] bot deletes #1 (rule: no-ads)" in out
    assert any("警告 1/5" in line for line in out)
    await console.feed("bob: ｗ．ｅ．ｃ．ｈ．ａ．ｔ me")
    out = await console.feed("bob: 加微信吧")
    assert "[g1] bot mutes bob for 1h" in out
    assert any("累计 3 次警告" in line for line in out)
    clock.advance(timedelta(hours=2))
    await console.feed("bob: 代开发票")
    out = await console.feed("bob: 加vx")
    assert "[g1] bot bans bob" in out
    assert (await console.feed("bob: hello?")) == ["[g1] (bob is banned: not delivered)"]


async def test_links_from_new_members_only_and_allowed_domains(
    console: ConsoleSession, clock: FakeClock
) -> None:
    await console.feed("+carol")
    out = await console.feed("carol: look https://example.com/deal")
    assert any("deletes" in line and "rule: links" in line for line in out)
    out = await console.feed("carol: code at https://github.com/x/y")
    assert not any("deletes" in line for line in out)
    clock.advance(timedelta(hours=25))
    out = await console.feed("carol: look https://example.com/deal")
    assert not any("deletes" in line for line in out)


async def test_flood_mutes_and_the_platform_keeps_the_mute_until_it_ends(
    console: ConsoleSession, clock: FakeClock
) -> None:
    out = await run_script(console, "\n".join(f"dan: message {i}" for i in range(6)))
    assert "[g1] bot mutes dan for 10m (rule: flood)" in out
    assert (await console.feed("dan: let me speak")) == ["[g1] (dan is muted: not delivered)"]
    clock.advance(timedelta(minutes=11))
    out = await console.feed("dan: thanks")
    assert out[0].startswith("[g1] #")


async def test_moderator_commands_and_refusals(console: ConsoleSession) -> None:
    await run_script(console, "!mod mia\nbob: hello there")
    out = await console.feed("eve > 1: /ban")
    assert out[-1].endswith("只有管理员可以使用 /ban。")
    out = await console.feed("mia > 1: /mute 10m 刷屏")
    assert "[g1] bot mutes bob for 10m" in out
    assert out[-1].endswith("🔇 @bob 已被禁言 10m（刷屏）。")
    out = await console.feed("mia: /mute @bob soon")
    assert "已被禁言 1h" in out[-1]  # no duration given: the default hour
    out = await console.feed("mia: /mute @bob 5x")
    assert "“5x”不是有效时长" in out[-1]
    out = await console.feed("mia: /ban @nobody")
    assert "@nobody" in out[-1] and "还没有" in out[-1]
    out = await console.feed("mia: /ban")
    assert "/ban @名字" in out[-1]
    out = await console.feed("mia: /unmute @bob")
    assert "[g1] bot unmutes bob" in out
    out = await console.feed("mia: /ban @mia")
    assert "是管理员" in out[-1]
    out = await console.feed("mia: /ban @bob 1d")
    assert "[g1] bot bans bob for 1d" in out
    out = await console.feed("mia: /unban @bob")
    assert "[g1] bot unbans bob" in out


async def test_warnings_by_moderators_climb_the_same_ladder(console: ConsoleSession) -> None:
    await run_script(console, "!mod mia\nbob: hello there")
    for _ in range(2):
        await console.feed("mia: /warn @bob 离题")
    out = await console.feed("mia: /unwarn @bob")
    assert "当前有效警告：1" in out[-2 if out[-1].startswith("[log]") else -1]
    await console.feed("mia: /warn @bob")
    out = await console.feed("mia: /warn @bob")
    assert "[g1] bot mutes bob for 1h" in out


async def test_every_moderation_action_is_a_stored_case(
    console: ConsoleSession, store: SqlStore
) -> None:
    await run_script(console, "!mod mia\nbob: 加微信\nmia: /mute @bob 10m spam")
    await console.close()
    delete = await store.case("green-energy", 1)
    warn = await store.case("green-energy", 2)
    mute = await store.case("green-energy", 3)
    assert delete is not None and delete.action == "delete" and delete.rule == "no-ads"
    assert delete.message_text == "加微信" and "加微信" in delete.details
    assert warn is not None and warn.action == "warn"
    assert mute is not None and mute.action == "mute"
    assert mute.moderator_key == "console:mia" and mute.duration == "10m"
    assert mute.reason == "spam"


async def test_language_follows_the_member(console: ConsoleSession) -> None:
    out = await console.feed("alice: /lang en")
    assert out[-1].endswith("Language set to English.")
    out = await console.feed("alice: /checkin")
    assert "checked in: +10 points" in out[-1]
    out = await console.feed("bob: /checkin")
    assert "签到成功" in out[-1]


async def test_welcome_rules_help_and_unknown_commands(console: ConsoleSession) -> None:
    out = await console.feed("+zoe")
    assert out == [
        "[g1] zoe joins",
        "[g1] #1 bot: 欢迎加入 g1，@zoe！请先阅读 /rules 群规，和大家打个招呼吧。每天 /checkin 签到可得积分。",
    ]
    out = await console.feed("zoe: /rules")
    assert "禁止广告和引流" in "\n".join(out)
    assert "10s 内最多发 5 条消息" in "\n".join(out)
    out = await console.feed("zoe: /help")
    assert "/checkin" in out[-1] and "/ban" not in out[-1]
    await console.feed("!mod zoe")
    out = await console.feed("zoe: /help")
    assert "/ban" in "\n".join(out)
    out = await console.feed("zoe: /nonsense")
    assert "我不认识 /nonsense" in out[-1]


async def test_restart_keeps_points_streaks_warnings_and_roles(
    console: ConsoleSession, clock: FakeClock
) -> None:
    await run_script(console, "alice: /checkin\n!mod mia\nbob: 加微信")
    before = console.engine.feature(PointsFeature).points.balance("console:alice")
    await console.feed("!restart")
    engine = console.engine
    assert engine.feature(PointsFeature).points.balance("console:alice") == before == 10
    assert len(engine.feature(ModerationFeature).cases.active("console:bob", clock.now())) == 1
    out = await console.feed("alice: /checkin")
    assert "已经签到过了" in out[-1]
    out = await console.feed("mia: /warn @bob")
    assert "警告 2/5" in out[-2] or "警告 2/5" in out[0] or any("2/5" in x for x in out)


async def test_hot_reload_swaps_rules(console: ConsoleSession) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("加微信, ", "")
    console.engine.reload(parse_config(text))
    out = await console.feed("bob: 加微信")
    # The rule is gone (the spam detector may still remove it, by its own name).
    assert not any("(rule: no-ads)" in line for line in out)
    out = await console.feed("carol: 代开发票")
    assert any("(rule: no-ads)" in line for line in out)


async def test_reload_keeps_the_last_good_config(
    store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "community.yaml"
    good = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(good, encoding="utf-8")
    session = ConsoleSession(parse_config(good), store, clock, config_path=path)
    await session.start()
    await session.feed("!owner olga")
    path.write_text(good.replace("per: 10s", "per: 10q"), encoding="utf-8")
    out = await session.feed("olga: /reload")
    assert "配置有 1 处错误" in out[-1] and "rules.3.per: '10q' is not a duration" in out[-1]
    out = await session.feed("bob: 加微信")
    assert "[g1] bot deletes #3 (rule: no-ads)" in out  # the old rules still run
    path.write_text(good.replace("加微信, ", ""), encoding="utf-8")
    out = await session.feed("olga: /reload")
    assert out[-1].endswith("配置已重新加载：3 条规则生效。")
    out = await session.feed("bob: 加微信")
    # The rule is gone (the spam detector may still remove it, by its own name).
    assert not any("(rule: no-ads)" in line for line in out)
    out = await session.feed("carol: /reload")
    assert "只有管理员" in out[-1]
    await session.close()


async def test_an_edit_never_issues_a_command_but_is_checked_again(
    console: ConsoleSession, clock: FakeClock
) -> None:
    from bot.core.events import ChatRef, MessagePosted, UserRef

    await run_script(console, "!mod mia\nbob: hello there")
    mia, bob = UserRef("console", "mia", "mia", "mia"), UserRef("console", "bob", "bob", "bob")
    chat = ChatRef("console", "g1")
    edit = MessagePosted(chat, mia, 2, "/ban @bob", clock.now(), edited=True)
    assert await console.engine.handle(edit) == []
    edit = MessagePosted(chat, bob, 1, "加微信", clock.now(), edited=True)
    kinds = {type(a).__name__ for a in await console.engine.handle(edit)}
    assert "DeleteMessage" in kinds


async def test_a_reloaded_log_chat_is_where_the_console_reports(
    store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "community.yaml"
    before = EXAMPLE.read_text(encoding="utf-8").replace(
        "log_chat: telegram:-1009001", "log_chat: console:mods"
    )
    path.write_text(before, encoding="utf-8")
    session = ConsoleSession(parse_config(before), store, clock, config_path=path)
    await session.start()
    await session.feed("!owner olga")
    await session.feed("bob: hello")
    path.write_text(before.replace("console:mods", "console:team"), encoding="utf-8")
    await session.feed("olga: /reload")
    out = await session.feed("olga > 1: /warn")
    # The case goes to the new log chat, shown as the log, not as a group.
    assert any(line.startswith("[log]") and "#1" in line for line in out), out
    assert not any(line.startswith("[team]") for line in out), out
    await session.close()
