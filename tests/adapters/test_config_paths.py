"""A relative path in the config is read from the config file's folder, not
from wherever the command was started; a report or export from a database
that never held the community says so instead of writing zeros."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli import main
from bot.config import load_config
from tests.conftest import EXAMPLE


@pytest.fixture
def community(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example community in tmp/site/, its database `gk.db` beside it,
    the commands run from tmp/elsewhere/."""
    site = tmp_path / "site"
    site.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "sqlite+aiosqlite:///groupkeeper.db", "sqlite+aiosqlite:///gk.db"
    )
    (site / "config.yaml").write_text(text, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("GROUPKEEPER_DB", raising=False)
    return site


def test_a_relative_sqlite_path_is_beside_the_config(community: Path) -> None:
    config = load_config(Path("../site/config.yaml"))
    assert config.database.url == f"sqlite+aiosqlite:///{community.resolve() / 'gk.db'}"
    assert main(["db", "upgrade", "--config", "../site/config.yaml"]) == 0
    assert (community / "gk.db").exists()
    assert not Path("gk.db").exists()


@pytest.mark.parametrize(
    "url",
    ["sqlite+aiosqlite:///:memory:", "sqlite://", "sqlite:////srv/gk.db", "postgresql://h/db"],
)
def test_other_database_urls_are_kept(tmp_path: Path, url: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "sqlite+aiosqlite:///groupkeeper.db", f'"{url}"'
    )
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert load_config(tmp_path / "c.yaml").database.url == url


@pytest.mark.parametrize("command", [["report", "--out", "r.html"], ["points", "export"]])
@pytest.mark.parametrize("exists", [False, True])
def test_a_database_without_the_community_is_refused(
    community: Path, capsys: pytest.CaptureFixture[str], command: list[str], exists: bool
) -> None:
    empty = f"sqlite+aiosqlite:///{community / 'empty.db'}"
    if exists:
        assert main(["db", "upgrade", "--config", "../site/config.yaml", "--db", empty]) == 0
        capsys.readouterr()
    code = main([*command, "--config", "../site/config.yaml", "--db", empty])
    assert code == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines() == [
        f"groupkeeper: {empty} holds no community 'green-energy': is this the right database?"
        " (database.url, --db or GROUPKEEPER_DB; a relative SQLite path is read from the"
        " config file's folder)"
    ]
    assert not Path("r.html").exists()
    assert (community / "empty.db").exists() == exists
