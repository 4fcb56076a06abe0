"""The private hint keeps only what it needs: who was told in the last 12
hours, on the database, so a restart does not repeat it and a member's key
does not stay there for good."""

from __future__ import annotations

from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import load_config
from bot.core.clock import FakeClock
from bot.features.welcome.feature import WelcomeFeature
from storage.note_store import SqlNoteStore
from storage.sql_store import SqlStore
from tests.conftest import run_script


async def test_the_stored_list_forgets_members_told_over_12_hours_ago(
    console: ConsoleSession, store: SqlStore, clock: FakeClock
) -> None:
    await run_script(console, "[dm] alice: hello\n!clock +13h\n[dm] bob: hi there")
    slug = console.engine.config.community.slug
    [note] = await SqlNoteStore(store.engine).notes(slug, "private_hint")
    assert list(note.data["told"]) == ["console:bob"]
    hint = console.engine.feature(WelcomeFeature).hint
    assert list(hint.told) == ["console:bob"]


async def test_forgetme_takes_the_member_out_of_the_stored_list_at_once(
    console: ConsoleSession, store: SqlStore
) -> None:
    # alice must be a member the community knows: she says hello in a group first.
    await run_script(
        console,
        "alice: hello all\n[dm] alice: hello\n[dm] bob: hi there\n"
        "[dm] alice: /forgetme\n[dm] alice: /forgetme confirm",
    )
    slug = console.engine.config.community.slug
    [note] = await SqlNoteStore(store.engine).notes(slug, "private_hint")
    assert list(note.data["told"]) == ["console:bob"]
    # Nothing of hers is left to stop the hint: her next plain message gets it.
    said = await run_script(console, "[dm] alice: are you there?")
    assert any("/help" in line for line in said), said


SETTINGS = Path(__file__).parents[2] / "scenarios" / "private_hint_settings.yaml"
HOURLY = "private_hint: {every: 1h}"


def hints(said: list[str]) -> int:
    return sum("I answer commands, not chat" in line for line in said)


async def test_a_reload_applies_the_hints_interval_and_switches_it_off(
    tmp_path: Path, store: SqlStore, clock: FakeClock
) -> None:
    """welcome.private_hint is read at each message: an owner's edit and
    /reload change the next hint, with no restart."""
    path = tmp_path / "config.yaml"
    text = SETTINGS.read_text(encoding="utf-8")
    assert HOURLY in text
    path.write_text(text, encoding="utf-8")
    session = ConsoleSession(load_config(path), store, clock, config_path=path)
    await session.start()
    try:
        said = await run_script(session, "[dm] bob: hello?\n!clock +61m\n[dm] bob: again")
        assert hints(said) == 2, said

        path.write_text(text.replace(HOURLY, "private_hint: {every: 1d}"), encoding="utf-8")
        said = await run_script(session, "olga: /reload\n!clock +2h\n[dm] bob: hello?")
        assert any("Config reloaded" in line for line in said), said
        assert hints(said) == 0, said

        path.write_text(text.replace(HOURLY, "private_hint: {enabled: false}"), encoding="utf-8")
        said = await run_script(session, "olga: /reload\n!clock +2d\n[dm] bob: anyone?")
        assert hints(said) == 0, said

        path.write_text(text, encoding="utf-8")
        said = await run_script(session, "olga: /reload\n[dm] bob: back on?")
        assert hints(said) == 1, said
    finally:
        await session.close()
