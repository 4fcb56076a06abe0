"""The spam scorer's fast path holds the computation it replaced: the same
features, each once, and the same margin (within 1e-9: a sum in another
order), on the tests' ham and spam corpora, the shipped samples and
generated texts, before and after a moderator teaches the model.

`reference_grams` and `reference_margin` are the straightforward versions
(a Python step per n-gram, a dictionary lookup per feature) kept here as
the definition the faster code must meet."""

from __future__ import annotations

import math
import re
import string
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.risk.spam.checks import features as view_features
from bot.features.risk.spam.checks import head
from bot.features.risk.spam.features import GRAM_CHARS, MAX_CHARS, features, structure, tail
from bot.features.risk.spam.linear import BIAS, LinearModel
from bot.features.risk.spam.model import HAM, SPAM, SpamModel, parse_samples
from bot.features.risk.spam.training import default_samples, shipped_model
from rules import detect
from rules.message import MessageView
from rules.normalize import fold
from tests.conftest import ROOT

_DIGIT = str.maketrans("0123456789", "0000000000")
_SPACES = re.compile(r"\s+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[^\W_{_CJK}]+")


def reference_grams(folded: str) -> list[str]:
    short = folded[:MAX_CHARS]
    s = f" {_SPACES.sub(' ', short[:GRAM_CHARS].translate(_DIGIT)).strip()} "
    n = len(s)
    out = [c for c in s if c > "\x7f"]
    out += [s[i : i + k] for k in range(2, 5) for i in range(n - k + 1)]
    words = [f"#n{min(len(w), 8)}" if w.isdigit() else w for w in _WORD.findall(short)]
    if words:
        out.extend(["w:" + w for w in words])
        out.extend([f"w:{a} {b}" for a, b in pairwise(words)])
    return out


def reference_features(text: str) -> frozenset[str]:
    folded = fold(text)
    found = structure(
        text, detect.find_links(folded), detect.find_handles(folded), detect.find_phones(folded)
    )
    return frozenset(reference_grams(folded) + found)


def reference_margin(model: LinearModel, found: frozenset[str]) -> float:
    get = model.weights.get
    total = sum(filter(None, map(get, found)))
    scale = 1.0 / math.sqrt(len(found)) if found else 0.0
    return model.weights.get(BIAS, 0.0) + total * scale


def corpora() -> list[str]:
    ham = (ROOT / "tests" / "data" / "ham.txt").read_text("utf-8").splitlines()
    held_out, _ = parse_samples((ROOT / "data" / "spam_test.tsv").read_text("utf-8").splitlines())
    texts = [x for x in ham if x.strip() and not x.startswith("#")]
    texts += [t for _, t in held_out] + [t for _, t in default_samples()]
    # Past the bounds: n-grams stop at GRAM_CHARS, words at MAX_CHARS,
    # the tail's tokens come from what lies beyond.
    texts += ["项目 进展 顺利 42 " * 90, "word 12345 " * 200 + " t.me/+abc @someone_here"]
    return texts


def assert_same(model: LinearModel, text: str) -> None:
    found = features(text)
    assert found == reference_features(text), text
    assert abs(model.margin(found) - reference_margin(model, found)) <= 1e-9, text
    # The message path: the view's parts, the head of a long message.
    view = head(MessageView(text=text, group="g", sender="s", at=0.0))
    on_path = view_features(view)
    expected = reference_features(view.text)
    if len(text) > MAX_CHARS:
        expected |= frozenset(tail(text))
    assert on_path == expected, text


def test_the_corpora_score_as_before() -> None:
    model = shipped_model().linear
    texts = corpora()
    assert len(texts) > 1_900
    for text in texts:
        assert_same(model, text)


# Letters of every kind the tokenizer treats apart: ASCII digits and other
# digits (superscript, Arabic-Indic, full-width), whitespace of several
# kinds, CJK, Cyrillic with Latin look-alikes, emoji, styled letters, the
# characters of links, handles and phone numbers.
ALPHABET = (
    string.ascii_letters + string.digits + " .,:/@+_-#()[]"
    + "²³½٣٤１２\t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000"
    + "加微信日赚领资料私聊我。，！Пpоходятнабор🔥💰👍𝐄𝐚𝐫ｗｅｃｈａｔé"
)  # fmt: skip
TEXTS = st.one_of(
    st.text(alphabet=ALPHABET, max_size=80),
    st.text(max_size=40),
    st.text(alphabet=ALPHABET, min_size=450, max_size=1_100),
)


@settings(max_examples=400, deadline=None)
@given(text=TEXTS)
def test_generated_texts_score_as_before(text: str) -> None:
    assert_same(shipped_model().linear, text)


@settings(max_examples=30, deadline=None)
@given(taught=st.lists(st.tuples(st.booleans(), TEXTS), min_size=1, max_size=4), probe=TEXTS)
def test_a_taught_model_scores_as_before(taught: list[tuple[bool, str]], probe: str) -> None:
    """`/spam` and `/ham` change weights one step at a time, in place."""
    model: SpamModel = shipped_model().copy()
    for spam, text in taught:
        model.learn(SPAM if spam else HAM, text)
        assert_same(model.linear, text)
    assert_same(model.linear, probe)


def test_an_empty_model_and_an_empty_text() -> None:
    empty = LinearModel()
    assert empty.margin(features("")) == 0.0
    assert empty.margin(frozenset()) == 0.0
    assert features("") == reference_features("") == frozenset({"  ", "#len0"})
