"""Analytics: the report's numbers, charts and tables (`groupkeeper report`)
for a chosen period and group, and its tables as CSV downloads."""

from __future__ import annotations

import asyncio
import csv as csvlib
import io
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.report import Report, assemble, build_report, summary_rows
from adapters.web import svg
from adapters.web.session import Viewer
from bot.core.i18n import t
from bot.features.analytics.feature import AnalyticsFeature
from bot.features.analytics.metrics import COUNTERS, Metrics

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

PERIODS = (7, 30, 90, 365)
TABLES = ("daily", "engagement", "top")


def _period(request: Request) -> int:
    raw = request.query_params.get("days", "30")
    return int(raw) if raw.isdigit() and int(raw) in PERIODS else 30


# A report is computed at most once a minute per period: its cost grows with
# the members active in the period (about a second for 20,000).
FRESH = 60.0


async def report(dash: Dashboard, days: int) -> Report:
    """`groupkeeper report`'s numbers, read through the running analytics
    service (its counters still in memory count too), computed in a worker
    thread so the bot's loop goes on handling messages meanwhile."""
    engine = dash.bot.engine
    today = engine.kit.calendar.local_date(engine.clock.now())
    kept = dash.reports.get(days)
    if kept is not None and kept[0] == today and time.monotonic() - kept[1] < FRESH:
        return kept[2]
    await engine.writes.flush(everything=True)
    found = engine.find(AnalyticsFeature)
    if found is None:
        made = await build_report(engine.config, dash.bot.store, days, today)
    else:
        since = today - timedelta(days=days - 1)
        inputs = await found.analytics.inputs(since, today)
        made = await asyncio.to_thread(assemble, engine.config, inputs)
    dash.reports[days] = (today, time.monotonic(), made)
    return made


def scope(rep: Report, group: str) -> tuple[str, Metrics]:
    if group in rep.groups:
        return group, rep.groups[group]
    return "*", rep.community


async def show(dash: Dashboard, request: Request, who: Viewer) -> Response:
    days = _period(request)
    rep = await report(dash, days)
    group, m = scope(rep, request.query_params.get("group", "*"))
    loc = dash.locale(request, who)

    def text(key: str, /, **values: Any) -> str:
        return t(loc, key, **values)

    labels = [d.day.isoformat() for d in m.daily]
    activity = svg.lines(
        text("report.activity"),
        labels,
        [(text(f"stats.series.{s}"), [float(getattr(d, s)) for d in m.daily])
         for s in ("messages", "active_members", "joins", "leaves")],
    )  # fmt: skip
    engagement = svg.lines(
        text("report.dau_chart"),
        [e.day.isoformat() for e in m.engagement],
        [("DAU", [float(e.dau) for e in m.engagement]),
         ("WAU", [float(e.wau) for e in m.engagement]),
         ("MAU", [float(e.mau) for e in m.engagement])],
    )  # fmt: skip
    cohorts = [
        (c.week.isoformat(), c.size, ["" if n is None else n for n in c.retained])
        for c in m.cohorts
    ]
    return dash.render(
        request, "analytics.html", who, days=days, periods=PERIODS, group=group,
        groups=[(k, rep.inputs.group_titles.get(k, k)) for k in rep.groups],
        summary=summary_rows(m, text), activity=activity, engagement=engagement,
        cohorts=cohorts, weeks=len(cohorts[0][2]) if cohorts else 0,
        top=m.top, since=m.since.isoformat(), until=m.until.isoformat(), tables=TABLES,
    )  # fmt: skip


async def download(dash: Dashboard, request: Request, who: Viewer) -> Response:
    days = _period(request)
    table = request.query_params.get("table", "daily")
    if table not in TABLES:
        return dash.refuse(request, who, 404)
    rep = await report(dash, days)
    group, m = scope(rep, request.query_params.get("group", "*"))
    out = io.StringIO()
    writer = csvlib.writer(out)
    if table == "daily":
        writer.writerow(["group", "day", *COUNTERS])
        writer.writerows(
            [group, r.day.isoformat(), *(getattr(r, n) for n in COUNTERS)] for r in m.daily
        )
    elif table == "engagement":
        writer.writerow(["group", "day", "dau", "wau", "mau"])
        writer.writerows([group, e.day.isoformat(), e.dau, e.wau, e.mau] for e in m.engagement)
    else:
        writer.writerow(["group", "member", "name", "active_days", "points"])
        writer.writerows([group, c.member_key, c.name, c.active_days, c.points] for c in m.top)
    name = f"{dash.config.community.slug}-{table}-{days}d.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
