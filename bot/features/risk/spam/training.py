"""Fitting the spam model on labelled samples, with its calibration, and
the model groupkeeper ships: fitted once per process from
`bot/data/spam_*.tsv` (written for groupkeeper: Chinese, English and
Russian), so the shipped model is always the one its samples make.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from bot.features.risk.spam.calibration import Calibration
from bot.features.risk.spam.features import features
from bot.features.risk.spam.kept import kept_fit
from bot.features.risk.spam.linear import LinearModel, Settings
from bot.features.risk.spam.model import SPAM, SpamModel, parse_samples

# The calibration scores every sample with a model fitted on the other
# folds: all the ham is held-out ham once, and 0.5% of it is a number of
# messages rather than a fraction of one.
FOLDS = 3


def fit(samples: Sequence[tuple[str, str]], settings: Settings | None = None) -> SpamModel:
    """Fit on all samples; calibrate on out-of-fold scores (each sample
    scored by a model fitted without its fold), so the thresholds come from
    data the scoring model never saw and the weights from all of it."""
    rows = [(features(text), label == SPAM, text) for label, text in samples]
    rows = [r for r in rows if r[0]]
    seen = {True: 0, False: 0}
    fold_of: list[int] = []
    for _, spam, _ in rows:
        fold_of.append(seen[spam] % FOLDS)
        seen[spam] += 1
    ham: list[tuple[float, str]] = []
    spam_margins: list[float] = []
    if min(seen.values()) >= FOLDS:
        for k in range(FOLDS):
            partial = LinearModel(settings)
            partial.fit([(f, s) for (f, s, _), i in zip(rows, fold_of, strict=True) if i != k])
            for (found, spam, text), i in zip(rows, fold_of, strict=True):
                if i == k:
                    margin = partial.margin(found)
                    if spam:
                        spam_margins.append(margin)
                    else:
                        ham.append((margin, text))
    final = LinearModel(settings)
    final.fit([(f, s) for f, s, _ in rows])
    # The similarity index is for what moderators teach later: the model
    # has learned the file itself, and thousands of samples sharing common
    # n-grams would make every lookup long.
    return SpamModel(final, Calibration(tuple(ham), tuple(spam_margins)), samples=len(rows))


def default_samples() -> list[tuple[str, str]]:
    """The samples shipped with groupkeeper: `bot/data/spam_*.tsv`, in the
    order of their names (the fit is the same from run to run)."""
    data = resources.files("bot").joinpath("data")
    samples: list[tuple[str, str]] = []
    for name in sorted(f.name for f in data.iterdir() if f.name.startswith("spam_")):
        if name.endswith(".tsv"):
            found, _ = parse_samples(data.joinpath(name).read_text("utf-8").splitlines())
            samples += found
    return samples


@cache
def shipped_model() -> SpamModel:
    """The starting model, fitted once (kept between runs, `kept.py`); every
    guard teaches its own copy."""
    return kept_fit(default_samples(), fit)
