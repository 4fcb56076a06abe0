"""Types of the compiled scorer (`_scorer.c`); see native.py."""

from collections.abc import Sequence

MAX_CHARS: int
GRAM_CHARS: int

class Table:
    """A linear model's weights by the 64-bit key of each feature string."""

    def __init__(self, weights: dict[str, float], bias: float = 0.0) -> None: ...
    def __len__(self) -> int: ...
    @property
    def bias(self) -> float: ...
    def margin(self, folded: str, tokens: Sequence[str], /) -> float:
        """The bias plus the weights of the message's distinct features
        over the square root of their number."""
    def score(self, folded: str, tokens: Sequence[str], /) -> tuple[float, int]:
        """(The sum of the distinct features' weights, their number)."""
    def positive(self, folded: str, tokens: Sequence[str], /) -> list[int]:
        """The keys of the distinct features whose weight is above 0."""
    def weight(self, name: str, /) -> float | None: ...

def key(name: str, /) -> int:
    """The 64-bit key of a feature string."""

def keys(folded: str, tokens: Sequence[str], /) -> list[int]:
    """The keys of a message's distinct features, each once."""

def distinctive(folded: str, tokens: Sequence[str], /) -> frozenset[int]:
    """The keys of its distinct features of three code points or more
    (`model.distinctive`)."""
