"""Console scripts under tests/scenarios/ are acceptance tests: each `.txt`
runs through the real engine and storage and must print exactly its `.out`.

Set GK_UPDATE_SCENARIOS=1 to rewrite the `.out` files after a deliberate change
(then read the diff before committing it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adapters.app import script_clock
from adapters.console.session import ConsoleSession
from bot.config import Config, load_config, parse_config
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE

SCENARIOS = Path(__file__).parent


def scenario_config_path(script: str) -> Path | None:
    """`# config: name.yaml` on the first line: the scenario's own config, beside it."""
    first = script.splitlines()[0] if script else ""
    if first.startswith("# config:"):
        return SCENARIOS / first.split(":", 1)[1].strip()
    return None


def scenario_config(script: str) -> Config:
    path = scenario_config_path(script)
    if path is not None:
        return load_config(path)
    text = EXAMPLE.read_text(encoding="utf-8")
    first = script.splitlines()[0] if script else ""
    if first.startswith("# language:"):
        text = text.replace("language: zh-CN", "language: " + first.split(":", 1)[1].strip())
    return parse_config(text)


async def play(script: str, *, json_output: bool = False) -> list[str]:
    config = scenario_config(script)
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    session = ConsoleSession(
        config,
        store,
        script_clock(config),
        json_output=json_output,
        config_path=scenario_config_path(script),
    )
    await session.start()
    try:
        return await session.run(script.splitlines())
    finally:
        await session.close()
        await store.close()


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.txt")))
async def test_scenario(name: str) -> None:
    script = (SCENARIOS / f"{name}.txt").read_text(encoding="utf-8")
    expected_file = SCENARIOS / f"{name}.out"
    output = "\n".join(await play(script)) + "\n"
    if os.environ.get("GK_UPDATE_SCENARIOS"):
        expected_file.write_text(output, encoding="utf-8")
    assert output == expected_file.read_text(encoding="utf-8")


async def test_json_output_has_kinds_and_fields() -> None:
    script = (SCENARIOS / "first_day_zh.txt").read_text(encoding="utf-8")
    records = [json.loads(line) for line in await play(script, json_output=True)]
    kinds = {r["kind"] for r in records}
    assert {"post", "reply", "delete", "mute", "log", "join", "message"} <= kinds
    mute = next(r for r in records if r["kind"] == "mute")
    assert mute["target"] == "dan" and mute["rule"] == "flood" and mute["group"] == "g1"
    assert mute["until"].endswith("+00:00") and mute["duration"] == "10m"
    delete = next(r for r in records if r["kind"] == "delete")
    assert delete["rule"] == "no-ads" and isinstance(delete["message_id"], int)
