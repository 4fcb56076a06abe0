"""`logging.format: json`: one object per line, with the ids of what was
being handled, and no secret. A real `groupkeeper run` at DEBUG against the
fake Bot API (httpx logs every request URL, which holds the token) is read
back line by line."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.ops import context
from adapters.ops.logs import use_format
from adapters.redaction import SecretFilter
from tests.ops.processes import community_file, start, wait
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, GROUP

TOKEN = "123456:TEST-token-made-to-look-like-a-real-one"


@pytest.fixture
def captured(tmp_path: Path) -> Iterator[Path]:
    """A root handler writing to a file, as configure_logging makes one."""
    root = logging.getLogger()
    file = tmp_path / "log.jsonl"
    handler = logging.FileHandler(file, encoding="utf-8")
    secrets = SecretFilter()
    secrets.hide([TOKEN])
    handler.addFilter(secrets)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    use_format("json")
    try:
        yield file
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def lines(file: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]


def test_a_json_line_carries_the_ids_in_force_and_hides_secrets(captured: Path) -> None:
    log = logging.getLogger("groupkeeper.test")
    tokens = [
        context.community.set("green"),
        context.chat.set("telegram:-1001"),
        context.member.set("telegram:42"),
    ]
    try:
        with context.handling_update(7):
            log.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
            log.warning("refused", extra={"case": 12, "chat": "telegram:-2002"})
        context.member.reset(tokens.pop())
        context.chat.reset(tokens.pop())
        log.error("outside any event")
    finally:
        context.community.reset(tokens.pop())

    first, second, third = lines(captured)
    assert first["community"] == "green" and first["update"] == 7
    assert first["chat"] == "telegram:-1001" and first["member"] == "telegram:42"
    assert first["message"] == "calling https://api.telegram.org/bot[secret]/getMe"
    # A record's own ids win over the context's.
    assert second["case"] == 12 and second["chat"] == "telegram:-2002"
    assert third == {k: third[k] for k in ("time", "level", "logger", "message", "community")}
    assert TOKEN not in captured.read_text(encoding="utf-8")


def test_a_traceback_is_one_field_of_one_line(captured: Path) -> None:
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        logging.getLogger("groupkeeper.test").exception("it broke")
    (line,) = lines(captured)
    assert "RuntimeError: failed with [secret]" in str(line["traceback"])


async def test_a_json_debug_run_carries_ids_and_never_the_token(
    api: FakeBotApi, tmp_path: Path
) -> None:
    config = community_file(tmp_path, "community.yaml",
                            extra="logging: {format: json, level: DEBUG}\n")  # fmt: skip
    log = tmp_path / "run.log"
    env = {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    run = await start(["--config", str(config), "--db", f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"],
                      env, log)  # fmt: skip
    try:
        await wait(lambda: api.allowed_updates is not None, 60, "the first poll")
        api.post(GROUP, ANN, "/checkin")
        await wait(lambda: api.sent(GROUP), 30, "the answer")
    finally:
        run.send_signal(signal.SIGINT)
        assert await run.wait() == 0
    text = log.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    # Every line is JSON (the run wrote nothing else), and requests were logged.
    assert len(records) == len(text.splitlines())
    assert any("getUpdates" in str(r["message"]) for r in records)
    assert api.token not in text
    handled = [r for r in records if r["message"] == "handling MessagePosted"]
    assert handled and handled[0]["community"] == "tg-test"
    assert handled[0]["platform"] == "telegram"
    assert handled[0]["chat"] == f"telegram:{GROUP}"
    assert handled[0]["member"] == f"telegram:{ANN}"
    assert isinstance(handled[0]["update"], int)
