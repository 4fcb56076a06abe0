"""The log's case line reads as a sentence in both languages: spaces between
a name and Chinese words, and no `in -` for a case started in a private chat."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from bot.config import Config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore

SCRIPT = ["!mod mia", "bob: hi", "[dm] mia: /warn @bob spam", "mia > 1: /warn rude"]


async def test_case_lines_in_chinese(console: ConsoleSession) -> None:
    logged = [line for line in await console.run(SCRIPT) if line.startswith("[log]")]
    assert logged == [
        "[log] bot: 案件 #1：@mia 对 @bob 警告 · spam",
        "[log] bot: 案件 #2：@mia 在 g1 对 @bob 警告 · rude",
    ]


async def test_case_lines_in_english(en_config: Config, store: SqlStore, clock: FakeClock) -> None:
    session = ConsoleSession(en_config, store, clock)
    await session.start()
    try:
        out = await session.run(SCRIPT)
    finally:
        await session.close()
    assert [line for line in out if line.startswith("[log]")] == [
        "[log] bot: Case #1: warned @bob by @mia · spam",
        "[log] bot: Case #2: warned @bob in g1 by @mia · rude",
    ]


def test_a_confirmed_flag_sets_the_name_apart() -> None:
    from bot.core.i18n import t

    done = t("zh", "flags.confirmed", id=1, name="@spammer", action=t("zh", "flags.did.ban"))
    assert "@spammer 已被封禁" in done
