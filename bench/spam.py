"""The spam detector alone: µs per message, median and p99, on the held-out
samples and on generated chat (the engine bench's mix), each message a fresh
`MessageView` as on the message path.

    .venv/bin/python bench/spam.py [--rounds 20] [--newcomer]

Not a test: figures go in the closing notes, not in assertions.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config.risk import SpamConfig  # noqa: E402
from bot.features.risk.spam.checks import Detector  # noqa: E402
from bot.features.risk.spam.guard import default_samples  # noqa: E402
from bot.features.risk.spam.model import SpamModel, parse_samples  # noqa: E402
from rules.message import MessageView  # noqa: E402

WORDS_EN = ["the", "a", "solar", "grid", "battery", "founders", "funding", "pitch", "deck"]
CHARS_ZH = "我们今天讨论新能源项目融资的经验欢迎大家分享观点储能光伏电池市场"


def chat(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "".join(rng.choice(CHARS_ZH) for _ in range(rng.choice([2, 4, 8, 16, 30, 60])))
    return " ".join(rng.choice(WORDS_EN) for _ in range(rng.choice([1, 3, 6, 12, 25, 40])))


def measure(detector: Detector, texts: list[str], rounds: int, newcomer: bool) -> list[float]:
    times: list[float] = []
    clock = time.perf_counter
    n = 0
    for _ in range(rounds):
        for text in texts:
            n += 1
            view = MessageView(text=text, group=f"g{n % 50}", sender=f"m{n}", at=float(n))
            t0 = clock()
            detector.check(view, newcomer=newcomer)
            times.append((clock() - t0) * 1e6)
    return times


def report(name: str, times: list[float]) -> None:
    times.sort()
    p99 = times[int(len(times) * 0.99)]
    print(
        f"  {name:<22} {len(times):>7,} messages  median {statistics.median(times):6.1f} µs"
        f"  p99 {p99:7.1f} µs  mean {statistics.fmean(times):6.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--newcomer", action="store_true", help="newcomers' checks (all of them)")
    args = parser.parse_args()
    model = SpamModel()
    model.learn_all(default_samples())
    detector = Detector(SpamConfig(), model)
    held_out, _ = parse_samples((ROOT / "data/spam_test.tsv").read_text("utf-8").splitlines())
    rng = random.Random(7)
    generated = [chat(rng) for _ in range(2000)]
    # Warm the caches (Bayes weights, regexes) as a running bot has.
    measure(detector, [t for _, t in held_out] + generated, 1, args.newcomer)
    who = "newcomers" if args.newcomer else "members not yet approved"
    print(f"spam detector, {model.samples} samples learned, {who}:")
    report(
        "held-out samples", measure(detector, [t for _, t in held_out], args.rounds, args.newcomer)
    )
    report("generated chat", measure(detector, generated, max(1, args.rounds // 4), args.newcomer))


if __name__ == "__main__":
    main()
