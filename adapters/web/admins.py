"""The platforms' own group admins as the dashboard's moderators.

Most moderators of a real community are not in the config: they are the
admins of its Telegram groups, the members of its Discord server who may
manage messages, and the bot takes them for moderators in chat. Someone
logging in with Telegram or Discord whom the config does not name is asked
about (`AdminDesk`): if their platform says they administer one of the
community's groups there, the session gets the moderator role (never
owner) for `RECHECK` seconds. The first request after that asks again, so
an admin demoted on the platform loses the dashboard within five minutes of
the demotion (at their next request after it). A platform that cannot
answer refuses the login (or the request), says so, logs it, and grants
nothing; `dashboard.platform_admins: false` turns all of it off."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from starlette.requests import Request
from starlette.responses import Response

from adapters.admins import AdminsUnknown
from adapters.web import session as sess
from bot.core.directory import chat_of

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

log = logging.getLogger(__name__)

# Seconds a platform's yes lasts before it is asked again.
RECHECK = 300.0
# Seconds the platform has to answer (all of the community's groups).
ASK_TIMEOUT = 10.0
PLATFORMS = {"telegram": "Telegram", "discord": "Discord"}

Answer = Literal["yes", "no", "unknown"]


class Grants:
    """Sessions let in as their platform's admins, each until it must be
    asked again. In memory: after a restart the platform is asked again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}

    def holds(self, sid: str) -> bool:
        until = self._until.get(sid)
        return until is not None and until > self.clock()

    def grant(self, sid: str) -> None:
        now = self.clock()
        if len(self._until) > 1000:
            self._until = {s: u for s, u in self._until.items() if u > now}
        self._until[sid] = now + RECHECK

    def drop(self, sid: str) -> None:
        self._until.pop(sid, None)


def eligible(dash: Dashboard, key: str, via: str) -> bool:
    """Whether the platform may be asked about this identity: logged in
    through that platform, with the switch on and the platform served."""
    return (
        via in PLATFORMS
        and key.startswith(f"{via}:")
        and dash.settings.platform_admins
        and dash.bot.admins is not None
    )


async def ask(dash: Dashboard, key: str) -> Answer:
    """The platform's answer for the community's groups on it."""
    desk = dash.bot.admins
    if desk is None:
        return "no"
    platform, _, user_id = key.partition(":")
    groups = sorted(
        (g for g in dash.bot.engine.kit.directory.groups.values() if g.platform == platform),
        key=lambda g: g.serial,
    )
    try:
        async with asyncio.timeout(ASK_TIMEOUT):
            yes = await desk.administers(platform, user_id, [chat_of(g) for g in groups])
    except (AdminsUnknown, TimeoutError) as exc:
        log.warning("dashboard: %s could not say whether %s administers one of its groups: %s",
                    platform, key, str(exc) or "no answer in time")  # fmt: skip
        return "unknown"
    return "yes" if yes else "no"


def as_admin(who: sess.Viewer) -> sess.Viewer:
    return replace(who, role="moderator", admin=True)


def refusal(dash: Dashboard, request: Request, key: str, answer: Answer) -> Response:
    """The page for a no (403) or for a platform that could not say (503)."""
    platform = PLATFORMS.get(key.partition(":")[0], "")
    if answer == "unknown":
        return dash.render(request, "refused.html", None, 503, reason="refused.asking",
                           platform=platform)  # fmt: skip
    return dash.render(request, "refused.html", None, 403, reason="refused.admin",
                       platform=platform)  # fmt: skip


async def recheck(dash: Dashboard, request: Request, who: sess.Viewer) -> sess.Viewer | Response:
    """A session the config gives no staff role, once its platform's yes
    has run out: asked again. Still an admin: on for another `RECHECK`.
    No longer: the session ends. The platform silent: refused for now,
    the session kept (the next request asks again)."""
    if not eligible(dash, who.key, who.via):
        return who
    answer = await ask(dash, who.key)
    if answer == "yes":
        dash.grants.grant(who.sid)
        return as_admin(who)
    if answer == "unknown":
        return refusal(dash, request, who.key, answer)
    dash.grants.drop(who.sid)
    dash.logged_out.add(who.sid)
    log.warning("dashboard: %s no longer administers a group of the community: session ended",
                who.key)  # fmt: skip
    response = refusal(dash, request, who.key, answer)
    response.delete_cookie(sess.SESSION, path="/")
    return response
