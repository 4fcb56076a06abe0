"""The flood and duplicates checks keep their windows in lists and plain
dicts now, and caps skips plain text without Latin letters: over random
streams of messages (repeats, near-repeats, raids across members, bursts,
times out of order, long enough for the tables to forget idle members)
they must give exactly what the checks gave before
(`tests/rules/reference_windows.py`)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.message import MessageView
from rules.types.caps import CapsRule, caps_check
from rules.types.duplicates import DuplicatesRule, Raid, duplicates_check
from rules.types.flood import FloodRule, flood_check
from tests.rules import reference_windows as reference

HEAD = "加微信领取免费资料日结兼职刷单返利高回报理财彩票优惠充值点击链接"
TEXTS = [
    "今天讨论新能源项目融资的经验，欢迎大家分享观点",
    "今天讨论新能源项目融资的经验，欢迎大家分享观点！",
    "今天讨论新能源项目融资的经验 欢迎大家分享 观点 3000",
    HEAD + "，私聊我 123",
    HEAD + "，私聊我 456",
    "别的开头" + HEAD,
    HEAD + "别的结尾",
    "HELLO EVERYONE THIS IS LOUD",
    "hello everyone this is the same text again",
    "hello everyone this is the same text again!!",
    "谢谢",
    "ok",
    "加 微 信 😀 w.e.c.h.a.t",
    "Привет ВСЕМ ЭТО ГРОМКО",
]

MESSAGES = st.lists(
    st.tuples(
        st.sampled_from(TEXTS),
        st.sampled_from(["telegram:-1001", "telegram:-1002"]),
        st.sampled_from([f"telegram:{n}" for n in range(5)]),
        # Mostly forward in time, in bursts and pauses; now and then back.
        st.one_of(
            st.floats(0, 3),
            st.floats(0, 400),
            st.floats(-60, 0),
        ),
    ),
    min_size=1,
    max_size=150,
) | st.lists(
    # One or two members repeating themselves fast: more than the 20 texts
    # a member's history keeps.
    st.tuples(
        st.sampled_from(TEXTS[:2] + TEXTS[3:5]),
        st.just("telegram:-1001"),
        st.sampled_from(["telegram:1", "telegram:2"]),
        st.floats(0, 2),
    ),
    min_size=20,
    max_size=80,
)


def _stream(messages: list[tuple[str, str, str, float]]) -> list[MessageView]:
    at = 1_767_574_800.0
    views = []
    for text, group, sender, step in messages:
        at += step
        views.append(MessageView(text, group, sender, at))
    return views


@settings(max_examples=300, deadline=None)
@given(
    messages=MESSAGES,
    limit=st.integers(1, 3),
    similarity=st.sampled_from([1.0, 0.9, 0.6]),
    minutes=st.sampled_from([1, 10]),
    raid=st.sampled_from([None, 2, 3]),
)
def test_duplicates_as_before(
    messages: list[tuple[str, str, str, float]],
    limit: int,
    similarity: float,
    minutes: int,
    raid: int | None,
) -> None:
    rule = DuplicatesRule.model_validate(
        {
            "id": "repeats",
            "type": "duplicates",
            "max": limit,
            "per": timedelta(minutes=minutes),
            "similarity": similarity,
            "raid": None
            if raid is None
            else Raid(members=raid, per=timedelta(minutes=minutes), min_length=6),
        }
    )
    new, old = duplicates_check(rule), reference.duplicates_check(rule)
    for a, b in zip(_stream(messages), _stream(messages), strict=True):
        assert new(a) == old(b)


@settings(max_examples=300, deadline=None)
@given(messages=MESSAGES, limit=st.integers(1, 5), seconds=st.sampled_from([5, 60]))
def test_flood_as_before(
    messages: list[tuple[str, str, str, float]], limit: int, seconds: int
) -> None:
    rule = FloodRule.model_validate(
        {"id": "flood", "type": "flood", "max": limit, "per": timedelta(seconds=seconds)}
    )
    new, old = flood_check(rule), reference.flood_check(rule)
    for a, b in zip(_stream(messages), _stream(messages), strict=True):
        assert new(a) == old(b)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from("加微信 Ab1.,、。，！ＡÉéПпΣσ😀"), max_size=40)
    | st.sampled_from(TEXTS),
    letters=st.integers(1, 12),
)
def test_caps_as_before(text: str, letters: int) -> None:
    rule = CapsRule.model_validate({"id": "caps", "type": "caps", "min_letters": letters})
    view = MessageView(text, "telegram:-1", "telegram:1", 0.0)
    assert caps_check(rule)(view) == reference.caps_check(rule)(
        MessageView(text, "telegram:-1", "telegram:1", 0.0)
    )
