"""Which community a process over its share hands over (`Balance.choose`):
the least busy lately, among equals the last by name; never one being
stopped already, nor one it took within the cool-down."""

from __future__ import annotations

import math
import time

from adapters.ops.balance import Balance, Pace
from adapters.ops.fleet import Fleet, Served
from adapters.ops.ownership import NoLock
from adapters.ops.recent import STEPS, WINDOW, RecentLoad
from storage.fleet_store import Beat

SLUGS = ("a", "b", "c", "d")
T0 = 1_000.0  # a monotonic clock's reading, seconds


class Totals(dict[str, int]):
    """Events handled so far, by slug, as the metrics count them."""

    def __call__(self, slug: str) -> int:
        return self.get(slug, 0)


def _balance(
    owned: list[str], totals: Totals, draining: frozenset[str] = frozenset(), t0: float = T0
) -> Balance:
    b = Balance(
        SLUGS, Pace.within(5, 0.5), lambda: owned, lambda _: None,
        total=totals, draining=lambda slug: slug in draining,
    )  # fmt: skip
    b.id = "me"
    b.live = [
        Beat(pid, "f", "h", 1, tuple("x" * n), None, None)  # type: ignore[arg-type]
        for pid, n in (("me", len(owned)), ("other", 0))
    ]
    for slug in owned:
        b.took(slug, t0)
    return b


def _traffic(
    b: Balance, totals: Totals, per_beat: dict[str, int], beats: int, now: float = T0
) -> float:
    """`beats` heartbeats of half a second with that many events each,
    from `now`; the time after."""
    for _ in range(beats):
        now += 0.5
        for slug, n in per_beat.items():
            totals[slug] = totals.get(slug, 0) + n
        b.recent.sample(b.owned(), now)
    return now


def test_all_idle_the_last_by_name_every_time() -> None:
    totals = Totals()
    b = _balance(list(SLUGS), totals)
    now = _traffic(b, totals, {}, 20)
    assert [b.choose(list(SLUGS), now) for _ in range(3)] == ["d", "d", "d"]
    # The order the fleet lists them in does not matter.
    assert b.choose(["d", "b", "a", "c"], now) == "d"


def test_the_least_busy_goes_and_the_busy_one_stays() -> None:
    totals = Totals()
    b = _balance(list(SLUGS), totals)
    now = _traffic(b, totals, {"d": 5, "a": 1, "b": 2, "c": 1}, 20)
    # a and c had as many: the later by name.
    assert b.choose(list(SLUGS), now) == "c"
    assert b.choose(["a", "b", "d"], now) == "a"
    assert b.choose(["b", "d"], now) == "b"
    assert b.recent.per_minute("d", now) == 5 * 2 * 60


def test_a_busy_one_alone_with_nothing_else_movable_still_goes() -> None:
    totals = Totals()
    b = _balance(["c", "d"], totals, draining=frozenset({"c"}))
    now = _traffic(b, totals, {"d": 5}, 20)
    assert b.choose(["c", "d"], now) == "d"


def test_never_one_being_stopped() -> None:
    totals = Totals()
    b = _balance(list(SLUGS), totals, draining=frozenset({"d", "a"}))
    now = _traffic(b, totals, {"b": 3}, 20)
    assert b.choose(list(SLUGS), now) == "c"
    everything = _balance(list(SLUGS), totals, draining=frozenset(SLUGS))
    assert everything.choose(list(SLUGS), now) is None


def test_never_one_taken_within_the_cool_down() -> None:
    totals = Totals()
    b = _balance(["a", "b", "c"], totals)
    now = _traffic(b, totals, {"a": 4, "b": 4, "c": 9}, 20)
    # d is taken now, idle: the least busy, but too fresh to move.
    b.took("d", now)
    assert b.choose(list(SLUGS), now) == "b"
    assert b.choose(list(SLUGS), now + b.pace.cooldown - 0.01) == "b"
    assert b.choose(list(SLUGS), now + b.pace.cooldown) == "d"
    # Nothing but fresh ones: nothing moves.
    assert b.choose(["d"], now) is None


def test_a_community_held_briefly_is_compared_by_its_rate() -> None:
    totals = Totals({"a": 0, "b": 0})
    owned = ["a"]
    b = _balance(owned, totals)
    now = _traffic(b, totals, {"a": 1}, 120)  # 60 s at 2 events a second
    owned.append("b")
    b.took("b", now)
    # b has fewer events in all, but more a second since it came.
    later = _traffic(b, totals, {"a": 1, "b": 3}, 20, now)
    assert b.choose(["a", "b"], later) == "a"


def test_the_load_forgets_what_left_the_window() -> None:
    totals = Totals({"a": 0})
    recent = RecentLoad(totals, window=60)
    recent.took("a", T0)
    now = T0
    for _ in range(60):  # a busy minute ...
        now += 1
        totals["a"] += 10
        recent.sample(["a"], now)
    assert math.isclose(recent.per_minute("a", now), 600)
    for _ in range(90):  # ... then a quiet minute and a half
        now += 1
        recent.sample(["a"], now)
    assert recent.per_minute("a", now) == 0
    # A beat a second or ten, a window holds about as many samples.
    assert len(recent._samples["a"]) <= STEPS + 2
    # Handed over and taken back: measured afresh, not from its old samples.
    recent.sample([], now)
    assert recent.per_minute("a", now) == 0
    assert WINDOW >= 60


def test_decide_hands_over_an_idle_one_and_reports_the_load() -> None:
    # On the real clock: taken ten seconds ago, busy for the last five.
    start = time.monotonic() - 10
    totals = Totals()
    b = _balance(list(SLUGS), totals, t0=start)
    _traffic(b, totals, {"d": 3}, 10, start + 5)
    assert b._decide() == "c"
    report = b.report()
    assert report["owned"] == list(SLUGS)
    load = report["load"]
    assert isinstance(load, dict) and load["a"] == 0 and load["d"] > 0


async def test_the_fleet_says_which_communities_are_being_stopped() -> None:
    fleet = Fleet()
    for slug in SLUGS:
        fleet.served[slug] = Served(slug, ("telegram",), NoLock(), role="owner")
    fleet.balance = Balance(
        SLUGS, Pace.within(5, 0.5), fleet.owned, fleet.release, draining=fleet.draining
    )
    for slug in SLUGS:
        fleet.balance.took(slug, T0)
    now = T0 + 60
    assert fleet.balance.choose(fleet.owned(), now) == "d"
    # Handed over already (draining), and one whose lock was lost.
    fleet.release("d")
    fleet.served["c"].lock.lost.set()
    assert [s for s in SLUGS if fleet.draining(s)] == ["c", "d"]
    assert fleet.balance.choose(fleet.owned(), now) == "b"
    # The process stopping: every community is on its way out.
    fleet.stopping.set()
    assert fleet.balance.choose(fleet.owned(), now) is None
    assert fleet.draining("no-such-community")
