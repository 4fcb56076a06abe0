"""`groupkeeper report`: one self-contained HTML file (charts inline, nothing
fetched to view it) with the community's metrics and each group's, and the
same tables as CSV files with `--csv DIR`.

It reads aggregates only (daily counters, activity days, memberships, events,
referrals) through `SqlAnalyticsStore`, so its cost follows the number of
groups, days and active members, not of messages. The community's charts are
PNGs from matplotlib; each group gets a small inline SVG, which costs
microseconds where a PNG costs a tenth of a second.
"""

from __future__ import annotations

import base64
import csv
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.charts import render_png
from bot.config import Config, Locale
from bot.core.i18n import t
from bot.features.analytics.analytics import UNGROUPED
from bot.features.analytics.metrics import (
    CHART_SERIES,
    COUNTERS,
    AnalyticsInputs,
    Chart,
    Metrics,
    activity_chart,
    compute,
    event_conversion,
    per_group,
    referral_conversion,
)
from storage.analytics_store import SqlAnalyticsStore
from storage.sql_store import SqlStore


@dataclass(slots=True)
class Report:
    config: Config
    inputs: AnalyticsInputs
    community: Metrics
    # Group key -> its metrics, in the order of the groups' titles.
    groups: dict[str, Metrics]
    generated: datetime


async def build_report(config: Config, store: SqlStore, days: int, today: date) -> Report:
    since = today - timedelta(days=days - 1)
    community = config.community
    inputs = await SqlAnalyticsStore(store.engine).inputs(
        community.slug, community.timezone, since, today
    )
    return assemble(config, inputs)


def assemble(config: Config, inputs: AnalyticsInputs) -> Report:
    split = per_group(inputs)
    for key in inputs.group_titles:
        split.setdefault(key, AnalyticsInputs(inputs.since, inputs.until))
    split.pop(UNGROUPED, None)
    # Older versions stored the log chat as a group: it is none.
    if config.community.log_chat is not None:
        split.pop(config.community.log_chat, None)
    ordered = sorted(split, key=lambda k: (inputs.group_titles.get(k, k), k))
    return Report(
        config,
        inputs,
        compute(inputs),
        {k: compute(split[k]) for k in ordered},
        datetime.now(UTC),
    )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def summary_rows(m: Metrics, text: Callable[..., str]) -> list[tuple[str, str]]:
    last = m.engagement[-1]
    rows = [
        ("messages", str(m.totals["messages"])),
        ("active_members", str(m.active_members)),
        ("average_dau", f"{m.average_dau:.1f}"),
        ("wau", str(last.wau)),
        ("mau", str(last.mau)),
        ("stickiness", _percent(m.stickiness)),
        ("joins", str(m.totals["joins"])),
        ("leaves", str(m.totals["leaves"])),
        ("net", f"{m.net_growth:+d}"),
        ("checkins", str(m.totals["checkins"])),
        ("checkin_rate", _percent(m.checkin_rate)),
    ]
    rows += [
        (name, str(m.totals[name]))
        for name in COUNTERS
        if name not in ("messages", "active_members", "joins", "leaves", "checkins")
    ]
    return [(text(f"report.metrics.{key}"), value) for key, value in rows]


def _png(chart: Chart) -> str:
    data = base64.b64encode(render_png(chart)).decode("ascii")
    return f'<img alt="{html.escape(chart.title)}" src="data:image/png;base64,{data}">'


def _svg(values: Sequence[float], colour: str, width: int = 360, height: int = 60) -> str:
    """A sparkline: one polyline, scaled to the largest value."""
    top = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{n * step:.1f},{height - 2 - v / top * (height - 4):.1f}" for n, v in enumerate(values)
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><polyline fill="none" stroke="{colour}" '
        f'stroke-width="2" points="{points}"/></svg>'
    )


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _cohorts(m: Metrics, text: Callable[..., str], none: str) -> str:
    if not m.cohorts:
        return f"<p>{html.escape(none)}</p>"
    weeks = len(m.cohorts[0].retained)
    head = [text("report.cohort"), text("report.size")]
    head += [text("report.week_n", n=k) for k in range(1, weeks + 1)]
    rows = []
    for c in m.cohorts:
        cells: list[str] = [c.week.isoformat(), str(c.size)]
        for k in range(weeks):
            n = c.retained[k]
            cells.append("" if n is None else f"{n} ({_percent(c.rate(k))})")
        rows.append(cells)
    return _table(head, rows)


def _top(m: Metrics, text: Callable[..., str], none: str) -> str:
    if not m.top:
        return f"<p>{html.escape(none)}</p>"
    head = [text("report.member"), text("report.active_days"), text("report.points")]
    return _table(head, [(c.name, c.active_days, c.points) for c in m.top])


_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:2rem;
color:#111;background:#fff;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem}table{border-collapse:collapse;margin:.5rem 0 1rem}
td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left}th{background:#f3f4f6}
img{max-width:100%;height:auto}.grid{display:flex;flex-wrap:wrap;gap:1rem}
.card{border:1px solid #e5e7eb;border-radius:6px;padding:.75rem 1rem;width:520px}
"""


def render_html(report: Report, locale: Locale) -> str:
    def text(key: str, /, **values: Any) -> str:
        return t(locale, key, **values)

    cfg = report.config.community
    m = report.community
    inputs = report.inputs
    none = text("report.none")
    labels = {name: text(f"stats.series.{name}") for name in CHART_SERIES}
    period = (m.until - m.since).days + 1
    activity = activity_chart(text("report.activity"), m.daily, labels)
    engagement = Chart(
        text("report.dau_chart"),
        tuple(e.day for e in m.engagement),
        (
            ("DAU", tuple(float(e.dau) for e in m.engagement)),
            ("WAU", tuple(float(e.wau) for e in m.engagement)),
            ("MAU", tuple(float(e.mau) for e in m.engagement)),
        ),
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if locale == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{html.escape(text('report.title', community=cfg.name))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(text('report.title', community=cfg.name))}</h1>",
        "<p>"
        + html.escape(
            text(
                "report.period",
                since=m.since.isoformat(),
                until=m.until.isoformat(),
                days=period,
                generated=report.generated.astimezone(cfg.tz).strftime("%Y-%m-%d %H:%M"),
            )
        )
        + "</p>",
        f"<h2>{html.escape(text('report.community'))}</h2>",
        _table([text("report.metric"), text("report.value")], summary_rows(m, text)),
        _png(activity),
        _png(engagement),
        f"<h2>{html.escape(text('report.retention'))}</h2>",
        _cohorts(m, text, none),
        f"<h2>{html.escape(text('report.top'))}</h2>",
        _top(m, text, none),
        f"<h2>{html.escape(text('report.economy'))}</h2>",
    ]
    statuses = inputs.referrals
    parts.append(
        "<p>"
        + html.escape(
            text(
                "report.referrals",
                total=sum(statuses.values()),
                qualified=statuses.get("qualified", 0),
                rate=_percent(referral_conversion(statuses)),
                pending=statuses.get("pending", 0),
                left=statuses.get("left", 0),
            )
        )
        + "</p>"
    )
    parts.append(
        "<p>"
        + html.escape(
            text("report.event_conversion", rate=_percent(event_conversion(inputs.events)))
        )
        + "</p>"
    )
    if inputs.events:
        head = [text(f"report.{k}") for k in ("event", "date", "rsvps", "attended", "conversion")]
        events = [
            (e.title, e.day.isoformat(), e.rsvps, e.attended, _percent(e.conversion))
            for e in inputs.events
        ]
        parts.append(_table(head, events))
    parts.append(f'<h2>{html.escape(text("report.groups"))}</h2><div class="grid">')
    for key, g in report.groups.items():
        title = inputs.group_titles.get(key, key)
        parts.append(f'<div class="card"><h3>{html.escape(title)}</h3>')
        parts.append(_svg([r.messages for r in g.daily], "#2563eb"))
        parts.append(_svg([r.active_members for r in g.daily], "#16a34a"))
        rows = summary_rows(g, text)[:11]
        parts.append(_table([text("report.metric"), text("report.value")], rows))
        parts.append(_cohorts(g, text, none))
        parts.append("</div>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def write_csv(report: Report, folder: Path) -> list[Path]:
    """daily.csv, engagement.csv, cohorts.csv, top.csv, events.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    scopes: list[tuple[str, Metrics]] = [("*", report.community), *report.groups.items()]
    written = []

    def write(name: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(head)
            out.writerows(rows)
        written.append(path)

    write(
        "daily.csv",
        ["group", "day", *COUNTERS],
        [
            [r.group_key, r.day.isoformat(), *(getattr(r, n) for n in COUNTERS)]
            for r in sorted(report.inputs.stats, key=lambda r: (r.day, r.group_key))
        ],
    )
    write(
        "engagement.csv",
        ["scope", "day", "dau", "wau", "mau"],
        [[s, e.day.isoformat(), e.dau, e.wau, e.mau] for s, m in scopes for e in m.engagement],
    )
    weeks = len(report.community.cohorts[0].retained) if report.community.cohorts else 0
    write(
        "cohorts.csv",
        ["scope", "week", "size", *(f"week_{k}" for k in range(1, weeks + 1))],
        [
            [s, c.week.isoformat(), c.size, *("" if n is None else n for n in c.retained)]
            for s, m in scopes
            for c in m.cohorts
        ],
    )
    write(
        "top.csv",
        ["scope", "member", "name", "active_days", "points"],
        [[s, c.member_key, c.name, c.active_days, c.points] for s, m in scopes for c in m.top],
    )
    write(
        "events.csv",
        ["id", "title", "day", "rsvps", "attended", "attended_rsvped"],
        [
            [e.id, e.title, e.day.isoformat(), e.rsvps, e.attended, e.attended_rsvped]
            for e in report.inputs.events
        ],
    )
    return written
