"""The notice: a group the platform never confirms is asked again less and
less often; a notice file beside the config is read; a moderator's text
holds until the config's own text changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import Config, load_config
from bot.config.notice import NoticeConfig
from bot.core.actions import SendMessage
from bot.core.clock import FakeClock
from bot.features.notice.feature import NoticeFeature
from storage.sql_store import SqlStore
from tests.conftest import START

SCENARIO = Path(__file__).parents[2] / "scenarios" / "community_month.yaml"


async def start(store: SqlStore, path: Path) -> ConsoleSession:
    session = ConsoleSession(load_config(path), store, FakeClock(START), config_path=path)
    await session.start()
    await session.run(["+ann"])
    return session


async def test_an_unconfirmed_notice_is_tried_again_ever_less_often(store: SqlStore) -> None:
    session = await start(store, SCENARIO)
    notice = session.engine.feature(NoticeFeature).notice
    # Nothing comes back from the platform: the minutes at which it is tried.
    tried = [m for m in range(0, 80) if notice.due(START + timedelta(minutes=m))]
    assert tried == [0, 10, 30, 70]
    await session.close()


async def test_the_file_is_read_and_a_moderators_text_yields_to_a_new_one(
    store: SqlStore, tmp_path: Path
) -> None:
    (tmp_path / "notice.md").write_text("Read /rules first.\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    text = SCENARIO.read_text(encoding="utf-8")
    text = text.replace('  text: "📌 Welcome to Green. Be kind; links are open from level 3."\n',
                        "  file: notice.md\n")  # fmt: skip
    config.write_text(text, encoding="utf-8")
    session = await start(store, config)
    notice = session.engine.feature(NoticeFeature).notice
    assert notice.text() == "Read /rules first."

    await notice.set_text("Chat text.", "console:mia", START)
    assert notice.text() == "Chat text."
    (tmp_path / "notice.md").write_text("New rules from Monday.\n", encoding="utf-8")
    assert notice.text() == "New rules from Monday."
    [post] = notice.due(START)
    assert isinstance(post, SendMessage) and post.pin and post.text == "New rules from Monday."
    await session.close()


async def test_a_notice_section_added_later_wins_over_a_text_set_from_chat(
    store: SqlStore, example_config: Config
) -> None:
    # The example config has no `notice:`: /notice set works all the same.
    assert example_config.notice is None
    session = ConsoleSession(example_config, store, FakeClock(START))
    await session.start()
    await session.run(["+ann", "!mod mia", "mia: /notice set Chat text."])
    notice = session.engine.feature(NoticeFeature).notice
    assert notice.text() == "Chat text."
    section = NoticeConfig(text="The owner's notice.")
    session.engine.reload(example_config.model_copy(update={"notice": section}))
    assert notice.text() == "The owner's notice."
    [post] = notice.due(START + timedelta(minutes=1))
    assert isinstance(post, SendMessage) and post.text == "The owner's notice."
    await session.close()
