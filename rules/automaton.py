"""Aho-Corasick over tens of thousands of needles, scanned in C.

The scan is ahocorasick-rs (a Rust automaton with wheels on PyPI): about a
microsecond for a hundred characters against 10,000 entries, and a build in
tens of milliseconds, so a hot reload of a large blocklist is not felt. The
pure-Python automaton this replaces lives on in the tests as the reference
the C scan is checked against (`tests/rules/reference_automaton.py`).

Several payloads may share a needle (one entry in two lists): the automaton
holds each distinct needle once and keeps its payloads beside it.

The automaton is a DFA (one table lookup per byte of text) unless its
needles are too many for one: on the 10,000-entry bench list (73 KB of
needles, mostly Chinese) the DFA scans a 100-character Chinese text in ~1 µs
where the NFA takes ~2.8 µs, for ~30 MiB instead of ~3 MiB and a build of
~60 ms instead of ~10 ms. Past `DFA_BUDGET` bytes of needles the memory is
not worth it and the contiguous NFA is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

T = TypeVar("T")

# Needles (UTF-8 bytes, all together) up to which the scan is a DFA.
DFA_BUDGET = 100_000


class Automaton(Generic[T]):
    def __init__(self, needles: Iterable[tuple[str, T]], *, dfa_budget: int = DFA_BUDGET) -> None:
        index: dict[str, int] = {}
        payloads: list[list[T]] = []
        for needle, payload in needles:
            if not needle:
                raise ValueError("empty needle")
            at = index.get(needle)
            if at is None:
                at = index[needle] = len(payloads)
                payloads.append([])
            payloads[at].append(payload)
        self._payloads: tuple[tuple[T, ...], ...] = tuple(tuple(p) for p in payloads)
        # Standard semantics with overlapping matches: every needle that
        # occurs is reported, in the order its occurrence ends.
        size = sum(len(needle.encode()) for needle in index)
        kind = Implementation.DFA if size <= dfa_budget else Implementation.ContiguousNFA
        self._scan = AhoCorasick(
            index, matchkind=MatchKind.Standard, implementation=kind
        ).find_matches_as_indexes

    def find(self, text: str, accept: Callable[[T], bool]) -> T | None:
        """The first payload, in text order (where its needle ends), whose
        needle occurs in `text` and that `accept` takes; None when there is
        none."""
        for payloads in self.matches(text):
            for payload in payloads:
                if accept(payload):
                    return payload
        return None

    def matches(self, text: str) -> list[tuple[T, ...]]:
        """The payloads of each needle occurrence in `text`, in text order;
        empty (most messages) without a Python-level step."""
        found = self._scan(text, True)
        if not found:
            return []
        payloads = self._payloads
        return [payloads[needle] for needle, _start, _end in found]
