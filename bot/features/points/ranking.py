"""Ranks by balance: the balances kept sorted, in chunks.

Check-in replies show the member's rank, so ranking sits on a hot path; a
scan over 50,000 balances per check-in would cost milliseconds. A table
indexed by balance would be faster still but grows with the largest balance
(one typo of a moderator's, `/points give 999999999`, once cost 8.6 GB); this
grows with the number of members only. Chunks keep an insertion from moving
every balance after it: each holds at most `_SPLIT` values, and the
bisections find a value in O(log n)."""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from itertools import repeat

_CHUNK = 2048
_SPLIT = 2 * _CHUNK


class RankIndex:
    def __init__(self, balances: Iterable[int] = ()) -> None:
        # Negative balances (points taken) rank with zero: sorted first,
        # they lead, and become zeros in place (no Python step per balance).
        values = sorted(balances)
        negative = bisect_left(values, 0)
        values[:negative] = repeat(0, negative)
        self._chunks = [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]
        self._maxes = [c[-1] for c in self._chunks]
        self._count = len(values)

    def __len__(self) -> int:
        return self._count

    def add(self, balance: int) -> None:
        value = max(balance, 0)
        self._count += 1
        if not self._chunks:
            self._chunks.append([value])
            self._maxes.append(value)
            return
        i = min(bisect_left(self._maxes, value), len(self._chunks) - 1)
        chunk = self._chunks[i]
        insort(chunk, value)
        self._maxes[i] = chunk[-1]
        if len(chunk) > _SPLIT:
            self._chunks[i : i + 1] = [chunk[:_CHUNK], chunk[_CHUNK:]]
            self._maxes[i : i + 1] = [chunk[_CHUNK - 1], chunk[-1]]

    def remove(self, balance: int) -> None:
        value = max(balance, 0)
        i = bisect_left(self._maxes, value)
        chunk = self._chunks[i]
        del chunk[bisect_left(chunk, value)]
        self._count -= 1
        if chunk:
            self._maxes[i] = chunk[-1]
        else:
            del self._chunks[i], self._maxes[i]

    def move(self, before: int, after: int) -> None:
        old, new = max(before, 0), max(after, 0)
        if old == new:
            return
        # Most moves are a few points (a message, a check-in) and pass no
        # other balance: the copy of `old` nearest `new` becomes `new` where
        # it stands, the order kept without shifting a chunk twice.
        maxes, chunks = self._maxes, self._chunks
        i = bisect_left(maxes, old)
        chunk = chunks[i]
        if new > old:
            j = bisect_right(chunk, old) - 1
            if j + 1 < len(chunk):
                passes = chunk[j + 1] < new
            else:
                passes = i + 1 < len(chunks) and chunks[i + 1][0] < new
        else:
            j = bisect_left(chunk, old)
            passes = chunk[j - 1] > new if j else i > 0 and chunks[i - 1][-1] > new
        if passes:
            self.remove(before)
            self.add(after)
            return
        chunk[j] = new
        if j == len(chunk) - 1:
            maxes[i] = new

    def rank(self, balance: int) -> int:
        """1 + how many members have strictly more."""
        value = max(balance, 0)
        i = bisect_right(self._maxes, value)
        if i == len(self._chunks):
            return 1
        higher = len(self._chunks[i]) - bisect_right(self._chunks[i], value)
        return 1 + higher + sum(map(len, self._chunks[i + 1 :]))


class TopBoard:
    """The first `size` members of a board (balance high to low, then key),
    kept up to date as balances move instead of sorting every member on each
    `/top`: a change is one bisection when it concerns the board, and nothing
    when it does not. A member on the board who drops may be passed by one
    who is not: the board is then built again, from the scores, on the next
    read."""

    def __init__(self, scores: dict[str, int], size: int = 50) -> None:
        self.size = size
        self._scores = scores
        self._board: list[tuple[int, str]] | None = None

    def rebind(self, scores: dict[str, int]) -> None:
        """A new period's board (a week or month that began)."""
        self._scores = scores
        self._board = None

    def top(self, n: int) -> list[tuple[str, int]]:
        board = self._board
        if n > self.size:
            ranked = heapq.nsmallest(n, ((-b, k) for k, b in self._scores.items() if b > 0))
            return [(k, -b) for b, k in ranked]
        if board is None:
            board = self._board = heapq.nsmallest(
                self.size, ((-b, k) for k, b in self._scores.items())
            )
        return [(k, -b) for b, k in board[:n] if b < 0]

    def moved(self, key: str, before: int, after: int) -> None:
        """`key`'s score went from `before` (0 when it had none) to `after`."""
        board = self._board
        if board is None or before == after:
            return
        size = self.size
        old, new = (-before, key), (-after, key)
        i = bisect_left(board, old)
        if i < len(board) and board[i] == old:
            if after < before and len(board) >= size:
                # It may fall behind members the board does not hold.
                self._board = None
                return
            del board[i]
            insort(board, new)
        elif len(board) < size or new < board[-1]:
            # A board that is not full holds everyone: `key` is new.
            insort(board, new)
            del board[size:]
