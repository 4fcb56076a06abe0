"""`make run` and `make test` as a fresh clone meets them (dry runs: `make -n`
prints what would run, into a venv that does not exist yet)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _dry(target: str, tmp_path: Path, **env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "GROUPKEEPER_CONFIG"} | env
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'venv'}"],
        env=environ, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()


def test_run_leaves_the_choice_of_config_to_the_command(tmp_path: Path) -> None:
    """The command picks $GROUPKEEPER_CONFIG, then config.yaml, then the
    example (adapters.app.default_config_path): make must not pin one."""
    started = [line for line in _dry("run", tmp_path) if "/groupkeeper " in line]
    assert len(started) == 2
    assert all("--config" not in line for line in started)
    chosen = _dry("run", tmp_path, CONFIG="mine.yaml")
    assert sum("--config mine.yaml" in line for line in chosen) == 2


def test_run_installs_what_running_needs_and_test_the_dev_tools(tmp_path: Path) -> None:
    run = [line for line in _dry("run", tmp_path) if "pip install" in line]
    assert run and not any("dev" in line for line in run)
    test = [line for line in _dry("test", tmp_path) if "pip install" in line]
    assert any("'.[dev]'" in line for line in test)


def test_an_owners_config_and_databases_stay_out_of_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"config.yaml", "*.db"} <= set(ignored)
