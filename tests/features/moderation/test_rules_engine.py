"""The rule engine inside the bot, driven through the console: flag and dry
run, names on join, /why, per-group overrides, probation, night and slow
mode, hot reload from the file, and `groupkeeper rules test`."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.console.session import ConsoleSession
from bot.config import Config, parse_config
from bot.core import config_watch
from bot.core.actions import Action, DeleteMessage, SendMessage
from bot.core.clock import FakeClock
from bot.core.config_watch import ConfigWatcher
from bot.core.events import ChatRef, MessagePosted, UserRef
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE

# The spam classifier (the risk feature) is another judge of messages; these tests
# are about the rules, so it stays off where the config has it.
SPAM_OFF = "risk: {spam: {enabled: false}}\n" if "risk" in Config.model_fields else ""
BASE = (
    """\
community: {name: Rules Test, slug: rules-test, language: en, timezone: Asia/Shanghai,
            log_chat: "console:log"}
escalation: {ttl: 30d, ladder: [{at: 3, do: {mute: 1h}}]}
"""
    + SPAM_OFF
    + "rules:\n"
)

Session = Callable[[str], Awaitable[ConsoleSession]]


@pytest.fixture
async def session(store: SqlStore, clock: FakeClock) -> AsyncIterator[Session]:
    opened: list[ConsoleSession] = []

    async def open_session(rules: str) -> ConsoleSession:
        s = ConsoleSession(parse_config(BASE + rules), store, clock)
        await s.start()
        opened.append(s)
        return s

    yield open_session
    for s in opened:
        await s.close()


def acted(out: list[str]) -> bool:
    """Whether the bot removed, muted, kicked or banned anyone."""
    return any(
        f" bot {verb} " in line for line in out for verb in ("deletes", "mutes", "kicks", "bans")
    )


async def test_no_rules_never_act(session: Session) -> None:
    s = await session("  []\n")
    nasty = [
        "加 微 信",
        "BUY NOW!!! http://x.io",
        "@a @b @c @d @e @f",
        "😀" * 50,
        "\u202e\x00",
        "x" * 5000,
    ]
    for text in nasty:
        assert not acted(await s.feed(f"bob: {text}"))


async def test_flag_leaves_the_message_and_asks_the_moderators(
    session: Session, store: SqlStore
) -> None:
    s = await session("  - {id: shouting, type: caps, action: flag}\n")
    out = await s.feed("bob: WHY IS NOBODY ANSWERING MY QUESTION")
    assert not acted(out)
    assert out[-1] == (
        "[log] bot: 🚩 Case #1: rule shouting flagged a message from @bob in g1 for review "
        "(100% capital letters): “WHY IS NOBODY ANSWERING MY QUESTION”"
    )
    await s.close()
    case = await store.case("rules-test", 1)
    assert case is not None and case.action == "flag" and case.rule == "shouting"


async def test_dry_run_reports_and_does_nothing(session: Session) -> None:
    s = await session(
        "  - {id: links, type: links, dry_run: true, action: {ban: 1d}}\n"
        "  - {id: ads, type: blocklist, words: [加微信], action: delete}\n"
    )
    out = await s.feed("bob: look https://deals.example.com")
    assert not acted(out)
    assert out[-1] == (
        "[log] bot: Dry run: rule links would ban @bob in g1 (link to deals.example.com)"
    )
    # Beside a rule that acts, the dry run is reported too.
    out = await s.feed("bob: 加微信 https://deals.example.com")
    assert "[g1] bot deletes #2 (rule: ads)" in out
    assert any(line.startswith("[log] bot: Dry run: rule links") for line in out)


async def test_a_name_breaking_a_rule_is_kicked_on_join(session: Session, store: SqlStore) -> None:
    s = await session("  - {id: names, type: names, words: [加微信, crypto]}\n")
    out = await s.feed("+加微信领福利")
    assert out[:2] == ["[g1] 加微信领福利 joins", "[g1] bot kicks 加微信领福利 (rule: names)"]
    assert out[-1].endswith(
        "was removed from the group: Names with banned words or links are not allowed."
    )
    assert not any("Welcome" in line for line in out)
    out = await s.feed("+alice")
    assert out[-1].startswith("[g1] #") and "Welcome" in out[-1]


async def test_a_name_rule_in_dry_run_still_welcomes(session: Session) -> None:
    s = await session("  - {id: names, type: names, words: [crypto], dry_run: true}\n")
    out = await s.feed("+cryptoking")
    assert not acted(out)
    assert any(
        line.startswith("[log] bot: Dry run: rule names would kick @cryptoking") for line in out
    )
    assert "Welcome" in out[-1]


async def test_why_by_reply_to_the_message_or_the_notice_or_by_case_number(
    session: Session, clock: FakeClock
) -> None:
    s = await session(
        "  - {id: ads, type: blocklist, words: [加微信], warn: true}\n"
        "  - {id: links, type: links}\n"
    )
    await s.feed("!mod mia")
    out = await s.feed("bob: 加 微 信 https://x.example.com")
    notice = next(line for line in out if "your message was removed" in line)
    notice_id = int(notice.split("#")[1].split()[0])
    expected = [
        "🔎 Case #1",
        "Rule: ads (blocklist)",
        "Action: deleted a message from @bob",
        "Why: matched “加微信”",
        "Message: “加 微 信 https://x.example.com”",
        "Also fired: links (link to x.example.com)",
    ]
    for line in ("mia > 1: /why", f"mia > {notice_id}: /why", "mia: /why 1", "mia: /why #1"):
        out = await s.feed(line)
        assert out[-1].split("] ", 1)[1].split(": ", 1)[1].split("\n    ") == expected, line
    out = await s.feed("mia: /why")
    assert "Reply /why to the member's message" in out[-1]
    out = await s.feed("mia: /why 99")
    assert out[-1].endswith("There is no case #99.")
    out = await s.feed("bob > 1: /why")
    assert out[-1].endswith("Only moderators can use /why.")


async def test_why_reads_an_older_case_from_the_store(session: Session) -> None:
    s = await session("  - {id: ads, type: blocklist, words: [加微信]}\n")
    await s.feed("!mod mia")
    await s.feed("bob: 加微信")
    await s.feed("!restart")  # memory is gone; the case is in the database
    out = await s.feed("mia: /why 1")
    assert out[-1].split("\n    ") == [
        out[-1].split("\n    ")[0],
        "Action: deleted a message from @bob",
        "Rule: ads",
        "Why: matched “加微信”",
        "Message: “加微信”",
    ]
    assert out[-1].endswith("Message: “加微信”") and "🔎 Case #1" in out[-1]


async def test_why_explains_a_dry_run(session: Session) -> None:
    s = await session("  - {id: caps, type: caps, dry_run: true}\n")
    await s.feed("!mod mia")
    await s.feed("bob: PLEASE READ THIS RIGHT NOW")
    out = await s.feed("mia > 1: /why")
    lines = out[-1].split("\n    ")
    assert lines[0].endswith("🔎 Dry run: no case was opened.")
    assert lines[2] == "It would: delete a message from @bob"


async def test_why_on_a_warning_alone_names_its_case(session: Session) -> None:
    s = await session("  - {id: caps, type: caps, action: warn}\n")
    await s.feed("!mod mia")
    out = await s.feed("bob: PLEASE READ THIS RIGHT NOW")
    assert not acted(out)
    out = await s.feed("mia > 1: /why")
    assert out[-1].split("\n    ")[:3] == [
        out[-1].split("\n    ")[0].split(": ", 1)[0] + ": 🔎 Case #1",
        "Rule: caps (caps)",
        "Action: warned @bob",
    ]


async def test_overrides_per_group(session: Session) -> None:
    s = await session(
        "  - {id: links, type: links, overrides: [{groups: [g2], enabled: false},"
        " {groups: [g3], action: flag}]}\n"
    )
    assert acted(await s.feed("[g1] bob: https://example.com"))
    assert not acted(await s.feed("[g2] bob: https://example.com"))
    out = await s.feed("[g3] bob: https://example.com")
    assert not acted(out) and "🚩" in out[-1]


async def test_probation_for_the_first_messages(session: Session, clock: FakeClock) -> None:
    s = await session("  - {id: newcomers, type: probation, messages: 2, deny: [links]}\n")
    await s.feed("+carol")
    out = await s.feed("carol: my site https://example.com")
    assert "[g1] bot deletes #2 (rule: newcomers)" in out
    await s.feed("carol: hello everyone")
    out = await s.feed("carol: my site https://example.com")
    assert not acted(out)


async def test_night_mode_in_local_time(session: Session) -> None:
    s = await session("  - {id: night, type: night_mode, from: '23:00', to: '07:00'}\n")
    assert not acted(await s.feed("bob: good evening"))
    await s.feed("!clock 2026-01-05 23:30")
    out = await s.feed("bob: anyone awake?")
    assert any("deletes" in line and "(rule: night)" in line for line in out)
    assert "Quiet hours 23:00-07:00" in out[-1]
    await s.feed("!clock 2026-01-06 07:01")
    assert not acted(await s.feed("bob: good morning"))


async def test_slow_mode(session: Session, clock: FakeClock) -> None:
    s = await session("  - {id: slow, type: slow_mode, every: 1m}\n")
    assert not acted(await s.feed("bob: first"))
    assert acted(await s.feed("bob: second"))
    clock.advance(timedelta(seconds=61))
    assert not acted(await s.feed("bob: third"))


async def test_forwards_and_media_from_the_platform(session: Session, clock: FakeClock) -> None:
    s = await session(
        "  - {id: forwards, type: forwards, from: [channel]}\n"
        "  - {id: stickers, type: media, deny: [sticker]}\n"
    )
    engine = s.engine
    chat, bob = ChatRef("console", "g1"), UserRef("console", "bob", "bob", "bob")
    now = clock.now()

    async def deletes(mid: int, **kw: object) -> bool:
        actions = await engine.handle(MessagePosted(chat, bob, mid, "look", now, **kw))  # type: ignore[arg-type]
        return any(isinstance(a, DeleteMessage) for a in actions)

    assert await deletes(1, forwarded=True, forward_origin="channel")
    assert not await deletes(2, forwarded=True, forward_origin="user")
    assert await deletes(3, media="sticker")
    assert not await deletes(4, media="photo")


async def test_escalation_counts_warnings_from_every_rule(session: Session) -> None:
    s = await session(
        "  - {id: ads, type: blocklist, words: [加微信], warn: true}\n"
        "  - {id: caps, type: caps, action: warn}\n"
    )
    await s.feed("bob: 加微信")
    await s.feed("bob: STOP IGNORING ME EVERYONE")
    out = await s.feed("bob: 加 微 信")
    assert "[g1] bot mutes bob for 1h" in out
    assert any("reached 3 warnings" in line for line in out)


async def test_console_tries_a_rule_live(session: Session) -> None:
    s = await session("  []\n")
    out = await s.feed("!rule {id: shout, type: caps}")
    assert out == ["[console] rule shout added"]
    assert acted(await s.feed("bob: THIS IS VERY LOUD INDEED"))
    assert await s.feed("!rule {id: shout, type: caps, action: flag}") == [
        "[console] rule shout replaced"
    ]
    assert not acted(await s.feed("bob: THIS IS VERY LOUD INDEED"))
    out = await s.feed("!rule {id: x, type: caps, max_ratio: lots}")
    assert out == [
        "! !rule: max_ratio: Input should be a valid number, unable to parse string as a number"
    ]
    out = await s.feed("!rule {id: x, type: nope}")
    assert out[0].startswith("! !rule: type: unknown rule type (use blocklist, links, flood")


async def test_the_outbox_leaves_with_the_next_event_of_its_platform(session: Session) -> None:
    s = await session("  []\n")
    note = SendMessage(ChatRef("console", "log"), "config reloaded", kind="log")
    elsewhere = SendMessage(ChatRef("telegram", "-100"), "for telegram", kind="log")
    s.engine.post([note, elsewhere])
    out = await s.feed("bob: hello")
    assert "[log] bot: config reloaded" in out
    assert not any("for telegram" in line for line in out)
    assert s.engine.outbox == [elsewhere]


# Hot reload --------------------------------------------------------------


@pytest.fixture
async def watched(
    store: SqlStore, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[tuple[ConsoleSession, Path, list[Action]]]:
    path = tmp_path / "community.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    s = ConsoleSession(
        parse_config(path.read_text(encoding="utf-8")), store, clock, config_path=path
    )
    await s.start()
    yield s, path, []
    await s.close()


def edit(path: Path, text: str) -> None:
    """Write and make sure the modification time moves, however coarse the
    file system's clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


async def test_the_watcher_reloads_a_changed_file(
    watched: tuple[ConsoleSession, Path, list[Action]], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, path, delivered = watched

    async def deliver(actions: list[Action]) -> None:
        delivered.extend(actions)

    watcher = ConfigWatcher(s.engine, deliver, settle=0)
    assert await watcher.poll() == []  # nothing changed yet
    threads: list[int] = []
    compile_for_real = config_watch.load_compiled

    def spy(*args: object) -> config_watch.Compiled:
        threads.append(threading.get_ident())
        return compile_for_real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(config_watch, "load_compiled", spy)
    edit(path, EXAMPLE.read_text(encoding="utf-8").replace("加微信, ", ""))
    actions = await watcher.poll()
    assert [a.text for a in actions if isinstance(a, SendMessage)] == [
        "🔄 community.yaml 已修改：重新加载完成，3 条规则生效。"
    ]
    assert delivered == actions
    # Compiled on a worker thread, not on the event loop's.
    assert threads and threading.get_ident() not in threads
    assert not any("(rule: no-ads)" in line for line in await s.feed("bob: 加微信"))
    out = await s.feed("ann: 代开发票")
    assert any(line.endswith("(rule: no-ads)") and " deletes " in line for line in out)


async def test_a_broken_file_keeps_the_running_rules(
    watched: tuple[ConsoleSession, Path, list[Action]],
) -> None:
    s, path, delivered = watched

    async def deliver(actions: list[Action]) -> None:
        delivered.extend(actions)

    watcher = ConfigWatcher(s.engine, deliver, settle=0)
    good = EXAMPLE.read_text(encoding="utf-8")
    edit(path, good.replace("per: 10s", "per: 10q").replace("max: 5 ", "max: many "))
    actions = await watcher.poll()
    text = next(a.text for a in actions if isinstance(a, SendMessage))
    assert text.startswith("❌ community.yaml 已修改，但有 2 处错误；继续使用上一份正确的配置：")
    assert "rules.3.max: Input should be a valid integer" in text
    assert "rules.3.per: '10q' is not a duration" in text
    assert actions[0].chat == ChatRef.parse("telegram:-1009001")
    # The old rules still run.
    assert "[g1] bot deletes #1 (rule: no-ads)" in await s.feed("bob: 加微信")
    # Polling again without a new edit says nothing more.
    assert await watcher.poll() == []


async def test_the_watcher_runs_as_a_task_and_stops(
    watched: tuple[ConsoleSession, Path, list[Action]],
) -> None:
    s, path, delivered = watched
    done = asyncio.Event()

    async def deliver(actions: list[Action]) -> None:
        delivered.extend(actions)
        done.set()

    watcher = ConfigWatcher(s.engine, deliver, interval=0.01, settle=0)
    watcher.start()
    edit(path, EXAMPLE.read_text(encoding="utf-8").replace("加微信, ", ""))
    await asyncio.wait_for(done.wait(), 10)
    await watcher.stop()
    assert "重新加载完成" in next(a.text for a in delivered if isinstance(a, SendMessage))


# groupkeeper rules test --------------------------------------------------


def write_tsv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "rules.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rules_test_passes_when_every_line_fires_what_it_expects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv = write_tsv(
        tmp_path,
        [
            "# owners' samples",
            "no-ads\t加 微 信 领资料",
            "no-ads\tw.e.c.h.a.t me",
            "-\t大家好，今天讨论储能",
            "",
            "-\thttps://github.com/green/grid",
        ],
    )
    assert main(["rules", "test", str(tsv), "--config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ok   line 2: no-ads (matched '加微信')  | 加 微 信 领资料"
    assert out[-1] == "4 passed, 0 failed"


def test_rules_test_fails_on_a_mismatch_and_speaks_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv = write_tsv(
        tmp_path, ["-\t加微信", "links\thttps://example.com", "nope\thi", "no tab here"]
    )
    assert main(["rules", "test", str(tsv), "--config", str(EXAMPLE)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "FAIL line 1: expected -, got no-ads (matched '加微信')  | 加微信"
    assert out[1].startswith("FAIL line 2: expected links, got -")  # not a newcomer
    assert out[2] == "FAIL line 3: no rule has the id 'nope'"
    assert out[3] == "FAIL line 4: expected `rule_id<TAB>message text`"
    assert main(["rules", "test", str(tsv), "--config", str(EXAMPLE), "--newcomer", "--json"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[1] == {
        "line": 2, "expected": "links", "fired": ["links"], "ok": True,
        "text": "https://example.com", "details": "link to example.com",
    }  # fmt: skip
