"""Charts as PNG images, drawn with matplotlib's Agg backend (no display).

The core describes a chart (`bot.analytics.Chart`: title, days, labelled
series, size in pixels); this adapter draws it. matplotlib is imported on the
first chart, so the bot starts without paying for it, and each chart is its
own `Figure` (never pyplot's global state), drawn in a worker thread so the
event loop keeps serving messages meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import glob
import io
import logging
import warnings
from typing import Any

from bot.features.analytics.metrics import Chart

DPI = 100
# Chinese labels need a CJK font; matplotlib falls back along this list glyph
# by glyph. Debian: fonts-noto-cjk or fonts-wqy-zenhei.
FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "DejaVu Sans",
]
# Where Debian puts those fonts: added by path, since matplotlib's font cache
# does not notice fonts installed after it was built.
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK*.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-*.tt[cf]",
    "/usr/share/fonts/truetype/droid/DroidSansFallback*.ttf",
)
COLOURS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"]


@functools.cache
def _setup() -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager

    # WenQuanYi has no "normal" weight entry; the fallback it logs is fine.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not known & set(FONTS[:-1]):
        for pattern in FONT_FILES:
            for path in glob.glob(pattern):
                font_manager.fontManager.addfont(path)


def has_cjk_font() -> bool:
    """Whether matplotlib can draw Chinese: it draws empty boxes silently
    otherwise, so the owner is told at start and in a Chinese report."""
    _setup()
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    return bool(known & set(FONTS[:-1]))


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes of exactly `chart.width` x `chart.height` pixels."""
    import matplotlib

    _setup()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    with (
        matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": FONTS}),
        warnings.catch_warnings(),
    ):
        # Without a CJK font installed, Chinese labels draw as boxes: the
        # chart is still worth sending.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        figure = Figure(figsize=(chart.width / DPI, chart.height / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        axes: Any = figure.add_subplot()
        for n, (label, values) in enumerate(chart.series):
            axes.plot(
                chart.days,
                values,
                label=label,
                color=COLOURS[n % len(COLOURS)],
                marker="o" if len(chart.days) <= 31 else None,
                markersize=3,
                linewidth=1.8,
            )
        axes.set_title(chart.title)
        locator = AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left", fontsize="small")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


class MatplotlibCharts:
    """The core's `ChartRenderer` port."""

    async def render(self, chart: Chart) -> bytes:
        return await asyncio.to_thread(render_png, chart)
