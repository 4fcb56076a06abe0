"""Cases and members: search by name, @username or id; a member's points
ledger, warnings, cases, reports and check-in streak; and the moderators'
commands on them (give or take points, warn, mute, unban), each with a
reason, issued in the group the moderator picks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.web.acting import issue, with_reason
from adapters.web.session import Viewer
from adapters.web.views import group_title, local_time, member_name, points_of, risk_of
from bot.core.directory import display, user_of
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.records import LOG, MemberRecord
from bot.features.moderation.feature import ModerationFeature

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

SHOWN = 50
VERBS = ("warn", "mute", "unban", "give", "take")


def matches(member: MemberRecord, query: str) -> bool:
    q = query.casefold().lstrip("@")
    return any(
        q in (value or "").casefold()
        for value in (member.name, member.username, member.key, member.user_id)
    )


async def search(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    query = request.query_params.get("q", "").strip()[:100]
    members = list(engine.kit.directory.members.values())
    found = [m for m in members if matches(m, query)] if query else members
    found.sort(
        key=lambda m: (m.last_seen is None, -(m.last_seen.timestamp() if m.last_seen else 0))
    )
    tz = engine.config.community.tz
    rows = [
        {
            "key": m.key,
            "name": display(m),
            "role": engine.kit.directory.role(m),
            "messages": m.message_count,
            "seen": local_time(m.last_seen, tz) if m.last_seen else "",
        }
        for m in found[:SHOWN]
    ]
    return dash.render(
        request, "members.html", who, query=query, rows=rows, more=len(found) > SHOWN
    )


async def show(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    member = engine.kit.directory.members.get(request.path_params["key"])
    if member is None:
        return dash.refuse(request, who, 404)
    await engine.writes.flush(everything=True)
    return dash.render(request, "member.html", who, **await _details(dash, member))


async def _details(dash: Dashboard, member: MemberRecord) -> dict[str, Any]:
    engine = dash.bot.engine
    store = dash.bot.store
    slug = engine.config.community.slug
    tz = engine.config.community.tz
    now = engine.clock.now()
    points = points_of(engine)
    balance = points.balance(member.key) if points is not None else 0
    level = points.level(balance)[1].title if points is not None else ""
    moderation = engine.find(ModerationFeature)
    warnings = moderation.cases.active(member.key, now) if moderation is not None else []
    risk = risk_of(engine)
    flags = [f for f in (risk.reports.flags.values() if risk else []) if f.member_key == member.key]
    memberships = await store.memberships(slug, member.key)
    groups = [
        (m.group_key, group_title(engine, m.group_key))
        for m in reversed(memberships)
        if m.left_at is None and _is_group(engine, m.group_key)
    ]
    if not groups:
        groups = [(g.chat_key, g.title or g.chat_key) for g in _groups(engine)]
    return {
        "member": member,
        "name": display(member),
        "role": engine.kit.directory.role(member),
        "joined": local_time(member.joined_at, tz) if member.joined_at else "",
        "seen": local_time(member.last_seen, tz) if member.last_seen else "",
        "balance": balance,
        "level": level,
        "warnings": [
            {"case": w.case_id, "rule": w.rule or "", "until": local_time(w.expires_at, tz)}
            for w in warnings
        ],
        "cases": [
            {
                "id": c.id,
                "at": local_time(c.at, tz),
                "action": c.action,
                "group": group_title(engine, c.group_key or ""),
                "by": member_name(engine, c.moderator_key) if c.moderator_key else "",
                "rule": c.rule or "",
                "reason": c.reason,
                "duration": c.duration or "",
            }
            for c in await store.cases_of(slug, member.key)
        ],
        "ledger": [
            {"at": local_time(e.at, tz), "delta": e.delta, "reason": e.reason}
            for e in await store.ledger(slug, member.key)
        ],
        "reports": [
            {"id": f.id, "at": local_time(f.at, tz), "status": f.status, "text": f.text}
            for f in flags
        ],
        "groups": groups,
    }


def _is_group(engine: Any, key: str) -> bool:
    group = engine.kit.directory.groups.get(key)
    return group is not None and group.state != LOG


def _groups(engine: Any) -> list[Any]:
    log_chat = engine.config.community.log_chat
    return sorted(
        (g for g in engine.kit.directory.groups.values() if g.chat_key != log_chat),
        key=lambda g: (g.platform, g.serial),
    )


async def act(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    key = request.path_params["key"]
    verb = request.path_params["verb"]
    member = engine.kit.directory.members.get(key)
    if member is None or verb not in VERBS:
        return dash.refuse(request, who, 404)
    form = await request.form()
    loc = dash.locale(request, who)
    back = f"/members/{key}"
    group = str(form.get("group", ""))
    if not _is_group(engine, group):
        return dash.back(request, back, t(loc, "web.members.no_group"), ok=False)
    reason = str(form.get("reason", ""))[:300]
    args: list[str] = []
    if verb == "mute":
        length = str(form.get("length", "")).strip()
        args = [length] if length else []
    if verb in ("give", "take"):
        amount = str(form.get("amount", "")).strip()
        # `/points give N reason`, the member named as a slash command's option.
        args = [verb, amount]
        name = "points"
    else:
        name = verb
    args += with_reason(reason)
    answer = await issue(dash, who, ChatRef.parse(group), name, args, user_of(member))
    return dash.back(request, back, answer or t(loc, "web.done"))
