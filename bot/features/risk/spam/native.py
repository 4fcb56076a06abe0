"""The compiled scorer (`_scorer.c`), when it was built and is wanted.

Scoring a newcomer's message made a Python string for each of its few
hundred n-grams and looked each up in a dictionary of 36,000 weights:
most of what the detector cost, and inside the engine, where everything
else evicts those strings' memory between messages, twice as much as
alone. The compiled scorer keys the same features with a 64-bit hash of
their code points, without a string, and sums their weights from its own
table of those keys (`Table`, built from `LinearModel.weights` by
`LinearModel.native`).

It is optional: installed where no C compiler was, the module is missing
and the pure-Python path (`features.features` and `LinearModel.margin`),
its tested definition, scores alone. `GROUPKEEPER_PURE_SPAM` set to
anything but `0` chooses the pure path where the module is there too (read
whenever a model builds its table: after a fit, a copy, a load or a
moderator's `/spam`).
"""

from __future__ import annotations

import os

from bot.features.risk.spam.features import GRAM_CHARS, MAX_CHARS

try:
    from bot.features.risk.spam._scorer import GRAM_CHARS as _GRAM_CHARS
    from bot.features.risk.spam._scorer import MAX_CHARS as _MAX_CHARS
    from bot.features.risk.spam._scorer import Table, distinctive, key
except ImportError:  # built without a compiler: the pure path scores
    BUILT = False
else:
    # Bounds compiled in: a module built from another features.py is not used.
    BUILT = (_MAX_CHARS, _GRAM_CHARS) == (MAX_CHARS, GRAM_CHARS)

__all__ = ["BUILT", "PURE", "Table", "distinctive", "key", "table", "wanted"]
PURE = "GROUPKEEPER_PURE_SPAM"


def wanted() -> bool:
    """Whether the compiled scorer is there and not turned off."""
    return BUILT and os.environ.get(PURE, "0") in ("", "0")


def table(weights: dict[str, float], bias: float) -> Table | None:
    """The weights as the compiled scorer reads them; None for the pure path."""
    return Table(weights, bias) if wanted() else None
