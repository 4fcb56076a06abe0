"""The owners' weekly digest: the community's numbers by DM, once per run."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from bot.config import parse_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, run_script

DIGEST = """
schedule:
  - {id: owners, cron: "0 20 * * sun", builtin: owner_digest}
"""


async def test_owners_get_the_weekly_digest_by_dm(store: SqlStore, clock: FakeClock) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "owners: [telegram:1001]", "owners: [console:olga]"
    )
    config = parse_config(text + DIGEST)
    session = ConsoleSession(config, store, clock)
    await session.start()
    await run_script(session, "+olga\nolga: hello all\n+bob\nbob: 大家好，我是新来的\nbob: 签到")
    out = await session.feed("!clock +7d")
    digest = [line for line in out if line.startswith("[dm olga]")]
    assert len(digest) == 1, out
    assert "群主周报" in digest[0] and "Green Energy Founders" in digest[0]
    assert not any(line.startswith("[dm bob]") for line in out)
    await session.feed("!restart")
    out = await session.feed("!clock +1h")
    assert not any(line.startswith("[dm olga]") for line in out)
    await session.close()
