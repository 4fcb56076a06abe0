"""The spam stop words and the watched keywords are searched in the rules'
own scan (`rules.lexicon`): the running rule set holds them as configured,
a reload of the risk config (by hand or from the file) rebuilds it, and a
broken file keeps the last good one."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.compose import open_engine
from bot.config import Config, parse_config
from bot.config.risk import KeywordMonitor
from bot.core.actions import DeleteMessage, SendMessage
from bot.core.clock import FakeClock
from bot.core.config_watch import reload_from_file
from bot.core.engine import Engine
from bot.core.events import ChatRef, MemberJoined, MessagePosted, UserRef
from bot.features.risk.word_lists import KEYWORDS, STOP_WORDS
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE

LOG = ChatRef("telegram", "-1009001")


def group(n: int) -> ChatRef:
    return ChatRef("telegram", str(-100500 - n), title=f"G{n}")


def user(n: int) -> UserRef:
    return UserRef("telegram", str(n), f"user{n}", f"user{n}")


def alerts(actions: list[object]) -> list[str]:
    return [a.text for a in actions if isinstance(a, SendMessage) and a.chat == LOG]


def with_risk(config: Config, keywords: list[str], stop_words: list[str]) -> Config:
    risk = config.risk
    monitors = risk.monitors.model_copy(update={"keywords": KeywordMonitor(words=keywords)})
    spam = risk.spam.model_copy(update={"stop_words": stop_words})
    return config.model_copy(
        update={"risk": risk.model_copy(update={"monitors": monitors, "spam": spam})}
    )


async def post(engine: Engine, n: int, text: str, clock: FakeClock) -> list[object]:
    return list(await engine.handle(MessagePosted(group(n), user(n), 1, text, clock.now())))


async def test_the_rules_scan_holds_the_lists_and_a_reload_rebuilds_it(
    store: SqlStore, clock: FakeClock
) -> None:
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"))
    engine = await open_engine(config, store, clock, background_flush=False)
    lexicon = engine.kit.rules.lexicon
    assert lexicon.index(KEYWORDS, ["退款", "骗子", "投诉", "refund", "scam"]) is not None
    assert lexicon.index(STOP_WORDS, config.risk.spam.stop_words) is not None
    assert len(alerts(await post(engine, 1, "我要退 款", clock))) == 1
    # A newcomer (joined now) posting a harmless text that is no stop word yet.
    await engine.handle(MemberJoined(group(2), user(2), clock.now()))
    assert not any(isinstance(a, DeleteMessage) for a in await post(engine, 2, "紫色大象", clock))

    engine.reload(with_risk(config, ["退货"], ["紫色大象"]))
    rebuilt = engine.kit.rules.lexicon
    assert rebuilt is not lexicon
    assert rebuilt.index(KEYWORDS, ["退货"]) is not None
    assert rebuilt.index(STOP_WORDS, ["紫色大象"]) is not None
    assert alerts(await post(engine, 3, "我要退款", clock)) == []
    assert len(alerts(await post(engine, 4, "我要退 货", clock))) == 1
    await engine.handle(MemberJoined(group(5), user(5), clock.now()))
    caught = await post(engine, 5, "紫 色 大 象", clock)
    assert any(isinstance(a, DeleteMessage) for a in caught)
    await engine.stop()


async def test_a_broken_file_keeps_the_last_good_lists(
    store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "community.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    engine = await open_engine(
        parse_config(text), store, clock, config_path=path, background_flush=False
    )
    data = yaml.safe_load(text)
    data["risk"]["monitors"]["keywords"] = {"words": ["退货"]}
    data["risk"]["spam"]["enabled"] = False
    path.write_text(yaml.safe_dump(data, allow_unicode=True).replace("per: 10s", "per: 10q"))
    good = engine.kit.rules.lexicon
    config, errors = await reload_from_file(engine)
    assert config is None and errors
    assert engine.kit.rules.lexicon is good
    assert len(alerts(await post(engine, 1, "我要退款", clock))) == 1

    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config, errors = await reload_from_file(engine)
    assert config is not None and errors == ()
    lexicon = engine.kit.rules.lexicon
    assert lexicon.index(KEYWORDS, ["退货"]) is not None
    # The detector is off: its stop words are not scanned for.
    assert lexicon.index(STOP_WORDS, config.risk.spam.stop_words) is None
    assert alerts(await post(engine, 2, "我要退款", clock)) == []
    assert len(alerts(await post(engine, 3, "我要退货", clock))) == 1
    await engine.stop()
