"""Properties of the rule engine, for any input hypothesis can think of:
no rules never act, raising a limit never creates a hit, any Unicode text is
handled, and an entry always finds itself however it is written."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from rules.blocklist import Blocklist, regex_entry
from rules.compiler import compile_check
from rules.evaluate import RuleSet
from rules.message import MessageView
from rules.schema import Rule

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)
RULES: TypeAdapter[list[Rule]] = TypeAdapter(list[Rule])
START = 1_767_574_800.0

# Any code point at all, lone surrogates and unassigned ones included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=300)
# Chat-like text: Chinese, Latin, digits, emoji, punctuation, invisibles.
CHAT = st.lists(
    st.sampled_from(
        [
            *"加微信代开发票abcdeXYZ0123 .,!?@:/#-_*，。！éｗе",
            *("\u200b", "\u202e", "😀", "👨\u200d👩\u200d👧"),
        ]
    ),
    max_size=80,
).map("".join)

EVERY_TYPE: list[dict[str, Any]] = [
    {"id": "ads", "type": "blocklist", "words": ["加微信", "wechat", "free*money", "re:\\d{5,}"]},
    {"id": "links", "type": "links", "handles": True, "phones": True},
    {"id": "flood", "type": "flood", "max": 3, "per": "10s"},
    {"id": "repeats", "type": "duplicates", "max": 1, "raid": {"members": 2, "min_length": 3}},
    {"id": "caps", "type": "caps", "min_letters": 3},
    {"id": "mentions", "type": "mentions", "max": 1},
    {"id": "emoji", "type": "emoji", "max": 2, "max_ratio": 0.3},
    {"id": "forwards", "type": "forwards"},
    {"id": "media", "type": "media"},
    {"id": "length", "type": "length", "max": 50, "max_lines": 2},
    {"id": "newcomers", "type": "probation", "messages": 2, "max_length": 10},
    {"id": "night", "type": "night_mode", "from": "00:00", "to": "23:59"},
    {"id": "slow", "type": "slow_mode", "every": "5s"},
    {"id": "names", "type": "names", "words": ["加微信"]},
]


def view(text: str, i: int = 0, **kw: Any) -> MessageView:
    kw.setdefault("group", "console:g1")
    kw.setdefault("sender", f"console:m{i % 3}")
    kw.setdefault("at", START + i)
    return MessageView(text=text, **kw)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(ANY_TEXT, max_size=5))
def test_no_rules_never_act(texts: list[str]) -> None:
    empty = RuleSet([])
    disabled = RuleSet(RULES.validate_python([{**r, "enabled": False} for r in EVERY_TYPE]))
    for i, text in enumerate(texts):
        for rules in (empty, disabled):
            verdict = rules.evaluate(view(text, i, media="photo", forwarded=True))
            assert not verdict.hit and not verdict.hits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT, media=st.none() | st.sampled_from(["photo", "sticker"]))
def test_any_unicode_text_is_handled(text: str, media: str | None) -> None:
    rules = RuleSet(RULES.validate_python(EVERY_TYPE), timezone="Asia/Shanghai")
    msg = view(text, media=media, forwarded=media is not None, message_count=1, member_age=5.0)
    verdict = rules.evaluate(msg)
    assert len(verdict.results) == len(EVERY_TYPE) - 1  # all but the names rule
    assert all(r.rule == c["id"] for r, c in zip(verdict.results, EVERY_TYPE, strict=False))
    assert [r.rule for r in rules.evaluate_name(view(text)).results] == ["names"]


# Each rule with the limit that `extra` loosens: raising it may only remove hits.
LOOSENED = [
    ({"type": "mentions"}, "max", 0, 1),
    ({"type": "emoji"}, "max", 0, 1),
    ({"type": "length"}, "max", 1, 1),
    ({"type": "length"}, "max_lines", 1, 1),
    ({"type": "caps", "min_letters": 3}, "max_ratio", 0.05, 0.1),
    ({"type": "caps", "max_ratio": 0.5}, "min_letters", 1, 1),
    ({"type": "probation", "deny": [], "messages": 50}, "max_length", 1, 1),
]


@settings(max_examples=150, deadline=None)
@given(
    case=st.sampled_from(LOOSENED),
    start=st.integers(min_value=0, max_value=8),
    extra=st.integers(min_value=1, max_value=8),
    texts=st.lists(CHAT, min_size=1, max_size=10),
)
def test_raising_a_limit_never_creates_a_hit(
    case: tuple[dict[str, Any], str, float, float], start: int, extra: int, texts: list[str]
) -> None:
    spec, key, base, step = case
    low = base + start * step
    high = min(low + extra * step, 0.95) if key == "max_ratio" else low + extra * step
    strict = compile_check(RULE.validate_python({"id": "r", **spec, key: low}))
    loose = compile_check(RULE.validate_python({"id": "r", **spec, key: high}))
    for i, text in enumerate(texts):
        msg = dict(message_count=1, member_age=1.0)
        if loose(view(text, i, **msg)).hit:
            assert strict(view(text, i, **msg)).hit


COUNTED = [
    ({"type": "flood", "per": "10s"}, "max"),
    ({"type": "duplicates", "per": "1m", "min_length": 1}, "max"),
]


@settings(max_examples=100, deadline=None)
@given(
    case=st.sampled_from(COUNTED),
    limit=st.integers(min_value=1, max_value=5),
    extra=st.integers(min_value=1, max_value=5),
    posts=st.lists(
        st.tuples(st.floats(0, 5), st.sampled_from(["spam!", "hello", "spam"])),
        min_size=1,
        max_size=30,
    ),
)
def test_raising_a_count_never_creates_a_hit(
    case: tuple[dict[str, Any], str], limit: int, extra: int, posts: list[tuple[float, str]]
) -> None:
    spec, key = case
    strict = compile_check(RULE.validate_python({"id": "r", **spec, key: limit}))
    loose = compile_check(RULE.validate_python({"id": "r", **spec, key: limit + extra}))
    t = START
    strict_hits = loose_hits = 0
    for gap, text in posts:
        t += gap
        strict_hits += strict(view(text, at=t, sender="console:a")).hit
        loose_hits += loose(view(text, at=t, sender="console:a")).hit
    assert loose_hits <= strict_hits


@settings(max_examples=100, deadline=None)
@given(
    every=st.integers(1, 60), extra=st.integers(1, 60), gaps=st.lists(st.floats(0, 90), max_size=20)
)
def test_a_shorter_slow_mode_never_creates_a_hit(every: int, extra: int, gaps: list[float]) -> None:
    strict = compile_check(
        RULE.validate_python({"id": "r", "type": "slow_mode", "every": f"{every + extra}s"})
    )
    loose = compile_check(
        RULE.validate_python({"id": "r", "type": "slow_mode", "every": f"{every}s"})
    )
    t = START
    strict_hits = loose_hits = 0
    for gap in gaps:
        t += gap
        loose_hits += loose(view("x", at=t)).hit
        strict_hits += strict(view("x", at=t)).hit
    # Letting a message through whenever the gap allows lets through as many
    # as any choice could; a longer gap allows fewer.
    assert loose_hits <= strict_hits


_ENTRY = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=20
).filter(lambda e: e.strip() != "" and regex_entry(e) is None)


@settings(max_examples=300, deadline=None)
@given(entry=_ENTRY, before=CHAT, after=CHAT)
# A wildcard entry written out as is: its `*` is part of the word it stands in.
@example(entry="0*0", before="", after="")
@example(entry="a*b", before="hi", after="")
def test_an_entry_always_finds_itself(entry: str, before: str, after: str) -> None:
    # Spaces around it, so that a Latin word stands as a word.
    found = Blocklist([[entry]]).search(view(f"{before} {entry} {after}"))[0]
    assert found is not None and found.entry == entry


@settings(max_examples=200, deadline=None)
@given(
    word=st.sampled_from(["加微信", "wechat", "代开发票"]),
    seps=st.lists(
        st.sampled_from([" ", ".", "-", "_", "\u200b", "·", "*", "♥", "\u202e", "\x00"]),
        min_size=8,
        max_size=8,
    ),
    prefix=CHAT,
)
def test_separators_inside_an_entry_never_evade(word: str, seps: list[str], prefix: str) -> None:
    blocklist = Blocklist([["加微信", "wechat", "代开发票"]])
    # The chat before it holds no entry of its own (it may, by chance: 加微信).
    assume(blocklist.search(view(prefix + " "))[0] is None)
    spread = "".join(ch + sep for ch, sep in zip(word, seps, strict=False))
    found = blocklist.search(view(prefix + " " + spread + " "))[0]
    assert found is not None and found.entry == word
