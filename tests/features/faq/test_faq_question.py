"""The FAQ's question test takes a shortcut for ASCII text (of its plain
cues only the question mark is ASCII): it must answer exactly as the one
alternation it stands for, on English, Chinese and mixed text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.faq.matcher import fold, is_question

AS_ONE = re.compile(
    r"[?？]|吗|呢|怎么|如何|为什么|什么|多少|哪|几|能不能|可不可以|有没有|是不是"
    r"|\b(?:how|what|why|when|where|which|who|can|could|is there|are there|does|do)\b"
)
ENGLISH = [
    "how", "what", "why", "when", "where", "which", "who", "can", "could", "is", "are",
    "there", "does", "do", "show", "canine", "x", "_", "1", " ", "  ", "\n", "'", "?", "!",
    ".", "é",
]  # fmt: skip
CHINESE = ["？", "吗", "呢", "怎么", "如何", "什么", "多少", "哪", "几", "是不是", "我", "好", "。"]
english = st.lists(st.sampled_from(ENGLISH), max_size=12).map("".join)
mixed = st.lists(st.sampled_from(ENGLISH + CHINESE), max_size=12).map("".join)


@settings(max_examples=500)
@given(st.one_of(english, mixed))
def test_the_question_test_is_the_one_alternation(text: str) -> None:
    folded = fold(text)
    assert is_question(folded) is (AS_ONE.search(folded) is not None)


def test_known_questions_and_statements() -> None:
    for text, asked in [
        ("How do I get points", True), ("points?", True), ("showcase", False),
        ("is there parking", True), ("thanks a lot", False), ("怎么退款", True),
        ("我们明天见", False), ("ok，好吗", True), ("canine café", False), ("CAN you", True),
    ]:  # fmt: skip
        assert is_question(fold(text)) is asked, text
