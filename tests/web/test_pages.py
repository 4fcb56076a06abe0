"""Every page against the console's community, and every action carried out
by the engine as the same chat command would be: the console shows what
the bot did, the case records who, the log chat hears it came from the
dashboard."""

from __future__ import annotations

import csv
import io

from starlette.responses import PlainTextResponse
from starlette.routing import Route

from adapters.web.config_file import versions_dir
from adapters.web.views import points_of, risk_of, schedule_of
from tests.web.conftest import MODERATOR, OWNER, Web
from tests.web.test_access import spam_flag


def test_overview_lists_groups_entry_and_risk(web: Web) -> None:
    spam_flag(web)
    web.say("+zoe", "zoe: hi all")
    web.login_telegram(OWNER)
    page = web.client.get("/").text
    assert "<td>g1</td>" in page
    assert "console: the entry link sends newcomers to g1" in page
    assert "<svg" in page  # joins and leaves sparklines
    assert "flags to review" in page


def test_confirming_a_flag_bans_through_the_engine(web: Web) -> None:
    spam_flag(web)
    web.login_telegram(OWNER, "Olivia")
    risk_page = web.client.get("/risk").text
    assert "you are all idiots" in risk_page and "#1" in risk_page
    printed: list[str] = []
    web.session.on_output = printed.extend
    r = web.post("/risk/flags/1/confirm")
    assert r.status_code == 200
    assert "Flag #1 confirmed" in r.text  # the engine's answer, shown on the page
    assert any("bot bans eve" in line for line in printed)
    assert any("Olivia via the dashboard: /resolve 1 confirm" in line for line in printed)
    risk = risk_of(web.session.engine)
    assert risk is not None and risk.reports.flags[1].status == "confirmed"
    assert risk.reports.flags[1].resolved_by == f"telegram:{OWNER}"
    assert "you are all idiots" not in web.client.get("/risk").text
    again = web.post("/risk/flags/1/dismiss")
    assert "#1 is no longer waiting" in again.text


def test_dismiss_ack_and_lift(web: Web) -> None:
    spam_flag(web)
    posted = web.say("zed: a lovely morning")
    zed = posted[0].split("#")[1].split(" ")[0]
    web.say(f"bob > {zed}: /report", f"carol > {zed}: /report", "!mod mia", "mia: /lockdown")
    web.login_telegram(MODERATOR)
    page = web.client.get("/risk").text
    assert "report spike" in page or "report_spike" in page
    assert "Lift" in page
    printed: list[str] = []
    web.session.on_output = printed.extend
    web.post("/risk/flags/1/dismiss")
    assert any("unmutes eve" in line for line in printed)
    risk = risk_of(web.session.engine)
    assert risk is not None
    alert = min(risk.monitors.open)
    web.post(f"/risk/alerts/{alert}/ack")
    assert alert not in risk.monitors.open
    lockdown = next(iter(risk.lockdowns.active.values()))
    web.post(f"/risk/lockdowns/{lockdown.id}/lift")
    assert not risk.lockdowns.active


def test_members_search_and_page(web: Web) -> None:
    web.say("eve: hello there", "eve: /checkin", "bob: hi")
    web.login_telegram(OWNER)
    found = web.client.get("/members?q=ev").text
    assert "/members/console:eve" in found and "/members/console:bob" not in found
    page = web.client.get("/members/console:eve").text
    assert "Points ledger" in page and "check-in" in page
    assert web.client.get("/members/console:nobody").status_code == 404


def test_member_actions_go_through_the_engine(web: Web) -> None:
    web.say("eve: hello there")
    web.login_telegram(OWNER, "Olivia")
    printed: list[str] = []
    web.session.on_output = printed.extend
    points = points_of(web.session.engine)
    assert points is not None
    before = points.balance("console:eve")
    r = web.post("/members/console:eve/give", {"group": "console:g1", "amount": "25",
                                               "reason": "helpful"})  # fmt: skip
    assert points.balance("console:eve") == before + 25
    assert "25" in r.text
    web.post("/members/console:eve/take", {"group": "console:g1", "amount": "5", "reason": ""})
    assert points.balance("console:eve") == before + 20
    web.post("/members/console:eve/warn", {"group": "console:g1", "reason": "be kind"})
    assert any("warned" in line and "be kind" in line for line in printed)
    web.post("/members/console:eve/mute", {"group": "console:g1", "length": "10m",
                                           "reason": "cool off"})  # fmt: skip
    assert any("bot mutes eve for 10m" in line for line in printed)
    web.post("/members/console:eve/unban", {"group": "console:g1", "reason": "second chance"})
    assert any("unbans eve" in line for line in printed)
    page = web.client.get("/members/console:eve").text
    assert "via dashboard" in page  # the cases keep where the command came from
    assert "Olivia" in page or "telegram:1001" in page
    assert "+25" in page and "-5" in page
    bad = web.post("/members/console:eve/give", {"group": "console:g1", "amount": "lots"})
    assert "lots" in bad.text  # the engine's own refusal
    nowhere = web.post("/members/console:eve/warn", {"group": "telegram:-1", "reason": "x"})
    assert "Choose a group" in nowhere.text


def test_a_moderator_cannot_sanction_a_moderator(web: Web) -> None:
    web.say("!mod mia", "mia: hello")
    web.login_telegram(MODERATOR)
    r = web.post("/members/console:mia/mute", {"group": "console:g1", "reason": "x"})
    assert "moderator" in r.text.lower()
    assert "bot mutes mia" not in "\n".join(web.say("!clock +1m"))


def test_schedule_pause_resume_run(web: Web) -> None:
    web.say("eve: hi", "!clock +5m")
    web.login_telegram(OWNER)
    page = web.client.get("/schedule").text
    assert "tips" in page and "Asia/Shanghai" in page
    sched = schedule_of(web.session.engine)
    assert sched is not None
    web.post("/schedule/tips/pause")
    assert sched.paused("tips")
    assert "paused" in web.client.get("/schedule").text
    web.post("/schedule/tips/resume")
    assert not sched.paused("tips")
    web.say("!clock +1m")  # a resume counts from now: a run in the same minute is a repeat
    printed: list[str] = []
    web.session.on_output = printed.extend
    web.post("/schedule/tips/run")
    assert any("Ship small, then grow." in line for line in printed)
    assert web.post("/schedule/nope/run", follow=False).status_code == 404


def test_config_check_try_and_save(web: Web) -> None:
    web.login_telegram(OWNER)
    page = web.client.get("/config").text
    assert 'class="k">community</span>' in page  # highlighted keys
    text = web.path.read_text()
    bad = text.replace("capacity: 500", "capacity: lots")
    check = web.post("/config/check", {"text": bad}).text
    assert "groups.capacity" in check and 'class="line error"' in check
    assert "The file is valid" in web.post("/config/check", {"text": text}).text
    refused = web.post("/config/save", {"text": bad, "base": _base(web)}, follow=False)
    assert refused.status_code == 422 and "Not saved" in refused.text
    assert web.path.read_text() == text
    shout = text.replace(
        "rules:\n",
        "rules:\n  - {id: no-shout, type: blocklist, words: [SHOUTING], action: delete}\n",
        1,
    )
    tried = web.post("/config/try", {"text": shout, "message": "STOP SHOUTING"}).text
    assert "no-shout" in tried and "edited above" in tried
    assert "No rule fires" in web.post("/config/try", {"text": text, "message": "hello"}).text
    saved = web.post("/config/save", {"text": shout, "base": _base(web)})
    assert "saved and reloaded" in saved.text
    assert "no-shout" in web.path.read_text()
    assert [r.id for r in web.session.engine.config.rules if r.id == "no-shout"] == ["no-shout"]
    assert len(list(versions_dir(web.path).glob("*.yaml"))) == 1
    assert "telegram_1001" in web.client.get("/config").text  # who changed it
    out = web.say("eve: STOP SHOUTING")
    assert any("deletes" in line and "no-shout" in line for line in out)
    stale = web.post("/config/save", {"text": text, "base": "old"}, follow=False)
    assert stale.status_code == 422 and "changed on disk" in stale.text


def _base(web: Web) -> str:
    from adapters.web.config_file import digest

    return digest(web.path.read_text())


def test_analytics_and_csv(web: Web) -> None:
    web.say("eve: hello", "bob: hi", "eve: /checkin")
    web.login_telegram(OWNER)
    page = web.client.get("/analytics?days=7").text
    assert "<svg" in page and "DAU" in page
    assert "7 days" in page
    r = web.client.get("/analytics.csv?table=daily&days=7")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["group", "day", "messages"]
    assert sum(int(row[2]) for row in rows[1:]) >= 2
    group = web.client.get("/analytics.csv?table=daily&days=7&group=console:g1").text
    assert "console:g1" in group
    assert web.client.get("/analytics.csv?table=nope").status_code == 404


def test_chinese_and_switch(web: Web) -> None:
    web.login_telegram(OWNER)
    assert "风险" in web.client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    web.client.get("/lang/en?next=/risk")
    assert "Review queue" in web.client.get("/risk", headers={"accept-language": "zh-CN"}).text
    r = web.client.get("/lang/zh?next=//evil.example", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_other_parts_of_the_bot_can_mount_routes(web: Web) -> None:
    async def health(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    web.dash.mount([Route("/healthz", health)])
    assert web.client.get("/healthz").text == "ok"


def test_overview_counts_todays_active_members(web: Web) -> None:
    web.say("eve: hello", "bob: hi")
    web.login_telegram(OWNER)
    page = web.client.get("/").text
    assert "<b>2</b><span>DAU</span>" in page
