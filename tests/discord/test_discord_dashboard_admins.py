"""A Discord server's own moderator (a role that may manage messages),
named nowhere in the config, logs into the dashboard with Discord: the real
bot on simcord fetches them from the server over REST and judges them as it
does in chat; a plain member, a demoted moderator, Discord failing and the
switch turned off get nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import discord
import httpx
import pytest
import simcord
from discord_world import World

from adapters.admins import AdminDesk
from adapters.discord.admins import GuildAdmins
from adapters.web import admins
from adapters.web.app import Dashboard
from adapters.web.bridge import EngineBot
from adapters.web.session import SESSION
from bot.core.actions import Action
from tests.web.fake_discord import CLIENT_ID, fake_discord

SECRET = "discord-client-secret-for-the-simcord-tests"


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    world: World
    dash: Dashboard
    web: httpx.AsyncClient
    clock: Clock

    async def login(self, who: simcord.MemberActor | simcord.UserHandle) -> httpx.Response:
        """Discord's code flow, with Discord's OAuth endpoints faked (the
        bot's own REST calls go to simcord)."""
        transport = httpx.ASGITransport(fake_discord(str(who.id), SECRET, who.name))
        self.dash.http = lambda: httpx.AsyncClient(transport=transport)
        sent = await self.web.get("/auth/discord")
        state = parse_qs(urlsplit(sent.headers["location"]).query)["state"][0]
        return await self.web.get(f"/auth/discord/callback?code=good-code&state={state}")

    def switch(self, on: bool) -> None:
        engine = self.world.app.engine
        config = engine.config
        dashboard = config.dashboard.model_copy(update={"platform_admins": on})
        engine.reload(config.model_copy(update={"dashboard": dashboard}))


@pytest.fixture
async def site(world: World) -> AsyncIterator[Site]:
    await world.alice.send(world.general, "good morning, founders")
    await world.env.settle()
    engine = world.app.engine
    config = engine.config
    login = {"client_id": CLIENT_ID, "client_secret": SECRET}
    dashboard = config.dashboard.model_copy(
        update={"discord": config.dashboard.discord.model_copy(update=login)}
    )
    engine.reload(config.model_copy(update={"dashboard": dashboard}))
    desk = AdminDesk()
    desk.attach("discord", GuildAdmins(world.bot, lambda: None))

    async def execute(actions: list[Action]) -> None:
        await world.bot.community.gateway.execute(actions)

    dash = Dashboard(
        EngineBot(lambda: world.app.engine, world.app.store, execute, None, desk), None
    )
    dash.discord_api = "http://discord.test/api"
    clock = Clock()
    dash.grants.clock = clock
    transport = httpx.ASGITransport(dash.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as web:
        yield Site(world, dash, web, clock)


async def test_a_server_moderator_not_in_the_config_is_a_moderator(site: Site) -> None:
    r = await site.login(site.world.mod)
    assert r.status_code == 303 and SESSION in r.cookies
    for page in ("/", "/risk", "/members", "/schedule", "/analytics"):
        assert (await site.web.get(page)).status_code == 200, page
    assert "alice" in (await site.web.get(f"/members/discord:{site.world.alice.id}")).text
    assert (await site.web.get("/config")).status_code == 403  # never the owner


async def test_an_administrator_role_counts_too(site: Site) -> None:
    world = site.world
    admin = world.guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    carol = world.guild.add_member(world.env.create_user("carol"), roles=[admin])
    await world.env.settle()
    assert (await site.login(carol)).status_code == 303


async def test_a_plain_member_is_refused(site: Site) -> None:
    r = await site.login(site.world.alice)
    assert r.status_code == 403 and SESSION not in r.cookies
    assert "Discord does not show you as an admin" in r.text
    # Someone not in the server at all (Discord answers 404): no either.
    stranger = site.world.env.create_user("zed")
    await site.world.env.settle()
    r = await site.login(stranger)
    assert r.status_code == 403 and SESSION not in r.cookies


async def test_a_demoted_moderator_is_out_once_asked_again(site: Site) -> None:
    world = site.world
    assert (await site.login(world.mod)).status_code == 303
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    member = guild.get_member(world.mod.id)
    assert member is not None
    await member.remove_roles(discord.Object(world.mods.id))
    await world.env.settle()
    site.clock.now += admins.RECHECK - 1
    assert (await site.web.get("/risk")).status_code == 200
    site.clock.now += 2
    r = await site.web.get("/risk")
    assert r.status_code == 403 and "Discord does not show you as an admin" in r.text
    assert (await site.web.get("/risk", follow_redirects=False)).status_code == 303


@pytest.mark.parametrize("status", [500, 403])
async def test_discord_failing_refuses_and_grants_nothing(site: Site, status: int) -> None:
    site.world.env.inject_error("GET", "/guilds/*/members/*", status=status, times=None)
    r = await site.login(site.world.mod)
    assert r.status_code == 503 and SESSION not in r.cookies
    assert "Discord could not tell whether you administer" in r.text


async def test_the_switch_off_lets_no_server_moderator_in(site: Site) -> None:
    site.switch(False)
    r = await site.login(site.world.mod)
    assert r.status_code == 403 and SESSION not in r.cookies
    assert "owners and moderators may see this" in r.text
