"""The balance's decisions (adapters/ops/balance.py), table-driven: each
live process ends with its share, a hand-over only across a difference of
two, and never below the giver's share."""

from __future__ import annotations

import math

import pytest

from adapters.ops.balance import Balance, Pace, fleet_key, share, surplus
from storage.fleet_store import Beat


@pytest.mark.parametrize(
    ("mine", "others", "communities", "gives"),
    [
        (4, [0], 4, True),  # a process joins: hand over
        (3, [1], 4, True),
        (2, [2], 4, False),  # shared
        (3, [2], 5, False),  # 3/2: a difference of one stays
        (2, [2, 0], 4, False),  # at its share (ceil(4/3) = 2): keep
        (3, [1, 0], 4, True),
        (4, [], 4, False),  # alone
        (1, [0], 1, False),  # one community: whoever owns it keeps it
        (6, [0, 0], 6, True),
        (3, [2, 1], 6, True),
        (2, [2, 2], 6, False),
    ],
)
def test_when_a_process_hands_one_over(
    mine: int, others: list[int], communities: int, gives: bool
) -> None:
    assert surplus(mine, others, communities) is gives


def test_repeated_hand_overs_settle_on_the_share() -> None:
    for communities in range(1, 12):
        for processes in range(1, 5):
            owned = [communities] + [0] * (processes - 1)
            for _ in range(communities):
                giver = next(
                    (i for i, n in enumerate(owned)
                     if surplus(n, owned[:i] + owned[i + 1:], communities)),
                    None,
                )  # fmt: skip
                if giver is None:
                    break
                owned[giver] -= 1
                owned[owned.index(min(owned))] += 1
            assert max(owned) <= share(communities, processes), (communities, owned)
            assert max(owned) - min(owned) <= 1 or max(owned) == share(communities, processes)


def _balance(owned: list[str], live: list[tuple[str, int]] | None) -> Balance:
    b = Balance(("a", "b", "c", "d"), Pace.within(5, 0.5), lambda: owned, lambda _: None)
    if live is not None:
        b.live = [
            Beat(pid, "f", "h", 1, tuple("x" * n), None, None)  # type: ignore[arg-type]
            for pid, n in live
        ]
    return b


def test_who_may_take_a_free_community() -> None:
    # The table unread: as before balancing, whatever is free.
    assert _balance(["a", "b"], None).may_take("c", 0.0)
    # Below its share: at once; at it: only once free for the grace.
    below = _balance(["a"], [("me", 1), ("other", 3)])
    assert below.may_take("c", 0.0)
    full = _balance(["a", "b"], [("me", 2), ("other", 2)])
    assert not full.may_take("c", 0.0) and full.may_take("c", full.pace.grace)
    # Just handed over: not taken back unless nobody else took it for long.
    full.gave("b")
    assert not full.may_take("b", full.pace.grace)
    assert full.may_take("b", full.hold)
    # ... unless the others are gone.
    full.live = full.live[:1] if full.live else None
    assert full.may_take("b", 0.0)


def test_the_pace_fits_the_takeover() -> None:
    for takeover in (5.0, 15.0, 600.0):
        poll = max(0.5, takeover / 10)
        pace = Pace.within(takeover, poll)
        # Heartbeats outlive a few missed beats; the grace leaves the
        # entitled taker its asks first; a cool-down outlasts the news.
        assert pace.ttl >= 3 * pace.beat and pace.grace >= 2 * poll
        assert pace.cooldown > pace.ttl or math.isclose(pace.cooldown, pace.ttl)
    assert fleet_key(["b", "a"]) == fleet_key(["a", "b"]) != fleet_key(["a"])


def test_one_community_moves_at_a_time() -> None:
    owned = ["a", "b", "c", "d"]
    b = _balance(owned, [("me", 4), ("other", 0)])
    b.id = "me"
    assert b._decide() == "d"
    b._moving, b._last_give = "d", -math.inf
    # Still draining after the cool-down: nothing else moves.
    assert b._decide() is None
    # Gone: the next may move once the cool-down has passed.
    owned.remove("d")
    b.gave("d")
    assert b._decide() is None
    b._last_give = -math.inf
    assert b._decide() == "c"
