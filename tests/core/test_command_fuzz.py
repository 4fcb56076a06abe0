"""Random commands with random arguments, through a running engine: every
one is answered (a reply or a refusal) and none raises. Members and
moderators, in a group and in private, so both the handlers and the
engine's refusals are driven."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import count
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console.session import ConsoleSession, dm_chat, group_chat, user
from bot.config import load_config
from bot.core.actions import SendDirect, SendFile, SendMessage, SendPhoto
from bot.core.clock import FakeClock
from bot.core.events import CommandIssued
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START

# Words that mean something to some command, numbers at and past every
# bound, and the odd characters fuzzing found (superscripts, other scripts'
# digits, full-width blanks).
_WORDS = ["@bob", "@mia", "@nobody", "console:bob", "give", "take", "new", "all", "list", "add",
          "remove", "pause", "resume", "run", "me", "week", "month", "7d", "30d", "en", "zh",
          "confirm", "dismiss", "2026-01-06", "20:00", "9999-12-31", "max=3"]  # fmt: skip
_NUMBERS = ["0", "1", "-1", "#1", "²", "١٢", "１２", "99999999999999999999", "2147483648",
            "999999999", "-1d", "0m", "10m", "99999999999d", "9999999w", "1h30m", "10mins"]  # fmt: skip
_ARG = st.one_of(
    st.sampled_from(_WORDS + _NUMBERS),
    st.text(st.characters(exclude_categories=["Cs", "Zs", "Cc"]), min_size=1, max_size=8),
)
# Most commands read their first or second word as a number: random words
# rarely land there, so each command also meets each odd number in turn.
_SWEEP = (
    [(n,) for n in _NUMBERS]
    + [("@bob", n) for n in ("²", "-1d", "99999999999d")]
    + [
        ("give", "@bob", "999999999"),
        ("new", "9999-12-31", "20:00", "5", "x"),
        ("new", "2026-01-06", "20:00", "99999999999999999999", "x"),
    ]
)


def test_every_command_with_any_arguments_is_answered(tmp_path: Path) -> None:
    with asyncio.Runner() as runner:
        clock = FakeClock(START)
        store = runner.run(SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"))
        console = ConsoleSession(load_config(EXAMPLE), store, clock)
        runner.run(console.start())
        runner.run(console.run(["!mod mia", "bob: hello", "mia: hi", "bob: /checkin"]))
        engine = console.engine
        names = sorted(engine.commands())
        ids = count(1000)

        def answer(name: str, args: list[str], who: str, private: bool) -> None:
            clock.advance(timedelta(seconds=7))
            chat = dm_chat(who) if private else group_chat("g1")
            text = " ".join([f"/{name}", *args])
            issued = CommandIssued(chat, user(who), next(ids), name, tuple(args), clock.now(),
                                   text=text)  # fmt: skip
            actions = runner.run(engine.handle(issued))
            replies = [
                a for a in actions if isinstance(a, SendMessage | SendDirect | SendPhoto | SendFile)
            ]
            assert replies, (text, actions)

        @settings(
            max_examples=150,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            st.sampled_from(names),
            st.lists(_ARG, max_size=4),
            st.sampled_from(["mia", "bob"]),
            st.booleans(),
        )
        def answered(name: str, args: list[str], who: str, private: bool) -> None:
            answer(name, args, who, private)

        try:
            for name in names:
                for args in _SWEEP:
                    answer(name, list(args), "mia", False)
            answered()
        finally:
            runner.run(console.close())
            runner.run(store.close())
