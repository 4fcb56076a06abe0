"""`groupkeeper run` on Discord as a real process, against a Discord on the
wire (tests/discord/wire.py) reached through `platforms.discord.api_url`
and `gateway_url`: discord.py connects, logs in, registers the slash
commands, follows the server and answers over HTTP, unmodified.

The crash test simcord cannot run: a member checks in while Discord answers
the reply 429 (retry in a minute); the process is killed with SIGKILL before
it can try again; the next process sends the answer once, and the check-in
is paid once."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from adapters.cli import main
from bot.config import ConfigError, load_config
from tests.discord.wire import COMMUNITY, TOKEN, WireDiscord
from tests.ops.processes import start, wait


def _checkins(db: Path, member: str) -> int:
    connection = sqlite3.connect(db)
    try:
        row = connection.execute(
            "SELECT count(*) FROM points_ledger WHERE member_key = ? AND reason = 'checkin'",
            (f"discord:{member}",),
        ).fetchone()
        return int(row[0])
    finally:
        connection.close()


async def _answered(wire: WireDiscord, fragment: str) -> None:
    """Until the bot has posted something containing `fragment`."""
    await wait(
        lambda: any(fragment in s for s in wire.said()),
        30,
        lambda: f"an answer with {fragment!r} among {wire.said()}",
    )


def _checked_in(said: list[str]) -> list[str]:
    return [s for s in said if "checked in: +10 points" in s]


async def test_a_reply_cut_off_by_kill_9_is_sent_once_by_the_next_process(
    wire: WireDiscord, tmp_path: Path
) -> None:
    db = tmp_path / "gk.db"
    args = wire.args(tmp_path)
    env = {"DISCORD_TOKEN": TOKEN}
    alice = wire.member("alice")["user"]["id"]
    wire.flood("POST", f"/channels/{wire.channel}/messages", 1, retry_after=60)
    first = await start(args, env, tmp_path / "first.log")
    second = None
    try:
        await wait(lambda: wire.identified == 1, 60, "the first process to connect")
        # The slash commands were registered, for the whole application.
        assert wire.made("PUT", f"/applications/{wire.guild['members'][1]['user']['id']}")
        await wire.post("alice", "!checkin")
        await wait(
            lambda: len(wire.made("POST", "/messages")) == 1,
            30,
            lambda: "the answer tried: " + (tmp_path / "first.log").read_text()[-3000:],
        )
        assert _checkins(db, alice) == 1  # stored before the answer was tried
        first.send_signal(signal.SIGKILL)
        await first.wait()

        second = await start(args, env, tmp_path / "second.log")
        await wait(lambda: wire.identified == 2, 60, "the second process to connect")
        await wait(
            lambda: len(_checked_in(wire.said())) == 2,
            30,
            lambda: "the answer sent: " + (tmp_path / "second.log").read_text()[-3000:],
        )
        # The refused try and the one that got through: the same answer.
        first_try, sent = _checked_in(wire.said())
        assert first_try == sent

        await wire.post("alice", "!checkin")
        await _answered(wire, "already checked in")
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.wait()
    assert second is not None and second.returncode == 0
    assert _checkins(db, alice) == 1
    assert len(_checked_in(wire.said())) == 2


async def test_a_rule_removes_over_the_wire_and_warns_in_the_channel(
    wire: WireDiscord, tmp_path: Path
) -> None:
    async with wire.serving(tmp_path):
        spam = await wire.post("alice", "buy followers cheap, dm me")
        await wait(
            lambda: wire.made("DELETE", f"/channels/{wire.channel}/messages/{spam}"),
            30,
            lambda: f"the removal: {wire.calls[-10:]}",
        )
        await _answered(wire, "@alice")
    assert len(wire.made("DELETE", f"/messages/{spam}")) == 1


def test_the_endpoints_must_be_urls(tmp_path: Path) -> None:
    text = COMMUNITY.read_text(encoding="utf-8").replace(
        '    prefix: "!"\n', '    prefix: "!"\n    api_url: discord.example.org\n'
        "    gateway_url: https://gateway.example.org\n",
    )  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    errors = "\n".join(raised.value.errors)
    assert "platforms.discord.api_url: 'discord.example.org' is not an http(s) URL" in errors
    assert "platforms.discord.gateway_url: 'https://gateway.example.org' is not a ws(s)" in errors


def test_one_process_talks_to_one_discord(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "communities"
    folder.mkdir()
    base = COMMUNITY.read_text(encoding="utf-8").replace("${DISCORD_TOKEN:-}", TOKEN)
    for name, slug, url in (("a.yaml", "one", "http://a:1/api/v10"), ("b.yaml", "two", None)):
        text = base.replace("slug: green-energy", f"slug: {slug}")
        if url:
            text = text.replace('    prefix: "!"\n', f'    prefix: "!"\n    api_url: {url}\n')
        (folder / name).write_text(text, encoding="utf-8")
    assert main(["run", "--config-dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "b.yaml: platforms.discord.api_url/gateway_url: differ from a.yaml's" in err


async def test_a_dropped_gateway_is_joined_again_and_nothing_is_answered_twice(
    wire: WireDiscord, tmp_path: Path
) -> None:
    async with wire.serving(tmp_path) as log:
        await wire.post("alice", "!checkin")
        await wait(lambda: len(_checked_in(wire.said())) == 1, 30, "the check-in's answer")
        await wire.drop()
        # discord.py asks to resume; this Discord kept no session: it
        # identifies again, and the server is announced again.
        await wait(lambda: wire.identified == 2, 60, lambda: log.read_text()[-3000:])
        assert wire.resumed == 1
        await wire.post("mia", "!checkin")
        await _answered(wire, "@mia checked in")
    said = wire.said()
    assert len(_checked_in(said)) == 2, said  # alice's answer was not sent again
    assert _checkins(tmp_path / "gk.db", wire.member("mia")["user"]["id"]) == 1


async def test_a_stop_while_discord_holds_an_answer_back_leaves_it_for_the_next_start(
    wire: WireDiscord, tmp_path: Path
) -> None:
    """SIGTERM while Discord says "retry in a minute": the process stops
    within `platforms.shutdown_grace` (exit 0) and the next one sends the
    answer, once."""
    db = tmp_path / "gk.db"
    args = wire.args(tmp_path)
    env = {"DISCORD_TOKEN": TOKEN}
    wire.flood("POST", f"/channels/{wire.channel}/messages", 1, retry_after=60)
    first = await start(args, env, tmp_path / "first.log")
    second = None
    try:
        await wait(lambda: wire.identified == 1, 60, "the first process to connect")
        await wire.post("alice", "!checkin")
        await wait(lambda: len(wire.made("POST", "/messages")) == 1, 30, "the answer tried")
        first.send_signal(signal.SIGTERM)
        assert await first.wait() == 0
        assert len(wire.made("POST", "/messages")) == 1  # not sent while stopping
        second = await start(args, env, tmp_path / "second.log")
        await wait(lambda: len(_checked_in(wire.said())) == 2, 60, "the answer sent")
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.wait()
    assert _checkins(db, wire.member("alice")["user"]["id"]) == 1
    assert len(_checked_in(wire.said())) == 2


def test_endpoints_from_unset_variables_are_discords_own(tmp_path: Path) -> None:
    text = COMMUNITY.read_text(encoding="utf-8").replace(
        '    prefix: "!"\n',
        '    prefix: "!"\n    api_url: ${GK_NO_SUCH_VARIABLE:-}\n'
        "    gateway_url: ${GK_NO_SUCH_VARIABLE:-}\n",
    )
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    discord = load_config(path).platforms.discord
    assert discord.api_url is None and discord.gateway_url is None
