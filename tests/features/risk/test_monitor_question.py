"""The unanswered-question monitor's test of a member's message takes
shortcuts (no English cue without a Latin letter, no Chinese cue in ASCII
text): it must answer exactly as the one alternation it stands for, on the
message's folded text as the rules' view gives it."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.risk.monitors import _asks
from rules.message import MessageView

AS_ONE = re.compile(
    r"[?？]\s*$|吗\s*[。!！]?\s*$|怎么|如何|为什么|什么时候|多少钱|有没有|能不能|是不是|哪里"
    r"|\b(?:how (?:do|can|much|long)|why (?:is|does|do|did)|when (?:is|will|does)|"
    r"where (?:is|can)|can i|is there|does anyone)\b"
)
ENGLISH = [
    "how", "why", "when", "where", "can", "is", "there", "does", "do", "did", "anyone", "i",
    "much", "long", "will", "x", "_", "1", " ", "  ", "\n", "'", "?", "!", "HOW", "Ｉ", "é",
]  # fmt: skip
CHINESE = [
    "？", "。", "！", "吗", "怎么", "如何", "为什么", "什么", "时候", "多少", "钱", "哪", "里",
    "有没有", "是不是", "我", "好", "１",
]  # fmt: skip
english = st.lists(st.sampled_from(ENGLISH), max_size=12).map("".join)
chinese = st.lists(st.sampled_from([*CHINESE, " ", "?"]), max_size=12).map("".join)
mixed = st.lists(st.sampled_from(ENGLISH + CHINESE), max_size=12).map("".join)


def view(text: str) -> MessageView:
    return MessageView(text=text, group="g1", sender="m1", at=0.0)


@settings(max_examples=600)
@given(st.one_of(english, chinese, mixed))
def test_the_question_test_is_the_one_alternation(text: str) -> None:
    v = view(text)
    assert _asks(v) is (AS_ONE.search(v.folded) is not None)


def test_known_questions_and_statements() -> None:
    for text, asked in [
        ("How do I join?", True), ("is there parking", True), ("this is therefore", False),
        ("好吗。", True), ("价格多少钱", True), ("我们明天见", False), ("ok 1 2 3", False),
        ("Does anyone know", True), ("what?", True), ("what? no", False), ("１２３？", True),
    ]:  # fmt: skip
        assert _asks(view(text)) is asked, text
