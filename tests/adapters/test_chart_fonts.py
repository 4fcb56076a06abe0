"""Without a Chinese font the charts' Chinese labels are empty boxes: the
owner is told, with what to install, when the bot starts and in a Chinese
report. (This machine may have a CJK font or not: the tests choose.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters import charts
from adapters.cli import main
from tests.conftest import EXAMPLE

WARNING = (
    "groupkeeper: 图表：找不到中文字体，中文标签会显示为空白方框。安装一个后重启："
    "sudo apt-get install fonts-noto-cjk（Debian/Ubuntu），"
    "brew install --cask font-noto-sans-cjk-sc（macOS）。"
)


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "FONTS", ["No Such CJK Font", "DejaVu Sans"])


@pytest.fixture
def cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    # DejaVu ships with matplotlib: standing in for an installed CJK font.
    monkeypatch.setattr(charts, "FONTS", ["DejaVu Sans", "DejaVu Sans"])


def _report(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = tmp_path / "r.html"
    assert main(["report", "--config", str(EXAMPLE), "--db", db, "--out", str(out)]) == 0
    return capsys.readouterr().err.splitlines()


@pytest.mark.usefixtures("no_cjk_font")
def test_a_chinese_report_without_the_font_says_what_to_install(
    tmp_path: Path, community_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(tmp_path, community_db, capsys) == [WARNING]


@pytest.mark.usefixtures("cjk_font")
def test_with_the_font_nothing_is_said(
    tmp_path: Path, community_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(tmp_path, community_db, capsys) == []


@pytest.mark.usefixtures("no_cjk_font")
def test_starting_the_bot_without_the_font_says_so(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "empty.txt"
    script.write_text("")
    assert main(["console", "--config", str(EXAMPLE), "--db", db_url, "--script", str(script)]) == 0
    assert WARNING in capsys.readouterr().err.splitlines()
