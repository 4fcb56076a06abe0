"""What a check sees of a message: plain values, computed once per message."""

from __future__ import annotations

from dataclasses import dataclass, field

from rules.normalize import fold, squash


@dataclass(slots=True)
class MessageView:
    text: str
    group: str
    sender: str
    # Seconds since the epoch.
    at: float
    role: str = "member"
    level: int = 0
    # Seconds since the member joined; None when unknown (treated as long ago).
    member_age: float | None = None
    _folded: str | None = field(default=None, repr=False)
    _squashed: str | None = field(default=None, repr=False)

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def squashed(self) -> str:
        if self._squashed is None:
            self._squashed = squash(self.folded)
        return self._squashed
