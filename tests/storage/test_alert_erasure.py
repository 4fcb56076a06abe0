"""Risk alerts naming a member, on SQLite and PostgreSQL: the member's copy
holds them; an erasure finds those that recorded the member by key and
those stored before that record (by how the member is shown), shows the
alias in their texts instead of the member, removes the member's quoted
words, and leaves every other member and alert as it was. Lockdowns that
muted her name the alias too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.i18n import t
from bot.core.records import MemberRecord, WriteBatch
from bot.features.mydata.store import Kept
from bot.features.risk import alert_names
from bot.features.risk.records import LockdownRecord, NamedMember, RiskAlertRecord
from storage.member_data_store import SqlMemberDataStore
from storage.models.base import Base
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore

GREEN = "green-energy"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
EVE, BOB, CARL, EVELYN = "telegram:2001", "telegram:2002", "telegram:2003", "telegram:2004"
ALIAS = "erased:abc"
WORDS = "I want my refund now, this is a scam"
ERASED_EN = t("en", "mydata.alert_words")
ERASED_ZH = t("zh", "mydata.alert_words")


@dataclass
class Stores:
    core: SqlStore
    data: SqlMemberDataStore
    spam: SqlSpamStore


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[Stores]:
    core = await SqlStore.open(database_url)
    await core.ensure_community(GREEN, "Green", "Asia/Shanghai")
    yield Stores(core, SqlMemberDataStore(core.engine), SqlSpamStore(core.engine))
    await core.close()


def alert(n: int, kind: str, summary: str, evidence: str, *named: NamedMember) -> RiskAlertRecord:
    return RiskAlertRecord(GREEN, n, T0 + timedelta(minutes=n), kind, "medium", "telegram:-1001",
                           summary, evidence, named=named)  # fmt: skip


def keyword(loc: str, name: str, text: str) -> str:
    return t(loc, "risk.summary.keyword", name=name, word="refund", text=text)  # type: ignore[arg-type]


def question(loc: str, name: str, text: str) -> str:
    return t(loc, "risk.summary.unanswered_question", name=name, after="30m", text=text)  # type: ignore[arg-type]


# The alerts: 1-3 recorded whom they name (migration 0012), 4-8 did not.
ALERTS = [
    alert(1, "keyword", keyword("en", "@eve", WORDS), "#7", NamedMember(EVE, "@eve", WORDS)),
    alert(
        2,
        "raid",
        "4 members joined within 5m",
        "@bob, @eve, Carl (+1)",
        NamedMember(BOB, "@bob"),
        NamedMember(EVE, "@eve"),
        NamedMember(CARL, "Carl"),
    ),
    alert(
        3, "keyword", keyword("zh", "@bob", "我要退款"), "#9", NamedMember(BOB, "@bob", "我要退款")
    ),
    alert(4, "unanswered_question", question("zh", "@eve", "课程在哪里？"), "#11"),
    alert(5, "leave_spike", "3 members left within 1h", "Eve, @bob, 2001"),
    alert(6, "keyword", keyword("en", "@evelyn", "refund please"), "#12"),
    alert(7, "activity_drop", "3 messages yesterday against 40 a day", ""),
    alert(8, "spam_spike", "5 spam messages removed within 10m", "#2001, #2002"),
]


async def fill(s: Stores) -> None:
    eve = MemberRecord(GREEN, EVE, "telegram", "2001", "Eve", "eve")
    others = [MemberRecord(GREEN, k, "telegram", k[-4:], n, n.lower())
              for k, n in ((BOB, "Bob"), (CARL, "Carl"), (EVELYN, "Evelyn"))]  # fmt: skip
    await s.core.write(WriteBatch(members=[eve, *others]))
    for a in ALERTS:
        await s.spam.save_alert(replace(a))


async def stored(s: Stores) -> dict[int, RiskAlertRecord]:
    return {a.id: a for a in await s.spam.alerts_since(GREEN, T0)}


async def test_the_copy_holds_the_alerts_naming_the_member(stores: Stores) -> None:
    await fill(stores)

    copy = await stores.data.export(GREEN, EVE)

    alerts = copy["alerts_about_you"]
    assert [(a["id"], a["kind"], a["shown_as"]) for a in alerts] == [
        (1, "keyword", "@eve"),
        (2, "raid", "@eve"),
    ]
    assert alerts[0]["quoted"] == WORDS and alerts[0]["summary"] == ALERTS[0].summary
    # Not a raid's evidence: it names other members.
    assert all("evidence" not in a for a in alerts)
    assert [a["id"] for a in (await stores.data.export(GREEN, BOB))["alerts_about_you"]] == [2, 3]


async def test_an_erasure_rewrites_every_alert_naming_the_member(stores: Stores) -> None:
    await fill(stores)
    before = await stored(stores)
    assert set(before[2].named) == set(ALERTS[1].named)

    erased = await stores.data.erase(GREEN, EVE, Kept(), ALIAS)

    assert erased.anonymised["risk_alerts"] == 4
    after = await stored(stores)
    assert after[1].summary == f"{ALIAS} wrote “refund”: {ERASED_EN}"
    assert after[2].evidence == f"@bob, {ALIAS}, Carl (+1)"
    # Stored before whom an alert names was recorded: found by how she is shown.
    assert after[4].summary == f"{ALIAS} 提问已超过 30m，至今无人回复：{ERASED_ZH}"
    assert after[5].evidence == f"{ALIAS}, @bob, {ALIAS}"
    for n in (1, 2, 4, 5):
        text = after[n].summary + after[n].evidence
        assert "eve" not in text.lower().replace("evelyn", "") and "2001" not in text
        assert WORDS not in text and "课程" not in text
    # Others' alerts, and another member whose name holds hers, are untouched.
    for n in (3, 6, 7, 8):
        assert (after[n].summary, after[n].evidence) == (before[n].summary, before[n].evidence)
    # Whom the alerts name moved to the alias: her copy no longer holds them.
    assert set(after[2].named) == {NamedMember(BOB, "@bob"), NamedMember(CARL, "Carl"),
                                   NamedMember(ALIAS, ALIAS)}  # fmt: skip
    assert (await stores.data.export(GREEN, EVE))["alerts_about_you"] == []
    named = Base.metadata.tables["risk_alert_members"]
    async with stores.core.engine.connect() as c:
        keys = set((await c.execute(select(named.c.member_key))).scalars())
    assert keys == {BOB, CARL, ALIAS}


async def test_an_alert_the_bot_held_is_saved_back_as_erased(stores: Stores) -> None:
    """The bot rewrites its copy of an open alert as the erasure rewrote the
    row, and a save writes only an alert's acknowledgement and reminders:
    acknowledging it later writes back no name and no old key."""
    await fill(stores)
    held = (await stores.spam.load_spam(GREEN)).open_alerts
    raid = next(a for a in held if a.id == 2)
    legacy = next(a for a in held if a.id == 4)

    await stores.data.erase(GREEN, EVE, Kept(), ALIAS)
    shown = alert_names.shown_as("Eve", "eve", "2001")
    assert alert_names.forget(raid, EVE, ALIAS, shown)
    assert alert_names.forget(legacy, EVE, ALIAS, shown)
    for a in (raid, legacy):
        a.acked_at, a.acked_by = T0 + timedelta(hours=1), BOB
        await stores.spam.save_alert(a)

    # A copy from before the erasure (a running bot's, while `groupkeeper
    # member erase` ran): its acknowledgement counts, its texts do not.
    stale = next(a for a in held if a.id == 1)
    stale.acked_at, stale.acked_by = T0 + timedelta(hours=1), BOB
    await stores.spam.save_alert(stale)

    after = await stored(stores)
    for n in (1, 2, 4):
        assert after[n].acked_by == BOB
        assert "@eve" not in after[n].summary + after[n].evidence
    assert {n.key for n in after[2].named} == {BOB, CARL, ALIAS}
    assert after[4].named == ()
    assert {n.key for n in after[1].named} == {ALIAS}


async def test_lockdowns_that_muted_the_member_name_the_alias(stores: Stores) -> None:
    """A lifted lockdown names the alias instead of her; one in force keeps
    her key beside the alias (lifting it unmutes her) until it lifts."""
    await fill(stores)
    held = LockdownRecord(GREEN, 1, "telegram:-1001", T0, None, None, 30, f"{EVE}\n{BOB}")
    lifted = replace(held, id=2, lifted_at=T0 + timedelta(hours=1))
    bobs = replace(held, id=3, muted=BOB)
    for lockdown in (held, lifted, bobs):
        await stores.spam.save_lockdown(lockdown)
    assert [m["id"] for m in (await stores.data.export(GREEN, EVE))["lockdowns_muted_you"]] == [
        1,
        2,
    ]

    erased = await stores.data.erase(GREEN, EVE, Kept(lockdowns=frozenset({1})), ALIAS)

    assert erased.anonymised["lockdowns"] == 1 and erased.kept["lockdowns"] == 1
    table = Base.metadata.tables["lockdowns"]
    async with stores.core.engine.connect() as c:
        rows = dict((await c.execute(select(table.c.id, table.c.muted))).all())
    assert rows == {1: f"{EVE} {ALIAS}\n{BOB}", 2: f"{ALIAS}\n{BOB}", 3: BOB}
    assert (await stores.data.export(GREEN, EVE))["lockdowns_muted_you"] == []
