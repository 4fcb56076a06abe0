"""The spam detector alone: µs per message, median and p99, on the held-out
samples, on generated chat (the engine bench's mix), on the same chat in a
community whose moderators taught spam (`/spam` on the held-out spam: the
similarity check runs on every message the model lets through) and on long
pastes (the worst case), each message a fresh `MessageView` as on the
message path, with the shipped model. The first line says which scorer
ran: the compiled one, or pure Python (not built, or
`GROUPKEEPER_PURE_SPAM=1`).

    .venv/bin/python bench/spam.py [--rounds 20] [--newcomer]
    BENCH_TREE=<another checkout> .venv/bin/python bench/spam.py   # before/after

Two clocks: wall time, and the thread's CPU time, which leaves out the time
the process waits for a core (on a shared machine the wall p99 measures the
neighbours). The reference, measured in the same run on the same messages,
is the work every message gets before the detector anyway: the fold and
one scan of the stop words (a message's floor), and, when scikit-learn is
importable (a throwaway venv, never the project's), the reference
classifier of issue 17 (TF-IDF word 1-2 + char_wb 2-4, logistic
regression) trained on the same samples.

Not a test: figures go in the closing notes, not in assertions.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from bot.config.risk import SpamConfig  # noqa: E402
from bot.features.risk.spam.checks import Detector, stop_words_check  # noqa: E402
from bot.features.risk.spam.model import SPAM, SpamModel, parse_samples  # noqa: E402
from bot.features.risk.spam.training import default_samples, shipped_model  # noqa: E402
from rules.message import MessageView  # noqa: E402

WORDS_EN = ["the", "a", "solar", "grid", "battery", "founders", "funding", "pitch", "deck"]
CHARS_ZH = "我们今天讨论新能源项目融资的经验欢迎大家分享观点储能光伏电池市场"
WORDS_RU = ["мы", "сегодня", "обсуждаем", "проект", "встреча", "в", "пятницу", "кто", "идёт"]


def chat(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return "".join(rng.choice(CHARS_ZH) for _ in range(rng.choice([2, 4, 8, 16, 30, 60])))
    words = WORDS_EN if r < 0.85 else WORDS_RU
    return " ".join(rng.choice(words) for _ in range(rng.choice([1, 3, 6, 12, 25, 40])))


def long_pastes(rng: random.Random) -> list[str]:
    """5k-13k-character messages: logs, articles, spam walls."""
    out = []
    for n in (5_000, 8_000, 13_000):
        out.append("".join(rng.choice(CHARS_ZH) for _ in range(n)))
        out.append(" ".join(rng.choice(WORDS_EN) for _ in range(n // 6)))
        out.append(("🔥 FREE USDT airdrop t.me/+abc @promo_bot 138 0013 8000 " * (n // 55))[:n])
    return out


Check = Callable[[MessageView], object]


def measure(check: Check, texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """(wall µs, CPU µs) per message."""
    wall: list[float] = []
    cpu: list[float] = []
    clock, thread = time.perf_counter, time.thread_time
    n = 0
    for _ in range(rounds):
        for text in texts:
            n += 1
            view = MessageView(text=text, group=f"g{n % 50}", sender=f"m{n}", at=float(n))
            t0, c0 = clock(), thread()
            check(view)
            c1, t1 = thread(), clock()
            wall.append((t1 - t0) * 1e6)
            cpu.append((c1 - c0) * 1e6)
    return wall, cpu


def _p(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * q))]


def report(name: str, figures: tuple[list[float], list[float]]) -> None:
    wall, cpu = figures
    print(
        f"  {name:<34} {len(wall):>7,} msgs  median {statistics.median(wall):7.1f} µs"
        f"  p99 {_p(wall, 0.99):8.1f} µs  max {max(wall):8.1f} µs"
        f"  | cpu median {statistics.median(cpu):7.1f}  p99 {_p(cpu, 0.99):8.1f}"
    )


def scorer(model: SpamModel) -> str:
    """Which scorer the detector runs (a tree older than the compiled one
    has only the pure-Python path)."""
    table = getattr(model.linear, "table", None)
    return "compiled" if table is not None and table() is not None else "pure-Python"


def sklearn_reference() -> Check | None:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-not-found]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found]
        from sklearn.pipeline import make_union  # type: ignore[import-not-found]
    except ImportError:
        return None
    samples = default_samples()
    vec = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True),
    )
    x = vec.fit_transform([t for _, t in samples])
    clf = LogisticRegression(C=10, class_weight="balanced", max_iter=2000)
    clf.fit(x, [label == "spam" for label, _ in samples])
    return lambda view: clf.predict(vec.transform([view.text]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--newcomer", action="store_true", help="newcomers' checks (all of them)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    model = shipped_model()
    fitted = time.perf_counter() - t0
    config = SpamConfig()
    detector = Detector(config, model)
    newcomer = args.newcomer
    held_out, _ = parse_samples((ROOT / "data/spam_test.tsv").read_text("utf-8").splitlines())
    rng = random.Random(7)
    generated = [chat(rng) for _ in range(2000)]
    long = long_pastes(rng)
    texts = [t for _, t in held_out]
    stop_words = stop_words_check(config.stop_words)

    def floor(view: MessageView) -> object:
        return stop_words(view, newcomer)

    def detect(view: MessageView) -> object:
        return detector.check(view, newcomer=newcomer)

    taught_model = model.copy()
    for label, text in held_out:
        if label == SPAM:
            taught_model.learn(SPAM, text)
    taught = Detector(config, taught_model)

    def detect_taught(view: MessageView) -> object:
        return taught.check(view, newcomer=newcomer)

    # Warm the caches (regexes, the blocklist) as a running bot has.
    measure(detect, texts + generated + long, 1)
    measure(detect_taught, generated, 1)
    gc.collect()
    who = "newcomers" if newcomer else "members not yet approved"
    print(
        f"spam detector, shipped model ({model.samples} samples, {len(model.linear.weights):,} "
        f"weights, fitted in {fitted:.1f} s), {who}, {scorer(model)} scorer, tree {ROOT}:"
    )
    rounds = args.rounds
    report("held-out samples", measure(detect, texts, rounds))
    report("generated chat", measure(detect, generated, max(1, rounds // 4)))
    spam = len(taught_model.spam_index)
    report(f"chat, {spam} spam taught", measure(detect_taught, generated, max(1, rounds // 4)))
    report("long pastes (5k-13k chars)", measure(detect, long, max(1, rounds // 4)))
    print("reference, same messages, same run:")
    report("fold + stop-word scan: held-out", measure(floor, texts, rounds))
    report("fold + stop-word scan: chat", measure(floor, generated, max(1, rounds // 4)))
    report("fold + stop-word scan: long", measure(floor, long, max(1, rounds // 4)))
    reference = sklearn_reference()
    if reference is None:
        print("  scikit-learn reference: not importable here (run in a throwaway venv)")
    else:
        report("scikit-learn reference: held-out", measure(reference, texts, 1))
        report("scikit-learn reference: chat", measure(reference, generated[:300], 1))
        report("scikit-learn reference: long", measure(reference, long, 1))


if __name__ == "__main__":
    main()
