"""Schedule: every post with its next fire times in the community's time
zone, pause / resume / run now (`/schedule pause <id>` ...), and the
latest posts and misses."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from adapters.web.acting import issue
from adapters.web.session import Viewer
from adapters.web.views import group_title, local_time, schedule_of
from bot.core.engine import Engine
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.features.schedule.content import Post

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

NEXT = 3
RECENT = 30
VERBS = ("pause", "resume", "run")


def _what(post: Post) -> str:
    spec = post.spec
    if spec.builtin:
        return str(spec.builtin)
    if spec.poll is not None:
        return spec.poll.question
    if spec.text:
        return spec.text
    if spec.texts:
        return spec.texts[0]
    return spec.content_dir or ""


def _when(post: Post) -> str:
    spec = post.spec
    if spec.cron:
        return spec.cron
    if spec.every:
        return f"every {spec.every}"
    return spec.at.isoformat() if spec.at else ""


async def show(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    sched = schedule_of(engine)
    tz = engine.config.community.tz
    now = engine.clock.now()
    posts = []
    for post in sched.posts if sched is not None else []:
        fires: list[str] = []
        at = now
        while len(fires) < NEXT and post.spec.enabled and sched is not None:
            nxt = sched.next_fire(post, at)
            if nxt is None:
                break
            fires.append(local_time(nxt, tz))
            at = nxt + timedelta(seconds=1)
        posts.append(
            {
                "id": post.id,
                "source": post.source,
                "when": _when(post),
                "what": _what(post)[:120],
                "groups": ", ".join(post.spec.groups or []) or "*",
                "paused": sched.paused(post.id) if sched is not None else False,
                "enabled": post.spec.enabled,
                "next": fires,
            }
        )
    runs = []
    if sched is not None:
        stored = await sched.store.post_runs(engine.config.community.slug)
        stored.sort(key=lambda r: r.fire_time, reverse=True)
        runs = [
            {
                "post": r.post_id,
                "group": group_title(engine, r.group_key),
                "at": local_time(r.fire_time, tz),
                "status": r.status,
            }
            for r in stored[:RECENT]
        ]
    return dash.render(request, "schedule.html", who, posts=posts, runs=runs,
                       timezone=engine.config.community.timezone)  # fmt: skip


async def act(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    sched = schedule_of(engine)
    post_id = request.path_params["id"]
    verb = request.path_params["verb"]
    loc = dash.locale(request, who)
    if sched is None or verb not in VERBS or sched.get(post_id) is None:
        return dash.refuse(request, who, 404)
    chat = _chat_for(engine)
    if chat is None:
        return dash.back(request, "/schedule", t(loc, "web.members.no_group"), ok=False)
    answer = await issue(dash, who, chat, "schedule", [verb, post_id])
    return dash.back(request, "/schedule", answer or t(loc, "web.done"))


def _chat_for(engine: Engine) -> ChatRef | None:
    """Where a schedule command is issued: the log chat, else the first group."""
    log_chat = engine.config.community.log_chat
    if log_chat:
        return ChatRef.parse(log_chat)
    groups = sorted(engine.kit.directory.groups.values(), key=lambda g: (g.platform, g.serial))
    return ChatRef.parse(groups[0].chat_key) if groups else None
