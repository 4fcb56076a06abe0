"""The points economy's invariants and rules: balances equal the ledger,
concurrent and replayed events pay once, and each earning or spending path
(reactions, removals, multipliers, shop, events, referrals, /points) keeps
its limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console.session import ConsoleSession
from bot.compose import open_engine
from bot.config import Config, parse_config
from bot.core.actions import DeleteMessage
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import (
    ChatRef,
    CommandIssued,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    TimerFired,
    UserRef,
)
from bot.features import Stores
from bot.features.economy.feature import EconomyFeature
from bot.features.points.feature import PointsFeature
from storage.economy_store import SqlEconomyStore
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START, run_script

COMMUNITY = "green-energy"
G1 = ChatRef("console", "g1")
G2 = ChatRef("console", "g2")


def user(name: str) -> UserRef:
    return UserRef("console", name, name, name)


def config_with(extra: str = "", **replace: str) -> Config:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return parse_config(text + extra)


async def ledger_sums(store: SqlStore) -> dict[str, int]:
    return await SqlEconomyStore(store.engine).balances(COMMUNITY)


async def started(config: Config, store: SqlStore, clock: FakeClock) -> Engine:
    engine = await open_engine(
        config,
        store,
        clock,
        stores=Stores(economy=SqlEconomyStore(store.engine)),
        background_flush=False,
    )
    return engine


@pytest.fixture
async def memory_store() -> AsyncIterator[SqlStore]:
    s = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    yield s
    await s.close()


# --- Invariants -------------------------------------------------------------


async def test_a_hundred_concurrent_checkins_award_once(
    example_config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(example_config, store, clock)
    ann = user("ann")
    results = await asyncio.gather(
        *(engine.handle(CommandIssued(G1, ann, i, "checkin", (), START)) for i in range(1, 101))
    )
    texts = [a.text for actions in results for a in actions if hasattr(a, "text")]
    assert sum("签到成功" in t for t in texts) == 1
    assert sum("已经签到过了" in t for t in texts) == 99
    await engine.stop()
    assert engine.feature(PointsFeature).points.balance("console:ann") == 10
    assert await ledger_sums(store) == {"console:ann": 10}


async def test_concurrent_redemptions_of_the_last_item_sell_it_once(
    store: SqlStore, clock: FakeClock
) -> None:
    config = config_with(**{"stock: 50, per_member: 1": "stock: 1"})
    engine = await started(config, store, clock)
    points = engine.feature(PointsFeature).points
    buyers = [user(f"b{i}") for i in range(10)]
    for b in buyers:
        points.award(b.key, 500, "give", f"seed:{b.key}", START)
    await asyncio.gather(
        *(
            engine.handle(CommandIssued(G1, b, i + 1, "redeem", ("ebook",), START))
            for i, b in enumerate(buyers)
        )
    )
    await engine.stop()
    assert len(engine.feature(EconomyFeature).economy.shop.redemptions) == 1
    sums = await ledger_sums(store)
    assert sum(sums.values()) == 10 * 500 - 200
    assert sums == points.balances


async def test_replaying_a_day_after_a_restart_pays_nothing_twice(
    example_config: Config, store: SqlStore, clock: FakeClock
) -> None:
    """Check-ins, messages, reactions, attendance and /points give, replayed
    in full after a crash that lost part of the writes, leave the balances
    and the ledger exactly as one clean run does."""
    mia, ann, ben = user("mia"), user("ann"), user("ben")
    moderators = example_config.community.moderators
    config = example_config.model_copy(
        update={
            "community": example_config.community.model_copy(
                update={"moderators": [*moderators, mia.key]}
            )
        }
    )
    events = [
        MemberJoined(G1, ann, START),
        MemberJoined(G1, ben, START),
        MessagePosted(G1, ann, 1, "签到", START),
        MessagePosted(G1, ann, 2, "good morning everyone", START),
        MessagePosted(G1, ben, 3, "morning ann, how are you", START + timedelta(seconds=5)),
        ReactionAdded(G1, ben, 2, "👍", START + timedelta(seconds=6)),
        ReactionAdded(G1, ann, 3, "👍", START + timedelta(seconds=7)),
        CommandIssued(G1, mia, 4, "points", ("give", "@ann", "40", "help"), START),
    ]
    first = await started(config, store, clock)
    for e in events[:5]:
        await first.handle(e)
    assert first.writes is not None
    await first.writes.flush()
    for e in events[5:]:
        await first.handle(e)
    first.writes.abandon()  # crash: the reactions and the gift were never written

    second = await started(config, store, clock)
    for e in events:
        await second.handle(e)
    await second.stop()
    expected = {"console:ann": 10 + 1 + 1 + 40, "console:ben": 1 + 1}
    assert second.feature(PointsFeature).points.balances == expected
    assert await ledger_sums(store) == expected

    third = await started(config, store, clock)
    for e in events:
        await third.handle(e)
    await third.stop()
    assert await ledger_sums(store) == expected


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["checkin", "talk", "react", "give", "take", "redeem", "clock"]),
            st.integers(min_value=0, max_value=3),
            st.integers(min_value=1, max_value=300),
        ),
        max_size=40,
    )
)
def test_balances_always_equal_the_ledger(
    example_config: Config, actions: list[tuple[str, int, int]]
) -> None:
    asyncio.run(_balances_equal_ledger(example_config, actions))


async def _balances_equal_ledger(config: Config, actions: list[tuple[str, int, int]]) -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    clock = FakeClock(START)
    mod = user("mod")
    config = config.model_copy(
        update={"community": config.community.model_copy(update={"owners": [mod.key]})}
    )
    engine = await started(config, store, clock)
    people = [user(n) for n in ("ann", "ben", "cat", "dov")]
    for mid, (kind, who, n) in enumerate(actions, 1):
        u = people[who]
        now = clock.now()
        if kind == "checkin":
            await engine.handle(CommandIssued(G1, u, mid, "checkin", (), now))
        elif kind == "talk":
            await engine.handle(MessagePosted(G1, u, mid, f"message number {n}", now))
        elif kind == "react":
            await engine.handle(ReactionAdded(G1, u, max(1, mid - n % 5), "👍", now))
        elif kind in ("give", "take"):
            args = (kind, f"@{u.username}", str(n))
            await engine.handle(CommandIssued(G1, mod, mid, "points", args, now))
        elif kind == "redeem":
            await engine.handle(CommandIssued(G1, u, mid, "redeem", ("freeze",), now))
        else:
            clock.advance(timedelta(minutes=n * 7))
            await engine.handle(TimerFired("tick", clock.now()))
    await engine.stop()
    sums = await ledger_sums(store)
    assert {
        k: v for k, v in engine.feature(PointsFeature).points.balances.items() if v or k in sums
    } == sums
    await store.close()


# --- Participation: reactions, removals, multipliers, excluded groups --------


async def test_reactions_pay_the_author_once_per_member_never_their_own_capped_daily(
    console: ConsoleSession, clock: FakeClock
) -> None:
    points = console.engine.feature(PointsFeature).points
    await console.feed("ann: hi")  # #1: too short for message points, still reactable
    await console.feed("!react ann 1 👍")
    assert points.balance("console:ann") == 0  # her own reaction
    await console.feed("!react ben 1 👍")
    await console.feed("!react ben 1 ❤️")
    assert points.balance("console:ann") == 1  # ben's second emoji adds nothing
    for i in range(2, 16):
        clock.advance(timedelta(seconds=3))
        await console.feed("ann: ok")
        await console.feed(f"!react ben {i} 👍")
    assert points.balance("console:ann") == 10  # reactions.daily_cap
    clock.advance(timedelta(days=1))
    await console.feed("ann: ok")
    await console.feed("!react cat 16 👍")
    assert points.balance("console:ann") == 11


async def test_a_message_the_bot_removes_later_gives_its_points_back(
    example_config: Config, memory_store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(example_config, memory_store, clock)
    ann = user("ann")
    await engine.handle(MessagePosted(G1, ann, 7, "a perfectly fine message", START))
    assert engine.feature(PointsFeature).points.balance("console:ann") == 1
    engine.feature(PointsFeature).points.take_back(G1.key, 7, START)
    engine.feature(PointsFeature).points.take_back(G1.key, 7, START)  # removed twice: one reversal
    assert engine.feature(PointsFeature).points.balance("console:ann") == 0
    await engine.stop()
    assert await ledger_sums(memory_store) == {"console:ann": 0}


async def test_delete_actions_from_the_engine_reverse_points(
    example_config: Config, memory_store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(example_config, memory_store, clock)
    ann = user("ann")
    await engine.handle(MessagePosted(G1, ann, 3, "a perfectly fine message", START))
    engine.feature(PointsFeature).observe([DeleteMessage(G1, (3,))], START)
    assert engine.feature(PointsFeature).points.balance("console:ann") == 0


async def test_multipliers_and_excluded_groups(memory_store: SqlStore, clock: FakeClock) -> None:
    config = config_with(
        **{
            "exclude_groups: []": "exclude_groups: [console:g2]",
            "groups: {}                        # e.g.": 'groups: {"console:g3": 3}  # e.g.',
            "windows: []                       # e.g.": (
                'windows: [{start: "09:00", end: "10:00", factor: 2}]  # e.g.'
            ),
        }
    )
    engine = await started(config, memory_store, clock)
    p = engine.feature(PointsFeature).points
    await engine.handle(MessagePosted(G2, user("ann"), 1, "no points in this group", START))
    assert p.balance("console:ann") == 0
    # 09:00 local: the window doubles, g3 triples.
    await engine.handle(MessagePosted(G1, user("ben"), 2, "inside the event hour", START))
    await engine.handle(
        MessagePosted(ChatRef("console", "g3"), user("cat"), 3, "in the triple group", START)
    )
    assert p.balance("console:ben") == 2
    assert p.balance("console:cat") == 6
    later = START + timedelta(hours=2)
    await engine.handle(MessagePosted(G1, user("dov"), 4, "after the event hour", later))
    assert p.balance("console:dov") == 1


async def test_checkin_reply_template_from_the_config(
    memory_store: SqlStore, clock: FakeClock
) -> None:
    config = config_with(
        **{'    # reply: "✅': '    reply: "{name} +{points} streak {streak} #{rank}"\n    # x: "'}
    )
    engine = await started(config, memory_store, clock)
    out = await engine.handle(CommandIssued(G1, user("ann"), 1, "checkin", (), START))
    assert out[0].text == "@ann +10 streak 1 #1"  # type: ignore[union-attr]


# --- Levels and boards --------------------------------------------------------


async def test_week_and_month_boards_start_over(console: ConsoleSession, clock: FakeClock) -> None:
    script = "ann: hi\nben: hi\n!mod mia\nmia: /points give @ann 30\nmia: /points give @ben 20"
    await run_script(console, script)
    out = await console.feed("ann: /top week")
    assert "1. @ann · 30" in out[-1] and "2. @ben · 20" in out[-1]
    clock.advance(timedelta(days=7))  # next Monday
    await console.feed("ben: /checkin")
    out = await console.feed("ann: /top week")
    assert "@ben · 10" in out[-1] and "@ann" not in out[-1]
    out = await console.feed("ann: /top month")
    assert "@ben · 30" in out[-1] and "@ann · 30" in out[-1]
    await console.feed("!restart")
    out = await console.feed("ann: /top week")
    assert "@ben · 10" in out[-1] and "@ann" not in out[-1]
    clock.advance(timedelta(days=31))
    out = await console.feed("ann: /top month")
    assert "还没有人" in out[-1]
    out = await console.feed("ann: /top all")
    assert "@ann · 30" in out[-1]


async def test_points_give_and_take_are_staff_only_and_need_an_amount(
    console: ConsoleSession,
) -> None:
    out = await console.feed("eve: /points give @eve 100")
    assert "只有管理员" in out[-1]
    await run_script(console, "!mod mia\nann: hello there everyone")
    for bad in ("/points", "/points give", "/points give @ann", "/points give @ann -5"):
        out = await console.feed(f"mia: {bad}")
        refusals = ("用法", "不是有效的积分数", "不是数字", "超出范围")
        assert any(words in out[-1] for words in refusals), bad
    out = await console.feed("mia: /points give @nobody 5")
    assert "@nobody" in out[-1]
    # ann has 1 point: a take of 3 would go below zero, so nothing is taken.
    out = await console.feed("mia > 3: /points take 3 off topic")
    assert "只有 1 积分" in out[-1] and "本次未扣除" in out[-1]
    out = await console.feed("mia > 3: /points take 1 off topic")
    assert "被扣除 1 积分（off topic）" in out[0 if len(out) == 1 else 1]
    assert console.engine.feature(PointsFeature).points.balance("console:ann") == 0
    out = await console.feed("mia > 3: /points take 1")
    assert "没有可扣除的积分" in out[-1]
    await console.engine.writes.flush(everything=True)
    ledger = await console.store.ledger(console.engine.config.community.slug, "console:ann")
    assert sum(e.delta for e in ledger) == 0


# --- Shop ---------------------------------------------------------------------


async def test_shop_limits_refunds_and_the_streak_freeze(
    console: ConsoleSession, clock: FakeClock, store: SqlStore
) -> None:
    await run_script(console, "ann: hi\n!mod mia\nmia: /points give @ann 260")
    out = await console.feed("ann: /redeem ebook")
    assert "兑换单 #1" in out[1]
    out = await console.feed("ann: /redeem ebook")
    assert "最多兑换 1 次" in out[-1]
    for _ in range(2):
        out = await console.feed("ann: /redeem freeze")
        assert "补签卡" in out[-1]
    out = await console.feed("ann: /redeem freeze")
    assert "需要 30 积分，你目前有 0" in out[-1]
    out = await console.feed("ann: /redeem teleport")
    assert "ebook, freeze" in out[-1]
    out = await console.feed("mia: /reject 1")
    assert "200 积分已退还" in out[-1]
    out = await console.feed("mia: /reject 1")
    assert "没有待处理的兑换单 #1" in out[-1]
    assert console.engine.feature(PointsFeature).points.balance("console:ann") == 200
    # Two freezes: each protects one missed day.
    await console.feed("ann: /checkin")
    for streak in (2, 3):
        clock.advance(timedelta(days=2))
        out = await console.feed("ann: /checkin")
        assert f"已连续签到 {streak} 天" in out[1] and "补签卡" in out[1]
    await console.feed("!restart")
    clock.advance(timedelta(days=2))
    out = await console.feed("ann: /checkin")
    assert "已连续签到 1 天" in out[1]


async def test_redemptions_survive_a_restart(console: ConsoleSession) -> None:
    await run_script(console, "ann: hi\n!mod mia\nmia: /points give @ann 300\nann: /redeem ebook")
    await console.feed("!restart")
    out = await console.feed("mia: /redemptions")
    assert "#1 · @ann" in out[-1]
    out = await console.feed("mia: /fulfill 1")
    assert "已为 @ann 发放" in out[-1]
    out = await console.feed("ann: /shop")
    assert "剩余 49" in out[-1]


# --- Events -----------------------------------------------------------------


async def test_event_rsvp_capacity_reminder_and_attendance_window(
    console: ConsoleSession, clock: FakeClock
) -> None:
    await console.feed("!mod mia")
    out = await console.feed("mia: /event new 2026-01-06 20:00 25 max=1 AMA night")
    code = out[-1].rsplit("/attend ", 1)[1].rstrip("。. ")
    for bad in (
        "/event new tomorrow 20:00 5 x",
        "/event new 2026-01-06",
        "/event new 2026-13-01 20:00 5 x",
    ):
        out = await console.feed(f"mia: {bad}")
        assert "用法" in out[-1] or "不是有效的日期时间" in out[-1], bad
    out = await console.feed("ann: /event new 2026-01-06 20:00 25 mine")
    assert "只有管理员" in out[-1]
    assert "已报名" in (await console.feed("ann: /rsvp 1"))[-1]
    assert "名额已满" in (await console.feed("ben: /rsvp 1"))[-1]
    assert "没有活动 #9" in (await console.feed("ben: /rsvp 9"))[-1]
    out = await console.feed("!clock 2026-01-06 19:30")
    assert any("⏰" in line for line in out)
    out = await console.feed("!clock +5m")
    assert not any("⏰" in line for line in out)  # reminded once
    assert "还没开始" in (await console.feed(f"ann: /attend {code}"))[-1]
    await console.feed("!clock 2026-01-06 20:10")
    out = await console.feed(f"ben: /attend {code.lower()}")
    assert "+25 积分" in out[-1]
    assert "已经签到过" in (await console.feed(f"ben: /attend {code}"))[-1]
    await console.feed("!restart")
    assert "已经签到过" in (await console.feed(f"ben: /attend {code}"))[-1]
    assert console.engine.feature(PointsFeature).points.balance("console:ben") == 25
    await console.feed("!clock 2026-01-06 23:30")
    assert "已结束" in (await console.feed(f"ann: /attend {code}"))[-1]


# --- Referrals ----------------------------------------------------------------


async def test_referrals_pay_only_for_invitees_who_stay_and_talk(
    console: ConsoleSession, clock: FakeClock
) -> None:
    points = console.engine.feature(PointsFeature).points
    out = await console.feed("ann: /invite")
    assert out[1].startswith("[g1] bot invites ann: https://")
    await console.feed("+ben via ann")
    await console.feed("+cat via ann")
    await console.feed("+ann via ann")  # an existing member, through her own link
    await console.feed("-cat")
    for i in range(10):
        clock.advance(timedelta(minutes=2))
        await console.feed(f"ben: message {i} about solar")
    await console.feed("!clock +6d")
    assert points.balance("console:ann") == 0  # not seven days yet
    await console.feed("!restart")
    out = await console.feed("!clock +1d")
    assert any("@ann 获得邀请奖励 50 积分" in line for line in out)
    assert points is not console.engine.feature(PointsFeature).points
    assert console.engine.feature(PointsFeature).points.balance("console:ann") == 50
    out = await console.feed("ann: /invites")
    assert "@ben：✅ 已达标" in out[-1] and "@cat：已退群" in out[-1]
    out = await console.feed("!clock +1d")
    assert not any("邀请奖励" in line for line in out)


async def test_a_join_added_by_a_member_counts_as_their_referral(
    example_config: Config, memory_store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(example_config, memory_store, clock)
    ann, ben = user("ann"), user("ben")
    await engine.handle(MemberJoined(G1, ann, START))
    await engine.handle(MemberJoined(G1, ben, START, added_by=ann))
    assert engine.feature(EconomyFeature).economy is not None
    assert (
        engine.feature(EconomyFeature).economy.referrals.referrals["console:ben"].inviter_key
        == "console:ann"
    )
    await engine.handle(MemberLeft(G1, ben, START))
    assert (
        engine.feature(EconomyFeature).economy.referrals.referrals["console:ben"].status == "left"
    )


# --- Config -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_text", "error"),
    [
        ("shop: [{id: a, name: A, cost: 1}, {id: a, name: B, cost: 2}]", "unique"),
        ("shop: [{id: A!, name: A, cost: 1}]", "shop.1.id"),
        ("shop: [{id: a, name: A, cost: 1, effect: teleport}]", "shop.1.effect"),
        ("message: {multipliers: {windows: [{start: '25:00', end: '10:00', factor: 2}]}}", "start"),
        ("referrals: {days: soon}", "referrals.days"),
    ],
)
def test_bad_economy_config_is_refused_with_its_path(yaml_text: str, error: str) -> None:
    from bot.config import ConfigError

    text = "community: {name: X, slug: x}\npoints:\n  " + yaml_text + "\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert error in str(caught.value)
