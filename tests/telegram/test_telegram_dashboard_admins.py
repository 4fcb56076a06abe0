"""A Telegram group's own admin, named nowhere in the config, logs into the
dashboard: python-telegram-bot, unmodified, asks the fake Bot API
`getChatMember` for each of the community's groups; a yes makes them a
moderator (never owner), asked again five minutes later; a member, a
demoted admin, a platform error and the switch turned off get nothing."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from adapters.admins import AdminDesk
from adapters.runners import run_platforms
from adapters.telegram.admins import ChatAdmins
from adapters.web import admins
from adapters.web.app import Dashboard
from adapters.web.bridge import EngineBot
from adapters.web.security import telegram_hash
from adapters.web.session import SESSION
from bot.core.actions import Action
from tests.telegram.fake_bot_api import BOT_ID, FakeBotApi
from tests.telegram.harness import ADMIN, ANN, GROUP, MOD, OWNER, Bot, dashboard_config
from tests.telegram.test_telegram_dashboard import free_port

BASE = "http://127.0.0.1:8080"
OTHER = -1002222


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    bot: Bot
    dash: Dashboard
    web: httpx.AsyncClient
    clock: Clock

    async def login(self, user_id: int, name: str = "Ada") -> httpx.Response:
        params = {"id": str(user_id), "first_name": name, "auth_date": str(int(time.time()))}
        params["hash"] = telegram_hash(params, self.bot.api.token)
        return await self.web.get("/auth/telegram?" + urlencode(params))

    def switch(self, on: bool) -> None:
        engine = self.bot.app.engine
        config = engine.config
        dashboard = config.dashboard.model_copy(update={"platform_admins": on})
        engine.reload(config.model_copy(update={"dashboard": dashboard}))


@pytest.fixture
async def site(bot: Bot) -> AsyncIterator[Site]:
    """The bot running against the fake Bot API, its group seen (ann
    wrote there), and the dashboard over it as `groupkeeper run` wires it."""
    bot.api.post(GROUP, ANN, "hello everyone")
    await bot.settle()
    desk = AdminDesk()
    desk.attach("telegram", ChatAdmins(bot.runner.application.bot))

    async def execute(actions: list[Action]) -> None:
        await bot.runner.gateway.execute(actions)

    engine = EngineBot(lambda: bot.app.engine, bot.app.store, execute, bot.api.token, desk)
    dash = Dashboard(engine, None)
    clock = Clock()
    dash.grants.clock = clock
    transport = httpx.ASGITransport(dash.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as web:
        yield Site(bot, dash, web, clock)


def asked(api: FakeBotApi, user_id: int) -> list[dict[str, object]]:
    return api.called("getChatMember", chat_id=GROUP, user_id=user_id)


async def test_a_group_admin_not_in_the_config_is_a_moderator(site: Site) -> None:
    api = site.bot.api
    assert "the members of its Discord server" in (await site.web.get("/login")).text
    r = await site.login(ADMIN)
    assert r.status_code == 303 and SESSION in r.cookies
    assert len(asked(api, ADMIN)) == 1
    for page in ("/", "/risk", "/members", "/schedule", "/analytics"):
        assert (await site.web.get(page)).status_code == 200, page
    assert (await site.web.get("/config")).status_code == 403  # a moderator, never the owner
    # The yes holds for five minutes: pages read no more of Telegram.
    assert len(asked(api, ADMIN)) == 1
    # Their buttons are moderators' commands the engine takes from them.
    page = await site.web.get(f"/members/telegram:{ANN}")
    assert page.status_code == 200 and "@ann" in page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    done = await site.web.post(
        f"/members/telegram:{ANN}/mute",
        data={"csrf": found.group(1), "group": f"telegram:{GROUP}", "length": "10m",
              "reason": "cool off"},
        follow_redirects=True,
    )  # fmt: skip
    assert done.status_code == 200
    await api.wait_for(lambda: api.called("restrictChatMember", user_id=ANN), 10, "the mute")


async def test_a_plain_member_is_refused(site: Site) -> None:
    r = await site.login(ANN, "Ann")
    assert r.status_code == 403 and SESSION not in r.cookies
    assert "Telegram does not show you as an admin" in r.text
    assert len(asked(site.bot.api, ANN)) == 1
    assert (await site.web.get("/", follow_redirects=False)).status_code == 303


async def test_the_configs_staff_are_not_asked(site: Site) -> None:
    assert (await site.login(MOD, "Max")).status_code == 303
    assert (await site.login(OWNER, "Olga")).status_code == 303
    # (The bot reads its own standing in the group with getChatMember too.)
    calls = site.bot.api.called("getChatMember")
    assert [c for c in calls if c["user_id"] != str(BOT_ID)] == []


async def test_a_demoted_admin_is_out_once_asked_again(site: Site) -> None:
    api = site.bot.api
    assert (await site.login(ADMIN)).status_code == 303
    api.demote(GROUP, ADMIN, by=OWNER)
    # Within the five minutes the earlier yes holds ...
    site.clock.now += admins.RECHECK - 1
    assert (await site.web.get("/risk")).status_code == 200
    # ... and after them Telegram is asked again: the session ends.
    site.clock.now += 2
    r = await site.web.get("/risk")
    assert r.status_code == 403
    assert "does not show you as an admin" in r.text
    assert len(asked(api, ADMIN)) == 2
    assert (await site.web.get("/risk", follow_redirects=False)).status_code == 303
    assert (await site.login(ADMIN)).status_code == 403
    # Promoted again, they log in again.
    api.promote(GROUP, ADMIN, by=OWNER)
    assert (await site.login(ADMIN)).status_code == 303


def _flooded(api: FakeBotApi) -> None:
    api.flood("getChatMember", times=100, retry_after=30)


def _bot_removed(api: FakeBotApi) -> None:
    api.chats[GROUP].members[BOT_ID].status = "kicked"


@pytest.mark.parametrize("fault", [_flooded, _bot_removed], ids=["429", "403"])
async def test_telegram_failing_refuses_and_grants_nothing(
    site: Site, fault: Callable[[FakeBotApi], None], caplog: pytest.LogCaptureFixture
) -> None:
    api = site.bot.api
    fault(api)
    r = await site.login(ADMIN)
    assert r.status_code == 503 and SESSION not in r.cookies
    assert "Telegram could not tell whether you administer" in r.text
    assert api.refused("getChatMember")
    assert "could not say whether telegram:1003 administers" in caplog.text


async def test_telegram_silent_past_the_timeout_refuses(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admins, "ASK_TIMEOUT", 0.2)
    site.bot.api.stalls["getChatMember"] = 1.0
    r = await site.login(ADMIN)
    assert r.status_code == 503 and SESSION not in r.cookies


async def test_one_group_failing_does_not_hide_a_yes_from_another(site: Site) -> None:
    """Telegram is asked about every group of the community: a yes in one
    lets the admin in though another could not be asked; a no in the one
    and a failure in the other is no yes."""
    api = site.bot.api
    api.add_group(OTHER, "Second group", owner=OWNER, admins=[ADMIN], members=[ANN])
    api.post(OTHER, ANN, "hello from the second group")
    await site.bot.settle()
    _bot_removed(api)  # GROUP answers 403 from now on
    assert (await site.login(ADMIN)).status_code == 303
    assert api.called("getChatMember", chat_id=OTHER, user_id=ADMIN)
    site.web.cookies.clear()
    api.demote(OTHER, ADMIN, by=OWNER)
    assert (await site.login(ADMIN)).status_code == 503


async def test_telegram_failing_at_the_recheck_keeps_the_session_but_shows_nothing(
    site: Site,
) -> None:
    api = site.bot.api
    assert (await site.login(ADMIN)).status_code == 303
    site.clock.now += admins.RECHECK + 1
    api.flood("getChatMember", times=1, retry_after=30)
    r = await site.web.get("/risk")
    assert r.status_code == 503 and "Ship small" not in r.text
    assert "Telegram could not tell" in r.text
    # Telegram answers again: still an admin, still in.
    assert (await site.web.get("/risk")).status_code == 200


async def test_the_switch_off_lets_no_platform_admin_in(site: Site) -> None:
    assert (await site.login(ADMIN)).status_code == 303
    site.switch(False)
    # The session it gave opens nothing from now on ...
    assert (await site.web.get("/risk")).status_code == 403
    # ... and no login asks Telegram.
    site.web.cookies.clear()
    r = await site.login(ADMIN)
    assert r.status_code == 403 and SESSION not in r.cookies
    assert "owners and moderators may see this" in r.text
    assert len(asked(site.bot.api, ADMIN)) == 1
    site.switch(True)
    assert (await site.login(ADMIN)).status_code == 303


async def test_chinese_pages_for_the_refusals(site: Site) -> None:
    site.web.cookies.set("gk_lang", "zh")
    r = await site.login(ANN, "Ann")
    assert "Telegram 显示你不是社群任何一个群的管理员" in r.text
    _flooded(site.bot.api)
    r = await site.login(ADMIN)
    assert "Telegram 暂时无法确认" in r.text


async def test_groupkeeper_run_wires_the_question(
    world: FakeBotApi, tg_env: None, tg_db: str, tmp_path: Path
) -> None:
    """Under `groupkeeper run` the Telegram runner attaches its answer to
    the dashboard's desk: the group's admin logs in over real HTTP."""
    api = world
    port = free_port()
    config = dashboard_config(tmp_path, port, widget=False)
    running = asyncio.create_task(run_platforms(config, tg_db, ["telegram"]))
    params = {"id": str(ADMIN), "first_name": "Ada", "auth_date": str(int(time.time()))}
    params["hash"] = telegram_hash(params, api.token)
    try:
        await api.wait_for(lambda: api.allowed_updates is not None or running.done(), 20)
        assert not running.done(), running.exception()
        api.post(GROUP, ANN, "hello everyone")
        update = api.history[-1]["update_id"]
        await api.wait_for(lambda: api.deliveries[update] > 0, 10, "ann's message fetched")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
            for _ in range(200):  # the dashboard listening
                with contextlib.suppress(httpx.ConnectError):
                    await web.get("/login")
                    break
                await asyncio.sleep(0.05)
            for _ in range(5):  # ann's message handled: the group is known
                r = await web.get("/auth/telegram?" + urlencode(params))
                if r.status_code == 303:
                    break
                await asyncio.sleep(0.2)
            assert r.status_code == 303
            assert (await web.get("/members")).status_code == 200
        assert asked(api, ADMIN)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
