"""A group with a past is upgraded to a supergroup (a new chat id), the bot
restarts, and the group's past is found under the new chat: /stats, a case
looked up with /why, the warnings in force, the points ledger and the
report the dashboard and `groupkeeper report` export. The real
python-telegram-bot Application polls the fake Bot API."""

from __future__ import annotations

import re

from adapters.report import build_report
from bot.features.analytics.feature import AnalyticsFeature
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, LOG_CHAT, OWNER, Sleeps, start_bot

BASIC, UPGRADED = -5001, -1005001
OLD, NEW = f"telegram:{BASIC}", f"telegram:{UPGRADED}"


def figure(text: str, label: str) -> int:
    found = re.search(rf"{label}: (\d+)", text)
    assert found is not None, text
    return int(found.group(1))


async def test_an_upgraded_group_keeps_its_stats_cases_warnings_and_points(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    api.add_group(BASIC, "Basic Group", type="group", owner=OWNER, members=[ANN, BOB])
    async with start_bot(api, tg_db, sleeps) as bot:
        for text in ("good morning everyone", "what are we building today", "ship it"):
            api.post(BASIC, ANN, text)
        api.post(BASIC, BOB, "/checkin")
        api.post(BASIC, ANN, "casino tonight, ask me")
        await bot.settle()
        kit = bot.app.engine.kit
        today = kit.calendar.local_date(kit.clock.now())
        before = kit.stats.get(OLD, today)
        assert before is not None and before.checkins == 1 and before.removed == 1
        past_messages = before.messages
        api.migrate(BASIC, UPGRADED, OWNER)
        await bot.settle()
        # The same day goes on in the new chat: its row and the old one merge.
        api.post(UPGRADED, BOB, "hello from the supergroup")
        api.post(UPGRADED, BOB, "and one more message")
        await bot.settle()
    community = "tg-test"
    async with start_bot(api, tg_db, sleeps) as bot:
        store = bot.app.store
        # The fake Bot API takes no photos: the summary comes as text.
        analytics = bot.app.engine.find(AnalyticsFeature)
        assert analytics is not None
        analytics.analytics.charts = None
        api.post(UPGRADED, OWNER, "/stats")
        await bot.settle()
        [summary] = [t for t in api.sent(UPGRADED) if t.startswith("📊")]
        assert "Basic Group" in summary
        assert figure(summary, "Messages") >= past_messages + 2
        assert figure(summary, "Check-ins") == 1
        assert figure(summary, "removed by rules") == 1
        # The case the spam made, looked up in the new chat.
        cases = await store.cases_of(community, f"telegram:{ANN}")
        assert cases and {c.group_key for c in cases} == {NEW}, cases
        case = cases[-1]
        api.post(UPGRADED, OWNER, f"/why {case.id}")
        api.post(UPGRADED, OWNER, "/warnings @ann")
        await bot.settle()
        assert any(f"#{case.id}" in t and "casino" in t for t in api.sent(UPGRADED))
        assert any("@ann: 1 of 5 warnings in force" in t for t in api.sent(UPGRADED))
        # Bob's check-in points are the new chat's.
        entries = await store.ledger(community, f"telegram:{BOB}")
        assert {e.group_key for e in entries if e.reason == "checkin"} == {NEW}
        # The report (the dashboard's analytics page and its CSV export).
        await bot.app.engine.writes.flush(everything=True)
        report = await build_report(bot.app.config, store, 7, today)
        assert OLD not in report.groups
        totals = report.groups[NEW].totals
        assert totals["messages"] == figure(summary, "Messages")
        assert (totals["checkins"], totals["removed"]) == (1, 1)
        days = {r.day for r in report.groups[NEW].daily if r.messages}
        assert days == {today}
        # The upgrade reported again (a replayed update) changes nothing.
        notices = [t for t in api.sent(LOG_CHAT) if "new chat id" in t]
        for chat in (BASIC, UPGRADED):
            service = [m for m in api.chats[chat].messages.values() if "migrate_to_chat_id" in m
                       or "migrate_from_chat_id" in m]  # fmt: skip
            api.inject("message", service[-1])
        await bot.settle()
        await bot.app.engine.writes.flush(everything=True)
        again = await build_report(bot.app.config, store, 7, today)
        assert again.groups[NEW].totals == totals and OLD not in again.groups
        assert [t for t in api.sent(LOG_CHAT) if "new chat id" in t] == notices
        assert len(await store.cases_of(community, f"telegram:{ANN}")) == len(cases)
