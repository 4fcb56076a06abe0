"""The dashboard: a Starlette application over the running bot.

`Dashboard(bot, config_path)` builds it; `serve()` runs it in the bot's own
event loop (every page reads the community from memory or the database
without blocking, and nothing is added to the message path); `mount()`
lets another part of the bot add its routes (health checks, metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.web import admins
from adapters.web import session as sess
from adapters.web.bridge import Bot
from adapters.web.security import LoginLinks, RateLimit, Signer
from bot.config import Config, Locale
from bot.config.dashboard import DashboardConfig
from bot.core.i18n import t

if TYPE_CHECKING:
    from adapters.report import Report

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
Handler = Callable[["Dashboard", Request, sess.Viewer], Awaitable[Response]]

# Sent with every answer: no framing, no referrer (a one-time link's token
# must not leak to another site), scripts and styles from here only (the
# login page also loads Telegram's widget).
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'{extra}; "
    "frame-src https://oauth.telegram.org; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self' https://discord.com"
)


class Dashboard:
    def __init__(
        self,
        bot: Bot,
        config_path: Path | None,
        *,
        discord_api: str = "https://discord.com/api",
        http: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        self.bot = bot
        self.config_path = config_path
        cfg = self.settings
        self.signer = Signer((cfg.secret or secrets.token_urlsafe(32)).encode())
        self.links = LoginLinks()
        self.limit = RateLimit()
        self.discord_api = discord_api
        self.http = http or (lambda: httpx.AsyncClient(timeout=10))
        # Negative ids: never a platform's message id, and each dashboard
        # command its own idempotency key (a gift of points is keyed by it).
        self._ids = itertools.count(-int(time.time() * 1000), -1)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.app = Starlette(routes=self._routes())
        self.app.add_middleware(_Headers)
        # Sessions ended by their owner: a copied cookie opens nothing after
        # a log-out (kept in memory; a restart with a random key ends all).
        self.logged_out: set[str] = set()
        # Sessions of the platforms' group admins, while their yes holds.
        self.grants = admins.Grants()
        # Reports by period: (local day, when made, the report); see analytics_page.
        self.reports: dict[int, tuple[date, float, Report]] = {}
        # Set by `adapters.web.start` while it serves.
        self.task: asyncio.Task[None] | None = None

    @property
    def config(self) -> Config:
        return self.bot.engine.config

    @property
    def settings(self) -> DashboardConfig:
        return self.config.dashboard

    def next_message_id(self) -> int:
        return next(self._ids)

    def mount(self, routes: Sequence[BaseRoute]) -> None:
        """Add routes of another part of the bot (they get no login)."""
        self.app.router.routes[0:0] = list(routes)

    def base_url(self) -> str:
        cfg = self.settings
        # Listening on every address: the link names this machine's loopback.
        host = "127.0.0.1" if cfg.listen in ("0.0.0.0", "::", "") else cfg.listen
        host = f"[{host}]" if ":" in host else host
        return cfg.public_url or f"http://{host}:{cfg.port}/"

    def login_link(self) -> str:
        """A new one-time login link (the console prints one at start)."""
        token = self.links.mint(time.time())
        return f"{self.base_url()}auth/link?token={token}"

    # -- serving ---------------------------------------------------------------

    async def serve(self) -> None:
        """Runs until cancelled; the bot's own signal handling stops it."""
        import uvicorn

        cfg = self.settings
        server = _Server(
            uvicorn.Config(
                self.app, host=cfg.listen, port=cfg.port, log_level="warning",
                proxy_headers=True, access_log=False, lifespan="off",
            )
        )  # fmt: skip
        try:
            await server.serve()
        finally:
            server.should_exit = True

    # -- rendering -------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        who: sess.Viewer | None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        loc = sess.locale(request, self.bot.engine, who)

        def text(key: str, /, **v: Any) -> str:
            return t(loc, f"web.{key}", **v)

        flash = sess.read_flash(request, self.signer) if who is not None else None

        def catalogue(key: str, /, **v: Any) -> str:
            return t(loc, key, **v)

        page = self.templates.get_template(template).render(
            t=text,
            cat=catalogue,
            locale=loc,
            who=who,
            csrf=sess.csrf_token(self.signer, who) if who is not None else "",
            flash=flash,
            community=self.config.community.name,
            path=request.url.path,
            **values,
        )
        response = HTMLResponse(page, status_code=status)
        if flash is not None:
            response.delete_cookie(sess.FLASH, path="/")
        return response

    def locale(self, request: Request, who: sess.Viewer | None) -> Locale:
        return sess.locale(request, self.bot.engine, who)

    def back(self, request: Request, to: str, text: str, ok: bool = True) -> Response:
        """After a change: the page again, with what the bot answered."""
        response = RedirectResponse(to, status_code=303)
        self.cookie(response, request, sess.FLASH, sess.flash(self.signer, text, ok), 120)
        return response

    def cookie(
        self, response: Response, request: Request, name: str, value: str, age: int | None
    ) -> None:
        sess.set_cookie(response, request, self.settings.public_url, name, value, age)

    def viewer(self, request: Request) -> sess.Viewer | None:
        """Who is looking, with the role the config gives them, or a group
        admin's while their platform's yes holds."""
        who = sess.viewer(request, self.signer, self.bot.engine)
        if who is None or who.sid in self.logged_out:
            return None
        if not who.is_staff and self.settings.platform_admins and self.grants.holds(who.sid):
            return admins.as_admin(who)
        return who

    async def staff(self, request: Request) -> sess.Viewer | Response | None:
        """`viewer`, with a group admin's platform asked again once its yes
        has run out (a refusal page when it cannot say or says no)."""
        who = self.viewer(request)
        if who is None or who.is_staff:
            return who
        return await admins.recheck(self, request, who)

    def refuse(self, request: Request, who: sess.Viewer | None, status: int) -> Response:
        key = {
            401: "refused.login", 403: "refused.role", 404: "refused.missing",
            429: "refused.limit",
        }.get(status, "refused.csrf")  # fmt: skip
        return self.render(request, "refused.html", who, status, reason=key)

    # -- routes ------------------------------------------------------------------

    def _routes(self) -> list[BaseRoute]:
        from adapters.web import (
            analytics_page,
            auth,
            config_page,
            members,
            overview,
            risk,
            schedule_page,
        )

        routes: list[BaseRoute] = [
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
            *auth.routes(self),
            Route("/", self.page(overview.show)),
            Route("/risk", self.page(risk.show)),
            Route("/risk/{kind:str}/{id:int}/{verb:str}", self.action(risk.act), methods=["POST"]),
            Route("/members", self.page(members.search)),
            Route("/members/{key:str}", self.page(members.show)),
            Route("/members/{key:str}/{verb:str}", self.action(members.act), methods=["POST"]),
            Route("/schedule", self.page(schedule_page.show)),
            Route("/schedule/{id:str}/{verb:str}", self.action(schedule_page.act),
                  methods=["POST"]),
            Route("/config", self.page(config_page.show, owner=True)),
            Route("/config/check", self.action(config_page.check, owner=True), methods=["POST"]),
            Route("/config/try", self.action(config_page.trial), methods=["POST"]),
            Route("/config/save", self.action(config_page.save, owner=True), methods=["POST"]),
            Route("/analytics", self.page(analytics_page.show)),
            Route("/analytics.csv", self.page(analytics_page.download)),
        ]  # fmt: skip
        return routes

    def page(self, handler: Handler, *, owner: bool = False) -> Callable[[Request], Any]:
        """A page for staff: logged-out visitors go to the login page,
        members are refused and see nothing of the community."""

        async def endpoint(request: Request) -> Response:
            who = await self.staff(request)
            if isinstance(who, Response):
                return who
            if who is None:
                return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
            if not who.is_staff or (owner and not who.is_owner):
                return self.refuse(request, who, 403)
            return await handler(self, request, who)

        return endpoint

    def action(self, handler: Handler, *, owner: bool = False) -> Callable[[Request], Any]:
        """A change: staff only, and only with the session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            who = await self.staff(request)
            if isinstance(who, Response):
                return who
            if who is None:
                return self.refuse(request, None, 401)
            if not who.is_staff or (owner and not who.is_owner):
                return self.refuse(request, who, 403)
            if not await sess.csrf_ok(request, self.signer, who):
                return self.refuse(request, who, 400)
            return await handler(self, request, who)

        return endpoint


class _Headers:
    """Security headers on every answer; nothing the dashboard shows is kept
    in a shared cache."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = " https://telegram.org" if scope.get("path") == "/login" else ""

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", _CSP.format(extra=extra).encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not scope.get("path", "").startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


def _uvicorn_server() -> type[Any]:
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # The bot handles SIGTERM and SIGINT itself (adapters/runners.py).
            yield

    return Server


def _Server(config: Any) -> Any:
    return _uvicorn_server()(config)
