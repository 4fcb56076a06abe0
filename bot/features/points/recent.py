"""A bounded map of recent messages, for reactions and removals."""

from __future__ import annotations

from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """A bounded map for recent messages: two generations of dicts, so
    forgetting the oldest costs nothing per insert."""

    __slots__ = ("_current", "_limit", "_previous")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._current: dict[tuple[str, int], V] = {}
        self._previous: dict[tuple[str, int], V] = {}

    def put(self, key: tuple[str, int], value: V) -> None:
        current = self._current
        if len(current) >= self._limit:
            self._previous = current
            current = self._current = {}
        current[key] = value

    def get(self, key: tuple[str, int]) -> V | None:
        found = self._current.get(key)
        return found if found is not None else self._previous.get(key)

    def pop(self, key: tuple[str, int]) -> V | None:
        found = self._current.pop(key, None)
        return found if found is not None else self._previous.pop(key, None)
