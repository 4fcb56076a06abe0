"""What the rules did and why, kept for `/why`.

A moderator asks by replying to the member's message (even once deleted,
its id is known) or to the bot's notice about it; the bot's own messages get
their ids from the platform only when sent, so notices are found by chat and
text instead. Bounded: the oldest explanations go first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from rules.checks import CheckResult


@dataclass(frozen=True, slots=True)
class Explanation:
    rule: str
    rule_type: str
    # What the rule did: "ban", "kick", "mute", "delete", "warn", "flag", "log".
    action: str
    result: CheckResult
    # The member's text (cut), what else fired on it, and the case opened.
    text: str
    others: tuple[CheckResult, ...] = ()
    case_id: int | None = None
    dry_run: bool = False
    member: str = ""


class Explanations:
    def __init__(self, limit: int = 5000) -> None:
        self._limit = limit
        self._by_message: dict[tuple[str, int], Explanation] = {}
        self._by_notice: dict[tuple[str, str], Explanation] = {}
        self._by_case: dict[int, Explanation] = {}

    def remember(
        self,
        explanation: Explanation,
        chat: str,
        message_id: int | None,
        notices: tuple[str, ...] = (),
    ) -> None:
        if message_id is not None:
            _put(self._by_message, (chat, message_id), explanation, self._limit)
        for text in notices:
            _put(self._by_notice, (chat, text.strip()), explanation, self._limit)
        if explanation.case_id is not None:
            _put(self._by_case, explanation.case_id, explanation, self._limit)

    def for_message(self, chat: str, message_id: int, text: str = "") -> Explanation | None:
        found = self._by_message.get((chat, message_id))
        if found is None and text:
            found = self._by_notice.get((chat, text.strip()))
        return found

    def for_case(self, case_id: int) -> Explanation | None:
        return self._by_case.get(case_id)


K = TypeVar("K")


def _put(table: dict[K, Explanation], key: K, value: Explanation, limit: int) -> None:
    table.pop(key, None)
    table[key] = value
    if len(table) > limit:
        del table[next(iter(table))]
