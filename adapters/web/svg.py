"""Charts drawn on the server as inline SVG: a few hundred bytes each, no
script, nothing fetched, and they scale to a phone's width."""

from __future__ import annotations

import html
from collections.abc import Sequence

from markupsafe import Markup

COLOURS = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c")


def sparkline(values: Sequence[float], colour: str = COLOURS[0], label: str = "") -> Markup:
    width, height = 120, 28
    top = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{n * step:.1f},{height - 2 - v / top * (height - 4):.1f}" for n, v in enumerate(values)
    )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(label)}"><polyline fill="none" stroke="{colour}" '
        f'stroke-width="2" points="{points}"/></svg>'
    )


def lines(title: str, days: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """A line chart with its legend, first and last day, and top value."""
    width, height, pad = 640, 220, 30
    top = max((v for _, vs in series for v in vs), default=0) or 1
    step = (width - 2 * pad) / max(len(days) - 1, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#9ca3af"/>',
        f'<text x="{pad}" y="{height - 8}" font-size="11">{html.escape(days[0] if days else "")}'
        "</text>",
        f'<text x="{width - pad}" y="{height - 8}" font-size="11" text-anchor="end">'
        f"{html.escape(days[-1] if days else '')}</text>",
        f'<text x="4" y="{pad - 8}" font-size="11">{top:g}</text>',
    ]
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        pts = " ".join(
            f"{pad + i * step:.1f},{height - pad - v / top * (height - 2 * pad):.1f}"
            for i, v in enumerate(values)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        parts.append(
            f'<text x="{pad + 110 * n}" y="14" font-size="12" fill="{colour}">'
            f"■ {html.escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
