"""`groupkeeper spam eval`: train on one labelled file, test on another, and
measure the detector as it runs on members who are not yet approved."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bot.config.risk import SpamConfig
from bot.features.risk.spam.checks import Detector
from bot.features.risk.spam.model import SPAM, SpamModel
from rules.message import MessageView


@dataclass(frozen=True, slots=True)
class Evaluation:
    trained: int
    tested: int
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    false_positive_rate: float
    median_us: float
    mean_us: float
    # The test texts it got wrong: (expected label, text).
    mistakes: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out["mistakes"] = [{"expected": e, "text": t} for e, t in self.mistakes]
        return out

    def render(self) -> str:
        lines = [
            f"trained on {self.trained} samples, tested on {self.tested}",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"false-positive rate {self.false_positive_rate:.3f}",
            f"tp {self.true_positives}  fp {self.false_positives}  "
            f"tn {self.true_negatives}  fn {self.false_negatives}",
            f"{self.median_us:.1f} µs per message (median), {self.mean_us:.1f} µs (mean)",
        ]
        lines += [f"wrong: expected {e}: {t}" for e, t in self.mistakes]
        return "\n".join(lines)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def evaluate(
    train: Sequence[tuple[str, str]],
    test: Sequence[tuple[str, str]],
    config: SpamConfig | None = None,
    *,
    newcomer: bool = False,
) -> Evaluation:
    """Every test message is posted by a different member, in one group, a
    minute apart, so that the duplicate check sees no wave."""
    config = config or SpamConfig()
    model = SpamModel()
    model.learn_all(train)
    detector = Detector(config, model)
    tp = fp = tn = fn = 0
    times: list[float] = []
    mistakes: list[tuple[str, str]] = []
    clock = time.perf_counter
    for i, (label, text) in enumerate(test):
        view = MessageView(text=text, group="eval", sender=f"m{i}", at=60.0 * i)
        t0 = clock()
        spam = detector.check(view, newcomer=newcomer).spam
        times.append((clock() - t0) * 1e6)
        if label == SPAM:
            tp, fn = (tp + 1, fn) if spam else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if spam else (fp, tn + 1)
        if spam != (label == SPAM):
            mistakes.append((label, text))
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    return Evaluation(
        trained=len(train),
        tested=len(test),
        true_positives=tp,
        false_positives=fp,
        true_negatives=tn,
        false_negatives=fn,
        precision=precision,
        recall=recall,
        f1=f1,
        false_positive_rate=_ratio(fp, fp + tn),
        median_us=statistics.median(times) if times else 0.0,
        mean_us=statistics.fmean(times) if times else 0.0,
        mistakes=tuple(mistakes),
    )
