"""`groupkeeper --help`, `check-config` and `replay` start without loading
what they do not use: discord.py, python-telegram-bot, matplotlib, Alembic,
APScheduler, aiohttp (start-up time is most of a short command's cost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT

HEAVY = ("discord", "telegram", "matplotlib", "alembic", "apscheduler", "aiohttp")
# Runs the command line in-process, then says which heavy packages it loaded.
PROBE = """
import contextlib, io, json, sys
from adapters.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in HEAVY if m in sys.modules)}))
"""

UPDATE = {
    "update_id": 1,
    "message": {
        "message_id": 1, "date": 1767600000, "text": "hello",
        "from": {"id": 5, "is_bot": False, "first_name": "Ann"},
        "chat": {"id": -1001, "type": "supergroup", "title": "Founders"},
    },
}  # fmt: skip


def loaded(*argv: str) -> dict[str, object]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    script = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "argv", [("--help",), ("check-config", str(EXAMPLE))], ids=["help", "check-config"]
)
def test_short_commands_load_no_platform_chart_or_migration_library(argv: tuple[str, ...]) -> None:
    assert loaded(*argv) == {"code": 0, "loaded": []}


def test_a_replay_into_a_throwaway_database_loads_none_of_them(tmp_path: Path) -> None:
    updates = tmp_path / "updates.jsonl"
    updates.write_text(json.dumps(UPDATE) + "\n", encoding="utf-8")
    assert loaded("replay", "--config", str(EXAMPLE), str(updates)) == {"code": 0, "loaded": []}
