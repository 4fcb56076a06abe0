"""The C-backed automaton finds what the pure-Python reference finds, in the
same order, for any needles and any text (Chinese, Latin, emoji, overlaps)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.automaton import Automaton
from tests.rules.reference_automaton import Automaton as Reference

ALPHABET = st.sampled_from("ab加微信.😀 ")
NEEDLES = st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=12)


def everything(automaton: Automaton[Any] | Reference[Any], text: str) -> list[Any]:
    """Every payload the scan offers, in order (nothing is accepted)."""
    seen: list[Any] = []

    def accept(payload: Any) -> bool:
        seen.append(payload)
        return False

    assert automaton.find(text, accept) is None
    return seen


@settings(max_examples=300, deadline=None)
@given(needles=NEEDLES, text=st.text(ALPHABET, max_size=40), dfa=st.booleans())
def test_the_c_scan_offers_what_the_reference_offers(
    needles: list[str], text: str, dfa: bool
) -> None:
    pairs = [(needle, i) for i, needle in enumerate(needles)]
    # Both kinds of scan: the DFA, and the NFA a list too large for it gets.
    fast, slow = Automaton(pairs, dfa_budget=10**9 if dfa else 0), Reference(pairs)
    # Where several needles end at one character the order among them may
    # differ; which ones end where may not.
    assert sorted(everything(fast, text)) == sorted(everything(slow, text))
    first = {needle for needle in needles if needle in text}
    found = fast.find(text, lambda i: True)
    assert (found is None) == (not first)
    if found is not None:
        end = min(text.find(n) + len(n) for n in first)
        assert text.find(needles[found]) + len(needles[found]) == end


def test_a_needle_shared_by_two_lists_offers_both_payloads() -> None:
    automaton = Automaton([("加微信", "ads"), ("加微信", "spam"), ("wechat", "ads")])
    assert everything(automaton, "请加微信") == ["ads", "spam"]
    assert automaton.find("请加微信", lambda p: p == "spam") == "spam"
