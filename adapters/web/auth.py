"""Logging in: Telegram's Login Widget, Discord's OAuth2 code flow and the
console's one-time link. Each way ends the same: the identity is a member
key (`telegram:1001`), and only the community's owners and moderators get a
session, with the admins of its groups on the platform they log in with
(`admins.py`). Every attempt counts against the client's login limit."""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.web import admins
from adapters.web import session as sess
from adapters.web.security import telegram_login

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

log = logging.getLogger(__name__)

OAUTH = "gk_oauth"


def routes(dash: Dashboard) -> list[BaseRoute]:
    async def login(request: Request) -> Response:
        who = dash.viewer(request)
        if who is not None and who.is_staff:
            return RedirectResponse("/", 303)
        cfg = dash.settings
        return dash.render(
            request,
            "login.html",
            None,
            telegram_bot=cfg.telegram_bot if dash.bot.telegram_token else None,
            telegram_return=f"{dash.base_url()}auth/telegram",
            discord=bool(cfg.discord.client_id and cfg.discord.client_secret),
            platform_admins=cfg.platform_admins and dash.bot.admins is not None,
        )

    async def by_telegram(request: Request) -> Response:
        if not _allowed(dash, request):
            return dash.refuse(request, None, 429)
        params = dict(request.query_params)
        user_id = telegram_login(params, dash.bot.telegram_token or "", time.time())
        if user_id is None:
            log.warning("dashboard: a Telegram login with a wrong or stale hash was refused")
            return dash.render(request, "refused.html", None, 403, reason="refused.hash")
        name = " ".join(filter(None, (params.get("first_name"), params.get("last_name"))))
        return await _open(dash, request, f"telegram:{user_id}",
                           name or params.get("username", ""), "telegram")  # fmt: skip

    async def to_discord(request: Request) -> Response:
        cfg = dash.settings.discord
        if not (cfg.client_id and cfg.client_secret):
            return dash.refuse(request, None, 404)
        state = secrets.token_urlsafe(24)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": cfg.client_id,
                "scope": "identify",
                "state": state,
                "redirect_uri": _discord_return(dash),
                "prompt": "none",
            }
        )
        response = RedirectResponse(f"https://discord.com/oauth2/authorize?{query}", 303)
        signed = dash.signer.sign({"state": state, "exp": int(time.time() + 600)}, OAUTH)
        dash.cookie(response, request, OAUTH, signed, 600)
        return response

    async def from_discord(request: Request) -> Response:
        if not _allowed(dash, request):
            return dash.refuse(request, None, 429)
        saved = dash.signer.unsign(request.cookies.get(OAUTH), OAUTH)
        state = request.query_params.get("state", "")
        code = request.query_params.get("code", "")
        if saved is None or not code or not secrets.compare_digest(saved["state"], state):
            return dash.render(request, "refused.html", None, 403, reason="refused.oauth")
        try:
            user = await discord_user(dash, code)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("dashboard: Discord login failed: %s", type(exc).__name__)
            return dash.render(request, "refused.html", None, 502, reason="refused.discord")
        name = str(user.get("global_name") or user.get("username") or "")
        response = await _open(dash, request, f"discord:{user['id']}", name, "discord")
        response.delete_cookie(OAUTH, path="/")
        return response

    async def by_link(request: Request) -> Response:
        if not _allowed(dash, request):
            return dash.refuse(request, None, 429)
        token = request.query_params.get("token", "")
        if not token or not dash.links.use(token, time.time()):
            return dash.render(request, "refused.html", None, 403, reason="refused.link")
        key = sess.link_identity(dash.config)
        return await _open(dash, request, key, key, "link")

    async def logout(request: Request) -> Response:
        who = dash.viewer(request)
        if who is not None and not await sess.csrf_ok(request, dash.signer, who):
            return dash.refuse(request, who, 400)
        if who is not None:
            dash.logged_out.add(who.sid)
            dash.grants.drop(who.sid)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(sess.SESSION, path="/")
        return response

    async def language(request: Request) -> Response:
        code = request.path_params["code"]
        target = request.query_params.get("next", "/")
        # Only a path here: never a redirect to another site.
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = RedirectResponse(target, 303)
        if code in ("en", "zh"):
            dash.cookie(response, request, sess.LANG, code, 365 * 86400)
        return response

    return [
        Route("/login", login),
        Route("/auth/telegram", by_telegram),
        Route("/auth/discord", to_discord),
        Route("/auth/discord/callback", from_discord),
        Route("/auth/link", by_link),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang/{code:str}", language),
    ]


def _allowed(dash: Dashboard, request: Request) -> bool:
    client = request.client.host if request.client is not None else "-"
    return dash.limit.allow(client, time.time())


async def _open(dash: Dashboard, request: Request, key: str, name: str, via: str) -> Response:
    """A session for staff, and for the admins of the community's groups
    on the platform they logged in with; anyone else is told so and gets
    none."""
    sid = secrets.token_urlsafe(16)
    if sess.role_of(dash.bot.engine, key, via) not in ("owner", "moderator"):
        if not admins.eligible(dash, key, via):
            log.warning("dashboard: %s logged in through %s but is no moderator", key, via)
            return dash.render(request, "refused.html", None, 403, reason="refused.role")
        answer = await admins.ask(dash, key)
        if answer != "yes":
            why = "no admin of its groups there" if answer == "no" else "the platform cannot say"
            log.warning("dashboard: %s logged in through %s but is no moderator and %s",
                        key, via, why)  # fmt: skip
            return admins.refusal(dash, request, key, answer)
        dash.grants.grant(sid)
        log.warning("dashboard: %s logged in through %s as an admin of the community's groups "
                    "there", key, via)  # fmt: skip
    else:
        log.warning("dashboard: %s logged in through %s", key, via)
    response = RedirectResponse("/", 303)
    ttl = int(dash.settings.session_ttl.total_seconds())
    dash.cookie(response, request, sess.SESSION,
                sess.new_session(dash.signer, key, name, via, ttl, sid), ttl)  # fmt: skip
    return response


def _discord_return(dash: Dashboard) -> str:
    return f"{dash.base_url()}auth/discord/callback"


async def discord_user(dash: Dashboard, code: str) -> dict[str, object]:
    """The authorization code flow's two calls: the code for a token, the
    token for the user. The token is used once and kept nowhere."""
    cfg = dash.settings.discord
    async with dash.http() as client:
        got = await client.post(
            f"{dash.discord_api}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": _discord_return(dash),
            },
            auth=(cfg.client_id or "", cfg.client_secret or ""),
        )
        got.raise_for_status()
        token = got.json()["access_token"]
        me = await client.get(
            f"{dash.discord_api}/users/@me", headers={"Authorization": f"Bearer {token}"}
        )
        me.raise_for_status()
        user: dict[str, object] = me.json()
    if not str(user["id"]).isdigit():
        raise ValueError("not a Discord user id")
    return user
