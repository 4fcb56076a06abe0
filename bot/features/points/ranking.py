"""Ranks by balance: the balances kept sorted, in chunks.

Check-in replies show the member's rank, so ranking sits on a hot path; a
scan over 50,000 balances per check-in would cost milliseconds. A table
indexed by balance would be faster still but grows with the largest balance
(one typo of a moderator's, `/points give 999999999`, once cost 8.6 GB); this
grows with the number of members only. Chunks keep an insertion from moving
every balance after it: each holds at most `_SPLIT` values, and the
bisections find a value in O(log n)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable

_CHUNK = 2048
_SPLIT = 2 * _CHUNK


class RankIndex:
    def __init__(self, balances: Iterable[int] = ()) -> None:
        # Negative balances (points taken) rank with zero.
        values = sorted(max(b, 0) for b in balances)
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
        if max(before, 0) != max(after, 0):
            self.remove(before)
            self.add(after)

    def rank(self, balance: int) -> int:
        """1 + how many members have strictly more."""
        value = max(balance, 0)
        i = bisect_right(self._maxes, value)
        if i == len(self._chunks):
            return 1
        higher = len(self._chunks[i]) - bisect_right(self._chunks[i], value)
        return 1 + higher + sum(map(len, self._chunks[i + 1 :]))
