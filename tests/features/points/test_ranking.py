from __future__ import annotations

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
