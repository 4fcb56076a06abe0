"""Risk: the review queue (Confirm / Dismiss), open alerts (Acknowledge)
and lockdowns (Lift), each with its evidence; the buttons are `/resolve`,
`/ack` and `/unlock` issued by the moderator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from adapters.web.acting import issue
from adapters.web.session import Viewer
from adapters.web.views import group_title, local_time, member_name, risk_of
from bot.core.events import ChatRef
from bot.core.i18n import t

if TYPE_CHECKING:
    from adapters.web.app import Dashboard


async def show(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    risk = risk_of(engine)
    tz = engine.config.community.tz
    flags = [
        {
            "id": f.id,
            "member": member_name(engine, f.member_key),
            "member_key": f.member_key,
            "group": group_title(engine, f.group_key),
            "at": local_time(f.at, tz),
            "text": f.text,
            "status": f.status,
            "source": f.source,
            "reasons": f.reasons,
            "reports": risk.reports.count(f.id) if risk else 0,
        }
        for f in (risk.reports.waiting() if risk else [])
    ]
    alerts = [
        {
            "id": a.id,
            "kind": a.kind,
            "severity": a.severity,
            "group": group_title(engine, a.group_key or ""),
            "at": local_time(a.at, tz),
            "summary": a.summary,
            "evidence": a.evidence,
        }
        for a in (sorted(risk.monitors.open.values(), key=lambda a: a.id) if risk else [])
    ]
    lockdowns = [
        {
            "id": d.id,
            "group": group_title(engine, d.group_key),
            "since": local_time(d.started_at, tz),
            "until": local_time(d.lift_at, tz) if d.lift_at else "",
            "by": member_name(engine, d.started_by) if d.started_by else "",
            "muted": len([k for k in d.muted.splitlines() if k]),
        }
        for d in (risk.lockdowns.active.values() if risk else [])
    ]
    return dash.render(request, "risk.html", who, flags=flags, alerts=alerts, lockdowns=lockdowns)


async def act(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    risk = risk_of(engine)
    kind = request.path_params["kind"]
    item = request.path_params["id"]
    verb = request.path_params["verb"]
    loc = dash.locale(request, who)

    def missing() -> Response:
        return dash.back(request, "/risk", t(loc, "web.risk.gone", id=item), ok=False)

    if risk is None:
        return missing()
    if kind == "flags" and verb in ("confirm", "dismiss"):
        flag = risk.reports.flags.get(item)
        if flag is None or flag not in risk.reports.waiting():
            return missing()
        answer = await issue(dash, who, ChatRef.parse(flag.group_key), "resolve",
                             [str(item), verb])  # fmt: skip
    elif kind == "alerts" and verb == "ack":
        alert = risk.monitors.open.get(item)
        if alert is None:
            return missing()
        where = alert.group_key or engine.config.community.log_chat
        if where is None:
            return missing()
        answer = await issue(dash, who, ChatRef.parse(where), "ack", [str(item)])
    elif kind == "lockdowns" and verb == "lift":
        lockdown = risk.lockdowns.by_id(item)
        if lockdown is None:
            return missing()
        answer = await issue(dash, who, ChatRef.parse(lockdown.group_key), "unlock", [str(item)])
    else:
        return dash.refuse(request, who, 404)
    return dash.back(request, "/risk", answer or t(loc, "web.done"))
