"""Rules and config: the YAML with its lines highlighted, checked live with
`check-config`'s errors (the line marked), a "try a message" box (the
`rules test` machinery and the running spam checks), and a save that only a
valid file passes: written atomically, the previous version kept, then
reloaded as `/reload` would."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.web import config_file as cf
from adapters.web.session import Viewer
from adapters.web.views import risk_of
from bot.config import Config, ConfigError, parse_config
from bot.core.config_watch import reload_from_file
from bot.core.i18n import t
from bot.features.moderation.rule_trial import run_tests
from bot.features.risk.spam.checks import Detector
from bot.features.risk.spam.model import SpamModel
from rules.message import MessageView

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

MOST = 256 * 1024


def _path(dash: Dashboard) -> Path | None:
    return dash.config_path


async def show(dash: Dashboard, request: Request, who: Viewer) -> Response:
    path = _path(dash)
    if path is None:
        return dash.render(request, "config.html", who, text=None, secrets=[], **_empty())
    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    secrets = cf.plain_secrets(text)
    if secrets:
        return dash.render(request, "config.html", who, text=None, secrets=secrets, **_empty())
    errors, lines = await _checked(text, str(path))
    return dash.render(
        request, "config.html", who, text=text, secrets=[], errors=errors,
        lines=lines, base=cf.digest(text),
        versions=await asyncio.to_thread(cf.versions, path), file=path.name,
    )  # fmt: skip


def _empty() -> dict[str, Any]:
    return {"errors": (), "lines": [], "base": "", "versions": [], "file": ""}


async def _checked(text: str, source: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """Validated and highlighted in a worker thread: a large file takes
    a tenth of a second, which the bot's loop must not wait through."""

    def work() -> tuple[tuple[str, ...], list[dict[str, Any]]]:
        errors = cf.errors_of(text, source)
        return errors, cf.highlight(text, cf.error_lines(errors))

    return await asyncio.to_thread(work)


async def _text(request: Request) -> str:
    form = await request.form()
    value = form.get("text", "")
    return value[:MOST] if isinstance(value, str) else ""


async def check(dash: Dashboard, request: Request, who: Viewer) -> Response:
    """The live check: the errors and the marked lines, as a fragment."""
    text = await _text(request)
    path = _path(dash)
    errors, lines = await _checked(text, str(path or "config.yaml"))
    return dash.render(request, "config_check.html", who, errors=errors, lines=lines)


async def trial(dash: Dashboard, request: Request, who: Viewer) -> Response:
    """Which rules and spam checks a message would meet, and why: under the
    edited file when it is valid, else under the running config."""
    form = await request.form()
    message = str(form.get("message", ""))[:4000]
    newcomer = form.get("newcomer") == "on"
    text = str(form.get("text", ""))[:MOST]
    running = dash.bot.engine.config
    risk = risk_of(dash.bot.engine)
    model = risk.spam.model if risk is not None else None

    def work() -> tuple[Config, bool, tuple[str, ...], str]:
        config, edited = running, False
        if text:
            with contextlib.suppress(ConfigError):
                config, edited = parse_config(text, "edited"), True
        if not message:
            return config, edited, (), ""
        outcome = run_tests(config, [f"-\t{message}"], newcomer=newcomer)[0]
        return config, edited, outcome.fired, outcome.details

    # Compiling an edited file's rules takes a while: not on the bot's loop.
    config, edited, fired, details = await asyncio.to_thread(work)
    # The spam model learns on the loop: it is read there too (microseconds).
    spam = _spam(config, model, message, newcomer) if message else []
    return dash.render(
        request, "config_trial.html", who, message=message, edited=edited,
        fired=list(fired), details=details, spam=spam,
    )  # fmt: skip


def _spam(
    config: Config, model: SpamModel | None, message: str, newcomer: bool
) -> list[dict[str, str]]:
    """The spam checks' verdict as the running model sees it, checked the
    hardest way (a newcomer) or as for an established member."""
    if model is None or not config.risk.spam.enabled:
        return []
    detector = Detector(config.risk.spam, model)
    view = MessageView(
        text=message,
        group="test:trial",
        sender="test:trial",
        at=time.time(),
        member_age=0.0 if newcomer else timedelta(days=365).total_seconds(),
        message_count=1 if newcomer else 1000,
    )
    verdict = detector.check(view, newcomer=newcomer)
    return [{"check": r.rule, "details": r.details} for r in verdict.hits]


async def save(dash: Dashboard, request: Request, who: Viewer) -> Response:
    path = _path(dash)
    loc = dash.locale(request, who)
    if path is None:
        return dash.back(request, "/config", t(loc, "web.config.no_file"), ok=False)
    form = await request.form()
    text = str(form.get("text", ""))[:MOST].replace("\r\n", "\n")
    base = str(form.get("base", ""))
    current = await asyncio.to_thread(path.read_text, encoding="utf-8")
    errors, lines = await _checked(text, str(path))
    refusal = None
    if errors:
        refusal = t(loc, "web.config.refused", count=len(errors))
    elif base != cf.digest(current):
        refusal = t(loc, "web.config.conflict")
    elif cf.plain_secrets(text):
        refusal = t(loc, "web.config.plain_secret")
    if refusal is not None:
        # The running config and the file stay as they were.
        return dash.render(
            request, "config.html", who, 422, text=text, secrets=[], errors=errors,
            lines=lines, base=base,
            versions=await asyncio.to_thread(cf.versions, path), file=path.name,
            refusal=refusal,
        )  # fmt: skip
    engine = dash.bot.engine
    kept = dash.settings.versions_kept
    await asyncio.to_thread(cf.save, path, text, who.key, kept, datetime.now(UTC))
    config, problems = await reload_from_file(engine)
    if config is None:
        return dash.back(request, "/config", "\n".join(problems), ok=False)
    return dash.back(request, "/config", t(loc, "web.config.saved", file=path.name))
