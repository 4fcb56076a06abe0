"""`make run` with no token: the console starts in a terminal, prints a
one-time login link, and the link opens the dashboard on the console's
community (once)."""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import EXAMPLE, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int) -> None:
    for _ in range(400):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the dashboard never listened")


def read_until(fd: int, pattern: str, timeout: float = 30) -> str:
    seen = ""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096).decode("utf-8", "replace")
            except OSError:
                break
            if re.search(pattern, seen):
                return seen
    raise AssertionError(f"{pattern!r} never printed; the console said:\n{seen}")


def test_the_console_prints_a_login_link_that_opens_the_dashboard(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("port: 8080", f"port: {port}"), "utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_TOKEN", "DISCORD_TOKEN")}
    env["PYTHONPATH"] = str(ROOT)
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run", "--config", str(config),
         "--db", f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"],
        stdin=child, stdout=child, stderr=child, env=env, cwd=tmp_path,
    )  # fmt: skip
    os.close(child)
    try:
        printed = read_until(main, r"auth/link\?token=\S+")
        link = re.search(r"(http://127\.0\.0\.1:\d+/auth/link\?token=\S+)", printed)
        assert link is not None
        os.write(main, b"alice: hello from the console\n")
        read_until(main, "alice: hello from the console")
        with httpx.Client(follow_redirects=True) as web:
            wait_listening(port)
            opened = web.get(link.group(1))
            assert opened.status_code == 200 and "总览" in opened.text  # zh-CN community
            members = web.get(f"http://127.0.0.1:{port}/members?q=alice")
            assert "/members/console:alice" in members.text
        with httpx.Client() as other:
            assert other.get(link.group(1)).status_code == 403  # used up
        os.write(main, b"\x04")  # Ctrl-D
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
        os.close(main)
