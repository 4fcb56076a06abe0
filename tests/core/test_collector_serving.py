"""The collector as a serving process tunes it: `groupkeeper run` and
`replay` raise its thresholds while they run, and the engine's start then
freezes what it loaded; any other process (the tests, one-shot commands)
keeps CPython's defaults and freezes nothing. Each case runs in its own
interpreter: the settings are process-wide."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.core.collector import SERVING_THRESHOLDS, serving
from tests.adapters.test_lazy_imports import UPDATE
from tests.conftest import EXAMPLE, ROOT

DEFAULTS = (700, 10, 10)

# Runs the command line in-process and reports what the collector was when
# the engine had loaded the community, and what it is after the command.
PROBE = """
import contextlib, gc, io, json, sys
import bot.compose
from adapters.cli import main

seen = []
settled = bot.compose.settled
def watch():
    settled()
    seen.append({"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()})
bot.compose.settled = watch
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "seen": seen, "after": gc.get_threshold(),
                  "frozen_after": gc.get_freeze_count()}))
"""


def command(*argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_replay_serves_while_it_runs_and_leaves_the_defaults_after(tmp_path: Path) -> None:
    updates = tmp_path / "updates.jsonl"
    updates.write_text(json.dumps(UPDATE) + "\n", encoding="utf-8")
    out = command("replay", "--config", str(EXAMPLE), str(updates))
    assert out["code"] == 0
    [seen] = out["seen"]
    assert tuple(seen["threshold"]) == SERVING_THRESHOLDS
    # The engine, its features and the shipped spam model: far more than a few.
    assert seen["frozen"] > 10_000
    assert tuple(out["after"]) == DEFAULTS
    assert out["frozen_after"] == 0


def test_the_console_and_one_shot_commands_keep_the_defaults(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("ann: hello\n", encoding="utf-8")
    out = command("console", "--config", str(EXAMPLE), "--script", str(script))
    assert out["code"] == 0
    [seen] = out["seen"]
    assert tuple(seen["threshold"]) == DEFAULTS
    assert seen["frozen"] == 0


def test_serving_nested_or_left_by_an_error_restores_the_process() -> None:
    with pytest.raises(RuntimeError), serving():
        assert gc.get_threshold() == SERVING_THRESHOLDS
        with serving():
            gc.freeze()
        # The inner one leaves the outer one's settings in force.
        assert gc.get_threshold() == SERVING_THRESHOLDS
        assert gc.get_freeze_count() > 0
        raise RuntimeError("a runner that failed")
    assert gc.get_threshold() == DEFAULTS
    assert gc.get_freeze_count() == 0
