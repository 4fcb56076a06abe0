"""Ranks by balance in O(log n): a Fenwick tree counting members per balance.

Check-in replies show the member's rank, so ranking sits on a hot path; a
scan over 50,000 balances per check-in would cost milliseconds."""

from __future__ import annotations

from collections.abc import Iterable


class RankIndex:
    def __init__(self, balances: Iterable[int] = ()) -> None:
        self._size = 1024
        self._tree = [0] * (self._size + 1)
        self._count = 0
        for b in balances:
            self.add(b)

    def __len__(self) -> int:
        return self._count

    def _grow(self, value: int) -> None:
        size = self._size
        while size <= value:
            size *= 2
        counts = [self._at(i) for i in range(self._size)]
        self._size = size
        self._tree = [0] * (size + 1)
        for value_at, n in enumerate(counts):
            if n:
                self._update(value_at, n)

    def _at(self, value: int) -> int:
        return self._prefix(value) - (self._prefix(value - 1) if value else 0)

    def _update(self, value: int, delta: int) -> None:
        i = value + 1
        tree, size = self._tree, self._size
        while i <= size:
            tree[i] += delta
            i += i & -i

    def _prefix(self, value: int) -> int:
        """How many balances are <= value."""
        i = min(value, self._size - 1) + 1
        total = 0
        tree = self._tree
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def add(self, balance: int, n: int = 1) -> None:
        # Negative balances (points taken) rank with zero.
        value = max(balance, 0)
        if value >= self._size:
            self._grow(value)
        self._update(value, n)
        self._count += n

    def remove(self, balance: int) -> None:
        self.add(balance, -1)

    def move(self, before: int, after: int) -> None:
        if max(before, 0) != max(after, 0):
            self.remove(before)
            self.add(after)

    def rank(self, balance: int) -> int:
        """1 + how many members have strictly more."""
        return 1 + self._count - self._prefix(max(balance, 0))
