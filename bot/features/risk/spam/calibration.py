"""Thresholds chosen for a false-positive rate, not guessed: at training
time each sample is scored by a model fitted without it (cross-fitting),
and those scores are kept. An owner's
`risk.spam.max_false_positive_rate` then picks the score above which only
that share of held-out ordinary chat lies, once the other checks (stop
words, meta checks, similarity) have taken their share of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Never flag what the model finds more likely chat than spam, whatever the
# held-out data says (a small sample of chat can all score low).
FLOOR = 0.0


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class Calibration:
    """Held-out ham and spam as the model trained without them scored them
    (log-odds), with the ham texts, which the other checks read again."""

    ham: tuple[tuple[float, str], ...] = ()
    spam: tuple[float, ...] = ()

    def threshold(self, rate: float, caught: Sequence[bool]) -> float | None:
        """The lowest margin at which at most `rate` of held-out ham is
        flagged, counting the ham the other checks catch (`caught`, one per
        ham) first. None without held-out ham."""
        if not self.ham:
            return None
        allowed = max(0, math.floor(rate * len(self.ham) + 1e-9) - sum(caught))
        left = sorted(
            (m for (m, _), c in zip(self.ham, caught, strict=True) if not c), reverse=True
        )
        if allowed >= len(left):
            return FLOOR
        return max(FLOOR, math.nextafter(left[allowed], math.inf))

    def recall(self, threshold: float) -> float:
        """The share of held-out spam the model alone flags at `threshold`."""
        if not self.spam:
            return 0.0
        return sum(1 for m in self.spam if m >= threshold) / len(self.spam)
