"""`groupkeeper points import` and `points export --csv`: balances in from
another bot (once, however often it runs) and out as CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli import main
from tests.conftest import EXAMPLE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_then_export_and_importing_again_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    csv_file = tmp_path / "old-bot.csv"
    csv_file.write_text("member,points\ntelegram:1001,120\ndiscord:77,35\ntelegram:5,0\n")
    common = ("--config", str(EXAMPLE), "--db", db)
    code, out, _ = run(capsys, "points", "import", str(csv_file), *common)
    assert code == 0 and out.strip() == "imported 2 balances"
    code, out, _ = run(capsys, "points", "import", str(csv_file), *common)
    assert code == 0 and "0 balances, 2 already imported" in out
    code, out, _ = run(capsys, "points", "export", "--csv", *common)
    assert code == 0
    assert out.splitlines() == ["member,name,points", "telegram:1001,,120", "discord:77,,35"]


def test_a_bad_file_imports_nothing_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("telegram:1,10\nbob,5\ntelegram:2,lots\ntelegram:1,3\n")
    common = ("--config", str(EXAMPLE), "--db", db)
    code, _, err = run(capsys, "points", "import", str(csv_file), *common)
    assert code == 1
    assert "line 2: 'bob' is not a member" in err
    assert "line 3: 'lots' is not a whole number" in err
    assert "line 4: telegram:1 appears twice" in err
    code, out, err = run(capsys, "points", "export", "--csv", *common)
    assert (code, out) == (1, "") and "holds no community" in err
