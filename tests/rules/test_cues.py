"""The split question searches answer exactly as the one alternation they
replace (`rules.cues`): the FAQ's and the unanswered-question monitor's."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.faq.matcher import _QUESTION as FAQ
from bot.features.risk.monitors import _QUESTION as MONITOR
from rules.cues import Cues

FAQ_AS_ONE = re.compile(
    r"[?？]|吗|呢|怎么|如何|为什么|什么|多少|哪|几|能不能|可不可以|有没有|是不是"
    r"|\b(?:how|what|why|when|where|which|who|can|could|is there|are there|does|do)\b"
)
MONITOR_AS_ONE = re.compile(
    r"[?？]\s*$|吗\s*[。!！]?\s*$|怎么|如何|为什么|什么时候|多少钱|有没有|能不能|是不是|哪里"
    r"|\b(?:how (?:do|can|much|long)|why (?:is|does|do|did)|when (?:is|will|does)|"
    r"where (?:is|can)|can i|is there|does anyone)\b"
)
PIECES = [
    "how", "what", "why", "when", "where", "which", "who", "can", "could", "is", "are",
    "there", "does", "do", "did", "anyone", "i", "much", "long", "will", "s", "x", "_", "1",
    " ", "  ", "\n", "'", "?", "？", "。", "!", "！", "吗", "呢", "怎么", "如何", "为什么",
    "什么", "时候", "多少", "钱", "哪", "里", "几", "能不能", "可不可以", "有没有", "是不是",
    "我", "好", "é",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
CASES = [
    "how do i join", "what?", "is there any", "can i come", "where is it", "价格多少钱",
    "你好吗。", "你好吗 !", "why does", "hows it", "showcase", "what's up", "我how你",
    "canine", "when will", "几点", "可不可以", "好？ ", "好? x", "does anyone know", "",
]  # fmt: skip


@settings(max_examples=600)
@given(texts)
def test_the_faq_question_test_is_the_one_alternation(text: str) -> None:
    assert FAQ.found(text) is (FAQ_AS_ONE.search(text) is not None)


@settings(max_examples=600)
@given(texts)
def test_the_monitor_question_test_is_the_one_alternation(text: str) -> None:
    assert MONITOR.found(text) is (MONITOR_AS_ONE.search(text) is not None)


def test_known_questions_and_statements() -> None:
    for text in CASES:
        assert FAQ.found(text) is (FAQ_AS_ONE.search(text) is not None), text
        assert MONITOR.found(text) is (MONITOR_AS_ONE.search(text) is not None), text
    assert FAQ.found("how much") and not FAQ.found("showcase")
    assert MONITOR.found("is there parking") and not MONITOR.found("this is therefore")


def test_a_bounded_cue_without_its_hint_is_never_searched() -> None:
    # The hint must hold every bounded match: here it does not, and the
    # bounded part is (rightly) never reached.
    cues = Cues(r"\?", r"\bwhy\b", r"how")
    assert not cues.found("why") and cues.found("?")
