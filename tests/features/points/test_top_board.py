"""The kept leaderboard answers as sorting every member would, through any
run of gains, losses, newcomers and ties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.points.ranking import TopBoard

MOVES = st.lists(
    st.tuples(st.integers(0, 30), st.integers(-20, 20), st.integers(1, 12)), max_size=200
)


def by_sorting(scores: dict[str, int], n: int) -> list[tuple[str, int]]:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(k, b) for k, b in ranked if b > 0][:n]


@settings(max_examples=300, deadline=None)
@given(moves=MOVES, size=st.integers(1, 6))
def test_the_board_matches_a_full_sort(moves: list[tuple[int, int, int]], size: int) -> None:
    scores: dict[str, int] = {}
    board = TopBoard(scores, size=size)
    for who, delta, n in moves:
        key = f"m{who:02d}"
        before = scores.get(key, 0)
        scores[key] = before + delta
        board.moved(key, before, before + delta)
        assert board.top(n) == by_sorting(scores, n)


def test_a_new_period_starts_an_empty_board() -> None:
    week = {"a": 5}
    board = TopBoard(week)
    assert board.top(3) == [("a", 5)]
    board.rebind({})
    assert board.top(3) == []
