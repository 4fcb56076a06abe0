"""A token that cannot work: one line per platform, exit 1, no traceback.

The platforms are a local fake that answers every request as Telegram and
Discord answer a wrong token (401), and counts what it was asked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from adapters.cli import main
from tests.conftest import EXAMPLE

# The shape of real tokens, with made-up contents.
TELEGRAM = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
DISCORD = "MTA4NTk1MjQ1NjE2NDUxNjA0Mg.GqV2xa.Zk4nW1qQ3b9oTjR8sV0cX2yU5eL7mN6pA4hKfI"


class _Refuse(BaseHTTPRequestHandler):
    asked: ClassVar[list[str]] = []

    def _refuse(self) -> None:
        self.asked.append(self.path)
        body = b'{"ok": false, "error_code": 401, "description": "Unauthorized", "message": "401"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with a Chinese font: its warning is another test's."""
    from adapters import charts

    monkeypatch.setattr(charts, "has_cjk_font", lambda: True)


@pytest.fixture
def platform() -> Iterator[tuple[str, list[str]]]:
    asked: ClassVar[list[str]] = []
    handler = type("Refuse", (_Refuse,), {"asked": asked})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, base: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "# base_url: https://api.telegram.org/bot", f"base_url: {base}/bot"
    )
    path = tmp_path / "config.yaml"
    path.write_text(text.replace("language: zh-CN", "language: en"), encoding="utf-8")
    return path


def _run(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["run", "--config", str(config), "--db", "sqlite+aiosqlite:///:memory:"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.splitlines()


def test_tokens_that_are_not_token_shaped_are_never_sent(
    tmp_path: Path,
    platform: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, asked = platform
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:FAKE")
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    code, lines = _run(_config(tmp_path, base), capsys)
    assert code == 1
    assert lines == [
        "groupkeeper: Telegram: the token is malformed (it looks like 123456789:AAH...,"
        " from @BotFather): check TELEGRAM_TOKEN (platforms.telegram.token). Not started.",
        "groupkeeper: Discord: the token is malformed (three parts joined by dots, from the"
        " Developer Portal's Bot page): check DISCORD_TOKEN (platforms.discord.token). Not started.",
    ]
    assert asked == []


def test_a_refused_telegram_token_is_one_line(
    tmp_path: Path,
    platform: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    base, asked = platform
    monkeypatch.setenv("TELEGRAM_TOKEN", TELEGRAM)
    code, _ = _run(_config(tmp_path, base), capsys)
    assert code == 1
    refused = (
        "Telegram: the token was refused: check TELEGRAM_TOKEN"
        " (platforms.telegram.token) or ask @BotFather for a new one."
    )
    assert [m for m in caplog.messages if refused in m] != []
    assert asked == [f"/bot{TELEGRAM}/getMe"]


def test_a_refused_discord_token_is_one_line(
    tmp_path: Path,
    platform: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import discord.http

    base, asked = platform
    monkeypatch.setattr(discord.http.Route, "BASE", f"{base}/api/v10")
    monkeypatch.setenv("DISCORD_TOKEN", DISCORD)
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    with caplog.at_level(logging.WARNING):
        code, _ = _run(_config(tmp_path, base), capsys)
    assert [r.getMessage() for r in caplog.records if "voice" in r.getMessage()] == []
    assert code == 1
    refused = (
        "Discord: the token was refused: check DISCORD_TOKEN"
        " (platforms.discord.token) or reset it on the Developer Portal's Bot page."
    )
    assert [m for m in caplog.messages if refused in m] != []
    assert asked == ["/api/v10/users/@me"]
