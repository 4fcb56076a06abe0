"""`groupkeeper member export KEY` and `member erase KEY [--yes]`: an owner
does for a member what `/mydata` and `/forgetme` do, with the same rules on
what is kept."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.console.session import ConsoleSession
from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.i18n import t
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def a_community(db: str) -> None:
    async def play() -> None:
        store = await SqlStore.open(db)
        session = ConsoleSession(load_config(EXAMPLE), store, FakeClock(START))
        await session.start()
        await session.run(["!mod mia", "+eve", "eve: 大家好，很高兴认识大家", "eve: /checkin",
                           "mia > 2: /warn 广告"])  # fmt: skip
        await session.close()
        await store.close()

    asyncio.run(play())


def test_export_then_erase_as_forgetme_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    a_community(db)
    common = ("--config", str(EXAMPLE), "--db", db)
    out_file = tmp_path / "eve.json"

    code, out, _ = run(capsys, "member", "export", "console:eve", "--out", str(out_file), *common)
    assert code == 0 and out.startswith(f"wrote {out_file}")
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["member"] == "console:eve" and len(doc["points_ledger"]) == 2

    code, out, _ = run(capsys, "member", "erase", "console:eve", *common)
    assert code == 0 and out.startswith("console:eve: nothing erased yet (add --yes to erase).")
    code, out, _ = run(capsys, "member", "export", "console:eve", *common)
    assert len(json.loads(out)["points_ledger"]) == 2

    code, out, _ = run(capsys, "member", "erase", "console:eve", "--yes", *common)
    assert code == 0
    assert "  deleted 2 from points_ledger" in out.splitlines()
    assert "  deleted 1 from warnings" in out.splitlines()
    assert "  made 1 anonymous in mod_cases" in out.splitlines()
    assert t("zh", "mydata.kept_head") in out
    code, out, _ = run(capsys, "member", "export", "console:eve", *common)
    doc = json.loads(out)
    assert doc["points_ledger"] == [] and doc["stored_profile"][0]["name"] == ""
    # The command runs on today's clock: the January warning has expired, so
    # it goes, and its case stays without her name.
    assert doc["warnings"] == [] and doc["cases"] == []


def test_an_unknown_or_malformed_member_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    a_community(db)
    common = ("--config", str(EXAMPLE), "--db", db)
    code, _, err = run(capsys, "member", "export", "console:nobody", *common)
    assert code == 1 and "no member console:nobody" in err
    code, _, err = run(capsys, "member", "erase", "bob", "--yes", *common)
    assert code == 1 and "'bob' is not a member key" in err
