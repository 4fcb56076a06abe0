"""Overview: every group on both platforms with its members and capacity,
the spares left, where the entry link sends newcomers now, DAU/WAU/MAU, the
joins and leaves of the last 30 days, open alerts and flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from adapters.web import svg
from adapters.web.analytics_page import report
from adapters.web.session import Viewer
from adapters.web.views import overflow_of, risk_of
from bot.core.records import LOG

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

DAYS = 30


async def show(dash: Dashboard, request: Request, who: Viewer) -> Response:
    engine = dash.bot.engine
    rep = await report(dash, DAYS)
    overflow = overflow_of(engine)
    log_chat = engine.config.community.log_chat
    groups = sorted(
        (g for g in engine.kit.directory.groups.values()
         if g.chat_key != log_chat and g.state != LOG),
        key=lambda g: (g.platform, g.serial),
    )  # fmt: skip
    platforms = sorted({g.platform for g in groups})
    entry = {}
    spares = {}
    for p in platforms:
        target = overflow.entry_group(p) if overflow is not None else None
        entry[p] = (target.title or target.chat_key) if target is not None else ""
        spares[p] = len(overflow.spares(p)) if overflow is not None else 0
    rows = []
    for g in groups:
        daily = rep.groups[g.chat_key].daily if g.chat_key in rep.groups else []
        rows.append(
            {
                "key": g.chat_key,
                "title": g.title or g.chat_key,
                "platform": g.platform,
                "state": g.state,
                "members": g.member_count,
                "capacity": g.capacity,
                "joins": svg.sparkline([float(d.joins) for d in daily], svg.COLOURS[1], "joins"),
                "leaves": svg.sparkline([float(d.leaves) for d in daily], svg.COLOURS[2], "leaves"),
                "joined": sum(d.joins for d in daily),
                "left": sum(d.leaves for d in daily),
            }
        )
    last = rep.community.engagement[-1] if rep.community.engagement else None
    risk = risk_of(engine)
    return dash.render(
        request, "overview.html", who, rows=rows, platforms=platforms, entry=entry,
        spares=spares, dau=last.dau if last else 0, wau=last.wau if last else 0,
        mau=last.mau if last else 0,
        alerts=len(risk.monitors.open) if risk else 0,
        flags=len(risk.reports.waiting()) if risk else 0,
    )  # fmt: skip
