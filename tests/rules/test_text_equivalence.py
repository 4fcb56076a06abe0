"""The text forms rules read (fold, squash, Latin words, spread-out letters)
were rewritten for speed; they must give exactly what they gave before, kept
in `tests/rules/reference_normalize.py`, for any text: Chinese, look-alike
letters, accents, full-width forms, spacing and invisible-character tricks,
emoji sequences."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules import detect, normalize
from rules.blocklist import Blocklist
from rules.message import MessageView
from tests.rules import reference_normalize as reference

# Characters each path of the fold and the word finders reacts to.
TRICKY = (
    "加微信代开发票，。！？：；（）、…～\u3000"  # Chinese and its full-width punctuation
    "abcwechatWECHATxyz0123456789 .-_@$/:"  # Latin, digits, separators, l33t signs
    "ａｂｃＷＥＣＨＡＴ０１２３．＠"  # full-width Latin
    "аеорсхуАЕОРСвмнтѕіјԁ"  # Cyrillic look-alikes
    "αβεικνορτυχωἀ"  # Greek look-alikes
    "օսցհ"  # Armenian
    "éèüñçøÅǅßẞİıɡɑʏйё"  # accents, title case, special case folds
    "\u0301\u0308\u20d0\ufe20"  # combining marks
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u180e\u3164"  # invisible
    "\ufe0f\U000e0100\U000e01ef\U000e0041\U0001d173"  # selectors, tags, musical
    "\x00\x07\x1b\x7f\x85\t\n\r"  # controls
    "😀🔥👍❤👨\U0001f1e8\U0001f1f3\U0001f3fb™①㈱ﬁ"  # emoji, compatibility forms
)
TEXT = st.one_of(
    st.text(st.sampled_from(TRICKY), max_size=60),
    # What plain Chinese text is made of, and its neighbours.
    st.text(
        st.sampled_from("加微信 Ab1.,\t\n\r、。，！？：；（）\u3000…～\x7f\x85丽\uf900ＡA"),
        max_size=30,
    ),
    # Single letters and separators: what spread-out text is made of.
    st.text(st.sampled_from("ab1Z .-_,@$é加\u200b。、"), max_size=30),
    st.text(st.characters(codec=None, categories=None), max_size=40),
    st.lists(
        st.sampled_from(["w e c h a t", "w.e.c.h.a.t", "加 微 信", "t.me", "w3ch@t", "a b"]),
        max_size=5,
    ).map(" ".join),
)


@settings(max_examples=1500, deadline=None)
@given(text=TEXT)
@example(text="w\U000e0100echat")
@example(text="请加 微 信，谢谢！")
@example(text="\U000e0041spam")
@example(text="ok\u200b\U000e0100")
@example(text="a\ud800，b\udc00、c")  # lone surrogates
@example(text="加微信、代开。发票_x")
@example(text="请加VX：ABC，谢谢！\t好的…～（）")  # plain Chinese, every mark it may hold
def test_the_fold_is_the_reference_fold(text: str) -> None:
    folded = normalize.fold(text)
    assert folded == reference.fold(text)
    assert normalize.fold_spaced(text) == reference.fold_spaced(text)
    assert normalize.squash(folded) == reference.squash(folded)
    assert normalize.has_latin(folded) == reference.has_latin(folded)
    assert normalize.despread(folded) == reference.despread(folded)
    assert normalize.latin_words(folded) == reference.latin_words(folded)
    assert set(normalize.latin_word_list(folded)) == reference.latin_words(folded)


@settings(max_examples=1000, deadline=None)
@given(text=TEXT)
@example(text="好<:pepe:123>，谢谢")
@example(text="好\t\n\r，。、")
@example(text="好 SHOUTING，谢谢")
def test_what_a_plain_text_lets_the_view_skip(text: str) -> None:
    """A plain text (the fold tells) skips the emoji scan and the second fold
    with invisible characters as spaces: both would find nothing."""
    folded, plain = normalize.fold_plain(text)
    assert folded == reference.fold(text)
    assert plain == normalize.is_plain(text)
    # Whole text of plain characters, and no character that is not one.
    assert plain == (normalize._NOT_PLAIN_CHINESE.search(text) is None)
    assert detect.count_emoji(text, plain=plain) == detect.count_emoji(text)
    assert detect.count_caps(text, plain=plain) == detect.count_caps(text)
    if plain:
        assert reference.fold_spaced(text) is None


@settings(max_examples=1000, deadline=None)
@given(text=TEXT)
@example(text="请加 微 信，谢谢！")
@example(text="好 SHOUTING，谢谢、。")
@example(text="ＡＢ加")
def test_a_plain_text_folds_and_squashes_on_its_bytes(text: str) -> None:
    """A plain non-ASCII text is folded and squashed on its UTF-8 bytes
    (`fold_view`, `squash_utf8`): the same fold and squash as the
    reference, and what the view gives."""
    folded, plain, utf8 = normalize.fold_view(text)
    assert (folded, plain) == normalize.fold_plain(text)
    assert folded == reference.fold(text)
    assert (utf8 is not None) == (plain and not text.isascii())
    if utf8 is not None:
        assert utf8 == folded.encode()
        assert normalize.squash_utf8(utf8) == reference.squash(folded)
    view = MessageView(text, "telegram:-1", "telegram:1", 0.0)
    assert view.squashed == reference.squash(reference.fold(text))


def test_every_ideograph_of_a_plain_text_is_alphanumeric() -> None:
    """What `squash_utf8` relies on to skip the regular expression: after
    the ASCII separators and 、。 go, a plain text holds only letters and
    digits."""
    ideographs = "".join(map(chr, range(0x4E00, 0xA000)))
    assert normalize.is_plain(ideographs)
    assert ideographs.isalnum()
    assert not re.search(r"[\W_]", ideographs)


@settings(max_examples=600, deadline=None)
@given(text=st.text(st.sampled_from("0123456789 -+().a٣"), max_size=30) | TEXT)
@example(text="138-1234-5678")
@example(text="1 2 3 4 5 6")
def test_phone_numbers_are_found_as_before(text: str) -> None:
    folded, plain = normalize.fold_plain(text)
    found = tuple(m.group() for m in detect._PHONE.finditer(folded))
    assert detect.find_phones(folded) == found
    assert detect.find_phones(folded, plain=plain) == found
    assert detect.find_phones(text) == tuple(m.group() for m in detect._PHONE.finditer(text))


def _links_as_before(folded: str) -> tuple[str, ...]:
    """`detect.find_links` before its one-character checks came first."""
    if not (
        "." in folded
        or "。" in folded
        or "(" in folded
        or "[" in folded
        or "dot" in folded
        or "点" in folded
    ):
        return ()
    if detect._HIDDEN_HINT.search(folded):
        folded = detect._HIDDEN_DOT.sub(".", folded)
    if not detect._LINK_HINT.search(folded):
        return ()
    return tuple(m.group() for m in detect._LINK.finditer(folded))


@settings(max_examples=1000, deadline=None)
@given(
    text=st.text(st.sampled_from("ab1 .:/([{}])【】（）。点dotwhtps"), max_size=40)
    | st.lists(
        st.sampled_from(["example", "dot", "com", "(dot)", "{dot}", "【点】", "。", "://", "http"]),
        max_size=6,
    ).map(" ".join)
    | TEXT
)
@example(text="dot http://localhost/x")
@example(text="example{dot}com")
@example(text="example【点】com")
def test_links_are_found_as_before(text: str) -> None:
    assert detect.find_links(normalize.fold(text)) == _links_as_before(normalize.fold(text))
    assert detect.find_links(text) == _links_as_before(text)


REGEXES = [
    r"\b[0-9a-z]{3,}@(?:qq|163)\.com",
    r"\d+\.\d+%",
    r"加v.{0,3}@",
    r"free-?coin:",
    r"a@?b",
]


@settings(max_examples=600, deadline=None)
@given(
    pattern=st.sampled_from(REGEXES),
    text=st.text(st.sampled_from("abcoqm163@.%:-加vＶ０ 9free"), max_size=40),
)
@example(pattern=REGEXES[0], text="abc@qq.com")
@example(pattern=REGEXES[0], text="abcqq.com")
def test_a_regular_expression_entry_matches_where_it_matches(pattern: str, text: str) -> None:
    """Punctuation every match holds is looked for first; the answer is the
    expression's own on the folded text."""
    view = MessageView(text, "console:g1", "console:m1", 0.0)
    found = Blocklist([[f"re:{pattern}"]]).search(view)[0]
    expected = re.search(pattern, normalize.fold(text), re.IGNORECASE)
    assert (found is not None) == (expected is not None)
    if found is not None and expected is not None:
        assert found.text == expected.group()
