"""`groupkeeper spam eval`: train on one labelled file, test on another, and
measure the detector as it runs on members not yet approved (or newcomers),
with the operating points of other false-positive targets beside it."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bot.config.risk import SpamConfig
from bot.features.risk.spam.checks import Detector, margin
from bot.features.risk.spam.model import SPAM, SpamModel
from bot.features.risk.spam.training import fit
from rules.message import MessageView

# The false-positive targets whose operating points `spam eval` prints.
TARGETS = (0.001, 0.005, 0.01, 0.02, 0.05)


@dataclass(frozen=True, slots=True)
class Point:
    """One threshold and what it gives on the test file."""

    target: float | None  # the false-positive rate asked for; None: probability 0.5
    threshold: float
    precision: float
    recall: float
    f1: float
    false_positive_rate: float


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
    p99_us: float = 0.0
    threshold: float = 0.0
    points: tuple[Point, ...] = ()
    # The test texts it got wrong: (expected label, text).
    mistakes: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out["mistakes"] = [{"expected": e, "text": t} for e, t in self.mistakes]
        return out

    def render(self, mistakes: bool = True) -> str:
        lines = [
            f"trained on {self.trained} samples, tested on {self.tested}",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"false-positive rate {self.false_positive_rate:.4f}  "
            f"(threshold {self.threshold:+.2f} log-odds)",
            f"tp {self.true_positives}  fp {self.false_positives}  "
            f"tn {self.true_negatives}  fn {self.false_negatives}",
            f"{self.median_us:.1f} µs per message (median), {self.p99_us:.1f} µs (p99), "
            f"{self.mean_us:.1f} µs (mean)",
            "operating points (threshold from held-out training data -> on the test file):",
        ]
        for p in self.points:
            name = "p >= 0.5" if p.target is None else f"target fpr {p.target:.3f}"
            lines.append(
                f"  {name:<17} threshold {p.threshold:+6.2f}  precision {p.precision:.3f}  "
                f"recall {p.recall:.3f}  F1 {p.f1:.3f}  fpr {p.false_positive_rate:.4f}"
            )
        if mistakes:
            lines += [f"wrong: expected {e}: {t}" for e, t in self.mistakes]
        return "\n".join(lines)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _figures(flags: Sequence[tuple[bool, bool]]) -> tuple[int, int, int, int]:
    """(tp, fp, tn, fn) of (flagged, is spam) pairs."""
    tp = sum(1 for f, s in flags if f and s)
    fp = sum(1 for f, s in flags if f and not s)
    fn = sum(1 for f, s in flags if not f and s)
    return tp, fp, len(flags) - tp - fp - fn, fn


def _point(target: float | None, threshold: float, flags: list[tuple[bool, bool]]) -> Point:
    tp, fp, tn, fn = _figures(flags)
    return Point(
        target, threshold, _ratio(tp, tp + fp), _ratio(tp, tp + fn),
        _ratio(2 * tp, 2 * tp + fp + fn), _ratio(fp, fp + tn),
    )  # fmt: skip


def evaluate(
    train: Sequence[tuple[str, str]],
    test: Sequence[tuple[str, str]],
    config: SpamConfig | None = None,
    *,
    newcomer: bool = False,
    model: SpamModel | None = None,
) -> Evaluation:
    """Every test message is posted by a different member, in one group, a
    minute apart, so that the duplicate check sees no wave. `model`: one
    fitted already (on `train`)."""
    config = config or SpamConfig()
    if model is None:
        model = fit(train)
    detector = Detector(config, model)
    times: list[float] = []
    mistakes: list[tuple[str, str]] = []
    flags: list[tuple[bool, bool]] = []
    # For the operating points: each message's margin, and whether a check
    # other than the model flags it.
    scored: list[tuple[float, bool, bool]] = []
    clock = time.perf_counter
    linear = model.linear
    for i, (label, text) in enumerate(test):
        view = MessageView(text=text, group="eval", sender=f"m{i}", at=60.0 * i)
        t0 = clock()
        verdict = detector.check(view, newcomer=newcomer)
        times.append((clock() - t0) * 1e6)
        spam = verdict.spam
        flags.append((spam, label == SPAM))
        if spam != (label == SPAM):
            mistakes.append((label, text))
        others = any(r.hit for r in verdict.results if r.rule != "model")
        if not others and "similarity" not in {r.rule for r in verdict.results}:
            others = detector.similar(view, newcomer).hit
        scored.append((margin(linear, view), others, label == SPAM))
    threshold = detector.newcomer if newcomer else detector.regular
    points = [_point(None, 0.0, [(o or m >= 0.0, s) for m, o, s in scored])]
    for target in TARGETS:
        cfg = config.model_copy(
            update={
                "max_false_positive_rate": target, "newcomer_false_positive_rate": target,
                "threshold": None, "newcomer_threshold": None,
            }
        )  # fmt: skip
        at = Detector(cfg, model)
        t = at.newcomer if newcomer else at.regular
        points.append(_point(target, t, [(o or m >= t, s) for m, o, s in scored]))
    tp, fp, tn, fn = _figures(flags)
    times.sort()
    return Evaluation(
        trained=model.samples,
        tested=len(test),
        true_positives=tp,
        false_positives=fp,
        true_negatives=tn,
        false_negatives=fn,
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
        false_positive_rate=_ratio(fp, fp + tn),
        median_us=statistics.median(times) if times else 0.0,
        mean_us=statistics.fmean(times) if times else 0.0,
        p99_us=times[int(len(times) * 0.99)] if times else 0.0,
        threshold=threshold,
        points=tuple(points),
        mistakes=tuple(mistakes),
    )
