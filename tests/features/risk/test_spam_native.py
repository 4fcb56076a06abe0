"""The compiled scorer (`_scorer.c`) against the pure-Python path it
replaces on the message path: the same distinct features (as keys: the
64-bit hash of each feature string), as many of them, and the same margin
within 1e-9 (a sum in another order), on the tests' ham, the held-out set,
the shipped samples, long pastes and generated texts of any Unicode; after
moderators teach the model (the table is made again); through a pickle (the
kept model); `spam eval` prints the same either way; and the detector gives
the same verdicts with the pure path forced.

These tests need the module built (`pip install -e .`, which `make`
runs): `test_the_compiled_scorer_is_built` fails where it is not, so a CI
run cannot pass on the fallback alone."""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.risk import SpamConfig
from bot.features.risk.spam import kept, native
from bot.features.risk.spam.checks import (
    Detector,
    explain,
    features,
    head,
    margin,
    reasons,
    tokens,
)
from bot.features.risk.spam.evaluate import evaluate
from bot.features.risk.spam.features import features as text_features
from bot.features.risk.spam.features import structure
from bot.features.risk.spam.linear import BIAS, LinearModel
from bot.features.risk.spam.model import HAM, SPAM, SpamModel, parse_samples
from bot.features.risk.spam.model import distinctive as distinctive_strings
from bot.features.risk.spam.training import default_samples, fit, shipped_model
from rules import detect
from rules.message import MessageView
from rules.normalize import fold
from tests.conftest import ROOT
from tests.features.risk.test_spam_scorer import ALPHABET, TEXTS, corpora

# Where it is not built, every test here fails saying so (`compiled`).
with contextlib.suppress(ImportError):
    from bot.features.risk.spam._scorer import (
        GRAM_CHARS,
        MAX_CHARS,
        Table,
        distinctive,
        key,
        keys,
    )

NOT_BUILT = (
    "bot/features/risk/spam/_scorer.c is not built here: `pip install -e .` (`make`) builds it "
    "in place, or `make scorer` for a checkout run with another checkout's venv"
)


@pytest.fixture(autouse=True)
def compiled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Built, and whatever the shell says, these tests choose the path
    themselves."""
    if not native.BUILT:
        pytest.fail(NOT_BUILT)
    monkeypatch.delenv(native.PURE, raising=False)
    yield


def view_of(text: str) -> MessageView:
    return head(MessageView(text=text, group="g", sender="s", at=0.0))


def assert_same(linear: LinearModel, text: str) -> None:
    """The compiled scorer's features, count and margin are the strings'."""
    table = linear.table()
    assert table is not None
    view = view_of(text)
    found = features(view)
    got = keys(view.folded, tokens(view))
    assert len(got) == len(set(got)) == len(found), text
    assert set(got) == {key(f) for f in found}, text
    assert abs(table.margin(view.folded, tokens(view)) - linear.margin(found)) <= 1e-9, text
    total, n = table.score(view.folded, tokens(view))
    assert n == len(found)
    assert abs(total - sum(linear.weights.get(f, 0.0) for f in found)) <= 1e-9
    # What the similarity index compares.
    close = distinctive(view.folded, tokens(view))
    assert close == {key(f) for f in distinctive_strings(found)}, text
    # The message path, a fresh view: what `model_check` scores.
    assert abs(margin(linear, view_of(text)) - linear.margin(found)) <= 1e-9, text
    # Outside a view too (`features.features`: the whole text's tokens).
    folded = fold(text)
    whole = structure(
        text, detect.find_links(folded), detect.find_handles(folded), detect.find_phones(folded)
    )
    assert set(keys(folded, whole)) == {key(f) for f in text_features(text)}, text


def test_the_compiled_scorer_is_built() -> None:
    assert native.BUILT, NOT_BUILT
    assert (MAX_CHARS, GRAM_CHARS) == (1000, 500)
    assert isinstance(shipped_model().copy().linear.table(), Table)


def test_the_corpora_score_alike() -> None:
    linear = shipped_model().linear
    texts = corpora()
    assert len(texts) > 1_900
    held_out = (ROOT / "data" / "spam_test.tsv").read_text("utf-8")
    assert sum(1 for line in held_out.splitlines() if line.partition("\t")[2] in texts) >= 85
    for text in texts:
        assert_same(linear, text)
    pastes = ["项目 进展 顺利 42 " * 900, "🔥 FREE USDT t.me/+abc @promo_bot 138 0013 8000 " * 250]
    for text in pastes:
        assert_same(linear, text)


def test_why_names_the_same_reasons_from_the_compiled_keys() -> None:
    # `/why` on a flagged message: the scorer's positive keys, named, give
    # what `explain` gives from the feature strings.
    model = shipped_model()
    flagged = 0
    for text in corpora():
        view = head(MessageView(text=text, group="g", sender="s", at=0.0))
        expected = explain(model, features(view))
        assert reasons(model, view) == expected, text
        flagged += bool(expected)
    assert flagged > 500


def test_the_table_holds_every_weight_under_its_own_key() -> None:
    """No two of the shipped model's 36k weighted features share a key."""
    linear = shipped_model().linear
    table = linear.table()
    assert table is not None
    assert len(table) == len(linear.weights) > 30_000
    assert table.bias == linear.weights[BIAS]
    assert all(table.weight(f) == w for f, w in linear.weights.items())
    assert table.weight("no such feature") is None


# Beyond the scorer test's alphabet: whitespace outside ASCII (and the
# look-alikes that are not whitespace), digits of other scripts and of
# the astral planes, numbers that are not digits, astral letters and
# emoji, combining marks, CJK next to the ranges the words leave out.
MORE = (
    "\u1680\u2000\u2007\u200a\u202f\u205f\u180e\u200b\ufeff_"
    "٠١۲߀０９¹⁰𝟎𝟗፩፪᧚Ⅻ〇ǅ\u0301𠀀𠮷😀🇨🇳한국어مرحبا豈⼀\U000e0041"
)  # fmt: skip
WIDE = st.one_of(
    TEXTS,
    st.text(alphabet=ALPHABET + MORE, max_size=120),
    st.text(st.characters(codec="utf-8"), max_size=60),
    st.text(alphabet="123456789 0\t\n\u3000ab", min_size=990, max_size=1_010),
)


@settings(max_examples=500, deadline=None)
@given(text=WIDE)
def test_generated_texts_score_alike(text: str) -> None:
    assert_same(shipped_model().linear, text)


@settings(max_examples=30, deadline=None)
@given(taught=st.lists(st.tuples(st.booleans(), WIDE), min_size=1, max_size=4), probe=WIDE)
def test_a_taught_model_scores_alike(taught: list[tuple[bool, str]], probe: str) -> None:
    """`/spam` and `/ham` change the weights in place: the table follows."""
    model: SpamModel = shipped_model().copy()
    before = model.linear.table()
    for spam, text in taught:
        model.learn(SPAM if spam else HAM, text)
        after = model.linear.table()
        assert after is not before
        assert after is not None and len(after) == len(model.linear.weights)
        assert all(after.weight(f) == w for f, w in model.linear.weights.items())
        assert_same(model.linear, text)
        before = after
    assert_same(model.linear, probe)


def test_a_moderators_sample_moves_the_compiled_score() -> None:
    model = shipped_model().copy()
    text = "quiet solar panel meetup in the park on friday"
    was = margin(model.linear, view_of(text))
    model.learn(SPAM, text)
    now = margin(model.linear, view_of(text))
    assert now > was
    assert now == pytest.approx(model.linear.margin(features(view_of(text))), abs=1e-9)


def test_the_keyed_index_follows_what_moderators_teach() -> None:
    """Spam taught after the keyed index was first used is found too."""
    model = shipped_model().copy()
    detector = Detector(SpamConfig(), model)
    first = "summer internship at the wind farm, apply by friday via the portal"
    second = "会员 群里 每天 发 三次 打卡 截图 给 管理员 领 奖励"
    model.learn(SPAM, first)
    hit = detector.similar(view_of(first + "!"), False)
    assert hit.hit and first[:20] in hit.details
    assert not detector.similar(view_of(second), False).hit
    model.learn(SPAM, second)
    assert len(model.spam_index.keyed()) == len(model.spam_index) == 2
    hit = detector.similar(view_of(second), False)
    assert hit.hit and second[:10] in hit.details


def test_the_kept_model_is_pickled_without_its_table(tmp_path: Path) -> None:
    samples = [(SPAM, "加微信 领取免费资料"), (SPAM, "casino bonus now"), (HAM, "see you friday")]
    model = kept.kept_fit(samples, fit, tmp_path)
    assert model.linear.table() is not None
    loaded = kept.kept_fit(samples, fit, tmp_path)
    assert loaded is not model and loaded.linear._table is None
    again = pickle.loads(pickle.dumps(model))
    for other in (loaded, again):
        table = other.linear.table()
        assert table is not None and len(table) == len(model.linear.weights)
        view = view_of("加微信 领取资料")
        assert margin(other.linear, view) == margin(model.linear, view_of("加微信 领取资料"))


def test_the_fingerprint_leaves_out_the_built_module(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A build (or an install without a compiler) costs no fresh fit; an
    edit of the source still does."""
    (tmp_path / "features.py").write_text("GRAMS = 4\n")
    (tmp_path / "_scorer.c").write_text("int x;\n")
    monkeypatch.setattr(kept, "_PACKAGES", (tmp_path,))
    before = kept.fingerprint([(SPAM, "x")])
    (tmp_path / "_scorer.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    (tmp_path / "_scorer.abi3.so").write_bytes(b"\x7fELF")
    assert kept.fingerprint([(SPAM, "x")]) == before
    (tmp_path / "_scorer.c").write_text("int y;\n")
    assert kept.fingerprint([(SPAM, "x")]) != before


def test_the_pure_path_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """`GROUPKEEPER_PURE_SPAM=1`: no table, the detector scores the feature
    strings and compares them with moderators' spam, and every verdict,
    reason and score reads as the compiled path's."""
    texts = [t for t in corpora() if len(t) > 3]
    taught = shipped_model().copy()
    # Moderators' /spam on a tenth of the texts: the similarity index.
    for text in texts[5::10]:
        taught.learn(SPAM, text)
    compiled = Detector(SpamConfig(), taught.copy())
    assert compiled.model.linear.table() is not None
    monkeypatch.setenv(native.PURE, "1")
    assert not native.wanted() and native.table({}, 0.0) is None
    pure = Detector(SpamConfig(), taught.copy())
    assert pure.model.linear.table() is None
    flagged = similar = 0
    for i, text in enumerate(texts[::3]):
        a, b = (MessageView(text=text, group="g", sender=f"{who}{i}", at=i) for who in ("a", "b"))
        verdict = compiled.check(a, newcomer=True)
        assert verdict == pure.check(b, newcomer=True), text
        flagged += any(r.rule == "model" for r in verdict.hits)
        # Similarity runs only when nothing else hit: asked here for all.
        close = compiled.similar(a, False)
        assert close == pure.similar(b, False), text
        similar += close.hit
    assert flagged > 50 and similar > 50
    monkeypatch.setenv(native.PURE, "0")
    assert native.wanted()


def test_spam_eval_prints_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `spam eval` prints (its figures and operating points), the
    shipped model on the held-out file, but for the timings."""
    built: list[Table | None] = []
    make = native.table

    def spied(weights: dict[str, float], bias: float) -> Table | None:
        built.append(make(weights, bias))
        return built[-1]

    monkeypatch.setattr(native, "table", spied)
    train = default_samples()
    test, _ = parse_samples((ROOT / "data" / "spam_test.tsv").read_text("utf-8").splitlines())
    runs = []
    for pure in ("0", "1"):
        monkeypatch.setenv(native.PURE, pure)
        result = evaluate(train, test, model=shipped_model().copy())
        figures = result.as_json()
        for timing in ("median_us", "mean_us", "p99_us"):
            figures.pop(timing)
        shown = [line for line in result.render().splitlines() if "µs per message" not in line]
        runs.append((figures, shown))
    assert [t is not None for t in built] == [True, False]
    assert runs[0] == runs[1]
    assert runs[0][0]["tested"] == 90 and runs[0][0]["true_positives"] > 30
    assert len(runs[0][1]) > 8


def test_bad_input_is_refused_with_a_type_error() -> None:
    with pytest.raises(TypeError):
        Table({1: 0.5})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        Table({"a": "heavy"})  # type: ignore[dict-item]
    table = Table({"ab": 1.0})
    with pytest.raises(TypeError):
        table.margin(b"ab", [])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        table.margin("ab", [1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        table.margin("ab", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        keys("ab")  # type: ignore[call-arg]
    # " a", "ab", "b ", " ab", "ab ", " ab " and "w:ab".
    assert table.margin("ab", []) == pytest.approx(1.0 / 7**0.5)
