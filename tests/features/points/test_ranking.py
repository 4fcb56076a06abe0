from __future__ import annotations

import random
import sys
from bisect import bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.points.ranking import RankIndex


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=-50, max_value=5000), max_size=60),
    st.lists(st.tuples(st.integers(0, 59), st.integers(-3000, 3000)), max_size=40),
)
def test_rank_matches_a_full_scan(start: list[int], moves: list[tuple[int, int]]) -> None:
    balances = list(start)
    index = RankIndex(balances)
    for who, delta in moves:
        if not balances:
            break
        i = who % len(balances)
        index.move(balances[i], balances[i] + delta)
        balances[i] += delta
    assert len(index) == len(balances)
    for b in balances:
        assert index.rank(b) == 1 + sum(1 for x in balances if max(x, 0) > max(b, 0))


def test_its_size_follows_the_members_not_their_balances() -> None:
    # A moderator's /points give 999999999 once made one slot per point (8.6 GB).
    huge = 10**18
    index = RankIndex([huge, 5, 0])
    index.move(5, huge * 2)
    index.add(huge)
    assert len(index) == 4
    assert [index.rank(b) for b in (huge * 2, huge, 0, -7)] == [1, 2, 4, 4]
    assert sys.getsizeof(index) + sum(sys.getsizeof(v) for v in vars(index).values()) < 10_000


def test_ranks_hold_across_many_chunks() -> None:
    rng = random.Random(7)
    balances = [rng.randint(-10, 3000) for _ in range(9000)]
    index = RankIndex(balances[:100])
    for b in balances[100:]:
        index.add(b)
    for _ in range(9000):
        i = rng.randrange(len(balances))
        after = balances[i] + rng.randint(-400, 400)
        index.move(balances[i], after)
        balances[i] = after
    ordered = sorted(max(b, 0) for b in balances)
    for b in balances[:500]:
        assert index.rank(b) == 1 + len(ordered) - bisect_right(ordered, max(b, 0))


@given(st.lists(st.integers(min_value=-(10**6), max_value=10**6), max_size=5000))
@settings(max_examples=60, deadline=None)
def test_built_from_balances_as_their_clipped_sort(balances: list[int]) -> None:
    """The index made at start holds the balances sorted with negatives as
    zero, as the per-balance `max(b, 0)` it replaces did."""
    index = RankIndex(balances)
    assert [v for chunk in index._chunks for v in chunk] == sorted(max(b, 0) for b in balances)
    assert index._maxes == [chunk[-1] for chunk in index._chunks]


@pytest.mark.parametrize(("seed", "top"), [(0, 40), (1, 40), (2, 600), (3, 600), (4, 0), (5, 0)])
def test_small_moves_keep_every_chunk_sorted(seed: int, top: int) -> None:
    """Points of a message or a check-in move a balance past few others, and
    among thousands of members many share it: a balance changed in place must
    leave the chunks in order, across their edges too."""
    rng = random.Random(seed)
    # Many members per balance, or (top 0) every balance its own.
    if top:
        balances = [rng.randint(-3, top) for _ in range(9000)]
    else:
        balances = rng.sample(range(18_000), 9000)
    index = RankIndex(balances[:10])
    for b in balances[10:]:
        index.add(b)
    assert len(index._chunks) > 2
    for n in range(6000):
        who, delta = rng.randrange(len(balances)), rng.randint(-4, 4)
        index.move(balances[who], balances[who] + delta)
        balances[who] += delta
        assert index._maxes == [chunk[-1] for chunk in index._chunks]
        if n % 100 == 0:
            assert [v for chunk in index._chunks for v in chunk] == sorted(
                max(b, 0) for b in balances
            )
    assert [v for chunk in index._chunks for v in chunk] == sorted(max(b, 0) for b in balances)
    assert index._maxes == [chunk[-1] for chunk in index._chunks]
    ordered = sorted(max(b, 0) for b in balances)
    for b in set(balances):
        assert index.rank(b) == 1 + len(ordered) - bisect_right(ordered, max(b, 0))
