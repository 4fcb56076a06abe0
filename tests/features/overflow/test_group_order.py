"""The planner keeps its open groups in order between joins and remembers
which group is still short of `prepare_at`: under any run of joins, leaves,
entry invites, recounts and spares opening, it readies the next group exactly
when a full scan and sort would."""

from __future__ import annotations

import random

from bot.compose import open_engine
from bot.config import parse_config
from bot.core.actions import SetGroupProfile
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import MemberJoined, MemberLeft, MembersCounted
from bot.core.records import OPEN
from bot.features.overflow.feature import OverflowFeature
from bot.features.overflow.fill import open_groups
from bot.features.overflow.planner import Overflow
from storage.sql_store import SqlStore
from tests.conftest import START
from tests.features.overflow.test_overflow import CONFIG, OWNER, command, enter, group, person


def threshold(e: Engine) -> int:
    cfg = e.kit.config.groups
    return cfg.prepare_at if cfg.prepare_at is not None else cfg.capacity


def reached_by_scan(o: Overflow, e: Engine) -> bool:
    """The planner's question answered the slow way: sort, then look at all."""
    groups = open_groups(e.kit.directory.groups.values(), "telegram", "telegram:-999")
    return bool(groups) and all(o.fill(g) >= min(threshold(e), g.capacity) for g in groups)


async def test_the_kept_order_answers_as_a_full_scan_would() -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    e = await open_engine(
        parse_config(CONFIG.replace("CAP", "4")), store, FakeClock(START), background_flush=False
    )
    try:
        o = e.feature(OverflowFeature).overflow
        await command(e, group(1), OWNER, "/groups")
        for n in range(2, 6):
            await command(e, group(n), OWNER, "/pool add")
        rng = random.Random(3)
        inside: dict[int, int] = {}
        readied = 0
        for step in range(600):
            roll = rng.random()
            now = e.clock.now()
            if roll < 0.45:
                n = 100 + step
                if rng.random() < 0.5:
                    await enter(e, person(n))
                opened = [g.serial for g in o.groups("telegram")]
                chat = group(rng.choice(opened))
                inside[n] = int(chat.chat_id.removeprefix("-100"))
                actions = await e.handle(MemberJoined(chat, person(n), now))
            elif roll < 0.85 and inside:
                n = rng.choice(sorted(inside))
                actions = await e.handle(MemberLeft(group(inside.pop(n)), person(n), now))
            else:
                g = rng.choice(o.groups("telegram"))
                count = max(0, g.member_count + rng.randint(-2, 2))
                actions = await e.handle(MembersCounted(group(g.serial), count, now))
            readied += sum(isinstance(a, SetGroupProfile) for a in actions)
            listed = o.groups("telegram")
            assert listed == open_groups(
                e.kit.directory.groups.values(), "telegram", "telegram:-999"
            )
            assert all(g.state == OPEN for g in listed)
            assert o._order.all_reached("telegram", o.fill) == (reached_by_scan(o, e))
        # The run opened spares along the way, so the order was rebuilt too.
        assert readied >= 2
    finally:
        await e.stop()
        await store.close()
