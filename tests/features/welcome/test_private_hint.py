"""The private hint keeps only what it needs: who was told in the last 12
hours, on the database, so a restart does not repeat it and a member's key
does not stay there for good."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
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
