"""Analytics' store port and the chart renderer it draws with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.core.records import (
    ActivityRecord,
)
from bot.features.analytics.metrics import AnalyticsInputs, Chart


class AnalyticsStore(Protocol):
    """Members' activity days, and the aggregates a report reads. Writes come
    in batches (one transaction each); a row already stored is skipped."""

    async def record_activity(self, rows: Sequence[ActivityRecord]) -> None: ...

    async def activity(self, community: str, since: date, until: date) -> list[ActivityRecord]:
        """Activity rows of the days from `since` to `until`, both included."""
        ...

    async def inputs(self, community: str, tz: str, since: date, until: date) -> AnalyticsInputs:
        """Everything the metrics of the period need (`bot.analytics.compute`);
        `tz` turns stored instants into the community's local days."""
        ...


class ChartRenderer(Protocol):
    async def render(self, chart: Chart) -> bytes:
        """The chart as a PNG of `chart.width` x `chart.height` pixels."""
        ...
