"""One scan for every word list (`rules.lexicon`): the rules' blocklists and
other features' lists compiled together answer, list by list, exactly what
each list's own Blocklist answers alone, over the golden corpus and over
generated lists and texts; and a message is scanned once, whoever asks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from rules.blocklist import Blocklist
from rules.evaluate import RuleSet
from rules.lexicon import Lexicon, Listed
from rules.message import MessageView
from rules.schema import Rule
from tests.rules.test_verdicts_unchanged import HAM, RULES, TRICKS, corpus

# The spam detector's built-in stop words and the monitors' keywords (as in
# config.example.yaml), plus lists that overlap the rules' and each other's.
STOP_WORDS = [
    *("加微信", "加vx", "加v信", "私聊我", "日赚", "稳赚", "包赚", "躺赚", "刷单", "代开发票"),
    *("免费领取", "点击领取", "usdt", "airdrop", "crypto signals", "guaranteed profit", "dm me"),
    *("click here", "earn money fast", "onlyfans", "заработок"),
]
KEYWORDS = ["退款", "骗子", "投诉", "refund", "scam"]
EXTRA = {
    "stop": STOP_WORDS,
    "keywords": KEYWORDS,
    "tricky": ["wechat", "free*coin", "re:\\d{5,}", "!!!", "加v", "b2b", "t.me/joinchat", "资料"],
}
RULE_LISTS = [r["words"] for r in RULES if r["type"] == "blocklist"]


def view(m: dict[str, object]) -> MessageView:
    return MessageView(**m)  # type: ignore[arg-type]


def alone(words: list[str], v: MessageView) -> object:
    return Blocklist([words]).search(view_copy(v))[0]


def view_copy(v: MessageView) -> MessageView:
    return MessageView(v.text, v.group, v.sender, v.at)


def test_each_list_answers_what_it_answers_alone_over_the_golden_corpus() -> None:
    lexicon = Lexicon(RULE_LISTS, EXTRA)
    separate = [Blocklist([words]) for words in [*RULE_LISTS, *EXTRA.values()]]
    found = 0
    for m in corpus():
        v = view(m)
        together = lexicon.search(v)
        apart = tuple(b.search(view_copy(v))[0] for b in separate)
        assert together == apart, m["text"]
        found += sum(x is not None for x in together)
    # The corpus is no empty test: lists of every kind match in it.
    assert found > 100


def test_the_rules_verdicts_do_not_change_with_other_lists_beside_them() -> None:
    rules = TypeAdapter(list[Rule]).validate_python(RULES)
    plain = RuleSet(rules, timezone="Asia/Shanghai")
    shared = RuleSet(rules, timezone="Asia/Shanghai", lists=EXTRA)
    for m in corpus():
        # The other lists asked first, then the rules: one memo serves both.
        v = view(m)
        Listed("stop", STOP_WORDS).first(v, shared.lexicon)
        assert shared.evaluate(v) == plain.evaluate(view(m)), m["text"]
        assert shared.evaluate_name(view(m)) == plain.evaluate_name(view(m))


def test_a_message_is_scanned_once_for_the_rules_and_every_list() -> None:
    rules = TypeAdapter(list[Rule]).validate_python(RULES)
    shared = RuleSet(rules, timezone="Asia/Shanghai", lists=EXTRA)
    v = MessageView("this is a scam, 加 微 信 wechat", "telegram:-1001", "telegram:1", 0.0)
    shared.evaluate(v)
    stop, keywords = Listed("stop", STOP_WORDS), Listed("keywords", KEYWORDS)
    first_stop = stop.first(v, shared.lexicon)
    first_keyword = keywords.first(v, shared.lexicon)
    assert first_stop is not None and first_stop.entry == "加微信"
    assert first_keyword is not None and first_keyword.entry == "scam"
    memo = v._memo
    assert memo is not None
    # One Blocklist answered the rules and both lists.
    assert [k for k in memo if isinstance(k, Blocklist)] == [shared.lexicon.blocklist]


def test_a_list_the_lexicon_does_not_hold_is_searched_on_its_own() -> None:
    lexicon = Lexicon(RULE_LISTS, {"keywords": ["退款"]})
    v = MessageView("我要投诉", "g", "s", 0.0)
    # Other words under the tag (a reload on its way), or no such tag: the
    # list's own answer, never another list's.
    changed = Listed("keywords", KEYWORDS)
    missing = Listed("stop", ["scam"])
    found = changed.first(v, lexicon)
    assert found is not None and found.entry == "投诉"
    assert lexicon.index("keywords", KEYWORDS) is None
    found = missing.first(MessageView("a scam", "g", "s", 0.0), lexicon)
    assert found is not None and found.entry == "scam"
    assert changed.first(MessageView("退款", "g", "s", 0.0), None) is not None
    # A lexicon that holds the words is used as soon as it is the one passed.
    fresh = Lexicon([], {"keywords": KEYWORDS})
    v = MessageView("我要投诉", "g", "s", 0.0)
    assert changed.first(v, fresh) is not None
    assert v._memo is not None and fresh.blocklist in v._memo


def test_no_lists_and_no_blocklist_rules_mean_no_scan() -> None:
    lexicon = Lexicon([], {"empty": []})
    assert lexicon.blocklist is None and lexicon.index("empty", []) is None
    assert lexicon.search(MessageView("加微信", "g", "s", 0.0)) == ()


WORDS = st.sampled_from(
    [*TRICKS, *HAM, *STOP_WORDS, *KEYWORDS, "free*", "*coin", "re:bit\\w*coin", "加v", "a b"]
).filter(lambda w: bool(w.strip()))
LISTS = st.lists(WORDS, min_size=1, max_size=6)
TEXT = st.lists(st.sampled_from([*TRICKS, *HAM, *STOP_WORDS, *KEYWORDS]), max_size=8).map(
    lambda parts: " ".join(parts)
)


@settings(max_examples=200, deadline=None)
@given(rules=st.lists(LISTS, max_size=3), tagged=st.lists(LISTS, max_size=3), text=TEXT)
def test_generated_lists_answer_together_what_they_answer_alone(
    rules: list[list[str]], tagged: list[list[str]], text: str
) -> None:
    lexicon = Lexicon(rules, {f"t{i}": words for i, words in enumerate(tagged)})
    v = MessageView(text, "g", "s", 0.0)
    together = lexicon.search(v)
    if not rules and not tagged:
        assert together == ()
        return
    assert together == tuple(alone(words, v) for words in [*rules, *tagged])
    for i, words in enumerate(tagged):
        assert Listed(f"t{i}", words).first(v, lexicon) == alone(words, v)


@pytest.mark.parametrize("text", ["加 微 信", "w.e.c.h.a.t", "dm me now", "退 款", "scamper"])
def test_listed_answers_what_a_blocklist_answers(text: str) -> None:
    lexicon = Lexicon(RULE_LISTS, EXTRA)
    for tag, words in EXTRA.items():
        v = MessageView(text, "g", "s", 0.0)
        assert Listed(tag, words).first(v, lexicon) == alone(words, v)
