"""`groupkeeper report`: one self-contained HTML file that a headless browser
renders with its charts, and the same tables as CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.report import assemble, build_report, render_html, write_csv
from bot.config import Config
from bot.features.analytics.metrics import AnalyticsInputs
from storage.sql_store import SqlStore
from tests.features.analytics.test_analytics import play_into
from tests.scenarios.test_scenarios import SCENARIOS, scenario_config

UNTIL = date(2026, 1, 26)


@pytest.fixture
async def weeks(store: SqlStore) -> SqlStore:
    await play_into(store, "analytics_weeks")
    return store


def _config() -> Config:
    return scenario_config((SCENARIOS / "analytics_weeks.txt").read_text(encoding="utf-8"))


async def test_the_report_is_one_file_with_inline_charts(weeks: SqlStore) -> None:
    report = await build_report(_config(), weeks, 22, UNTIL)
    page = render_html(report, "en")
    assert page.count("data:image/png;base64,") == 2
    assert "<svg" in page
    # Nothing to fetch: no external stylesheet, script or image.
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert "Green Energy Founders: community report" in page
    assert "2026-01-05 – 2026-01-26 (22 days" in page
    # The 01-05 cohort: 2 members, then 1, 1 and 2 of them back in weeks 1-3.
    assert "<td>2026-01-05</td><td>2</td><td>1 (50%)</td><td>1 (50%)</td><td>2 (100%)</td>" in page
    assert "<td>Stickiness (DAU / MAU)</td><td>12%</td>" in page


async def test_the_report_speaks_the_community_language(weeks: SqlStore) -> None:
    page = render_html(await build_report(_config(), weeks, 22, UNTIL), "zh")
    assert "社群数据报告" in page and "每周入群批次与留存" in page


async def test_csv_tables(weeks: SqlStore, tmp_path: Path) -> None:
    report = await build_report(_config(), weeks, 22, UNTIL)
    written = write_csv(report, tmp_path / "csv")
    assert sorted(p.name for p in written) == [
        "cohorts.csv", "daily.csv", "engagement.csv", "events.csv", "top.csv",
    ]  # fmt: skip
    cohorts = list(csv.DictReader(io.StringIO((tmp_path / "csv/cohorts.csv").read_text())))
    community = [r for r in cohorts if r["scope"] == "*"]
    assert [(r["week"], r["size"], r["week_1"], r["week_3"]) for r in community] == [
        ("2026-01-05", "2", "1", "2"),
        ("2026-01-12", "1", "1", ""),
    ]
    daily = list(csv.DictReader(io.StringIO((tmp_path / "csv/daily.csv").read_text())))
    assert sum(int(r["messages"]) for r in daily) == 8


def test_the_command_line_writes_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], community_db: str
) -> None:
    db = community_db
    out = tmp_path / "report.html"
    code = main(
        ["report", "--db", db, "--days", "7", "--out", str(out), "--csv", str(tmp_path / "t")]
    )
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "t" / "daily.csv").exists()
    assert main(["report", "--db", db, "--days", "0", "--out", str(out)]) == 2
    assert "--days" in capsys.readouterr().err


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


async def test_the_report_renders_in_a_headless_browser(weeks: SqlStore, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    from matplotlib.image import imread

    page = tmp_path / "report.html"
    page.write_text(render_html(await build_report(_config(), weeks, 22, UNTIL), "en"), "utf-8")
    shot = tmp_path / "shot.png"
    await asyncio.to_thread(
        subprocess.run,
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(str(shot))
    assert pixels.shape[:2] == (1600, 1200)
    # Text, tables and the inline charts: far from a blank white page.
    assert pixels.std() > 0.05
    # The charts' blue lines made it onto the screen.
    blue = (pixels[..., 2] > 0.8) & (pixels[..., 0] < 0.3) & (pixels[..., 1] < 0.6)
    assert blue.sum() > 200


def test_a_log_chat_an_older_version_stored_as_a_group_is_not_reported(
    example_config: Config,
) -> None:
    log = example_config.community.log_chat
    assert log is not None
    inputs = AnalyticsInputs(
        date(2026, 1, 5), date(2026, 1, 11), group_titles={log: "Mods", "console:g1": "g1"}
    )
    assert list(assemble(example_config, inputs).groups) == ["console:g1"]
