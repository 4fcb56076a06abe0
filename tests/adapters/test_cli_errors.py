"""What an owner's mistake on the command line gets: one clear line, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli import main
from tests.conftest import EXAMPLE


def test_a_report_to_a_missing_folder_names_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], community_db: str
) -> None:
    out = tmp_path / "missing" / "report.html"
    code = main(["report", "--config", str(EXAMPLE), "--db", community_db, "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("groupkeeper: ") and str(out) in err and "Traceback" not in err


def test_an_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["db", "upgrade", "--config", str(EXAMPLE), "--db",
                 "postgresql+asyncpg://nobody@127.0.0.1:1/none"])  # fmt: skip
    assert code == 1
    # In the example community's language (zh), naming the database.
    err = capsys.readouterr().err
    assert err.startswith("groupkeeper: 无法连接数据库 postgresql://nobody@127.0.0.1:1/none")
    assert "连接被拒绝" in err and err.count("\n") == 1
