"""Ctrl-C quits the console at once and quietly, as Ctrl-D does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import EXAMPLE, ROOT


def test_ctrl_c_quits_the_waiting_console(tmp_path: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "console", "--config", str(EXAMPLE),
         "--db", f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(b"alice: hi\n")
    process.stdin.flush()
    assert process.stdout is not None
    # Once alice's line is echoed, the console waits for the next one.
    assert b"alice: hi" in process.stdout.readline()
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=10)
    finally:
        process.kill()
    _, err = process.communicate()
    assert code == 130
    assert b"Traceback" not in err
