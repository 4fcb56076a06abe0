"""FAQ answers (常见问题): a member's question that matches an entry well
enough gets the owner's answer as a reply, at most once per entry and group
within `faq.cooldown` and `faq.per_hour` answers a group. When a question
goes unanswered, or a watched word comes up (a competitor "cheaper"), the
moderators' alert carries the best entries as suggested replies, each with
a Send button that posts it as a reply to the member's message.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, Locale
from bot.core.actions import Action, SendMessage
from bot.core.buttons import Button
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.records import GroupRecord, MemberRecord
from bot.features.faq.entries import Entry, load_entries
from bot.features.faq.matcher import Matcher, fold, is_question

if TYPE_CHECKING:
    from bot.core.kit import Kit
    from bot.features.risk.records import RiskAlertRecord

# Suggestions an alert carries at most, and alerts remembered for their Send.
_SUGGESTED = 3
_REMEMBERED = 500
_HOUR = timedelta(hours=1)
_SHORTEST = 4


@dataclass(frozen=True, slots=True)
class Asked:
    """Where a suggested answer goes: the member's message in its group."""

    group_key: str
    message_id: int


# Finds an alert the monitors raised, for a Send pressed after a restart.
AlertLookup = Callable[[int], "RiskAlertRecord | None"]
# Tells the unanswered-question monitor a question got its answer.
Answered = Callable[[str, int], None]


class Faq:
    def __init__(
        self,
        kit: Kit,
        base: Path,
        alert_of: AlertLookup | None = None,
        answered: Answered | None = None,
    ) -> None:
        self.kit = kit
        self.base = base
        self.alert_of = alert_of
        self.answered = answered
        # (alert, entry) pairs sent: a second press sends nothing.
        self.sent: set[tuple[int, str]] = set()
        self.problems: list[str] = []
        self._told: list[str] = []
        self._last: dict[tuple[str, str], datetime] = {}
        self._hour: dict[str, deque[datetime]] = {}
        self._asked: dict[int, Asked] = {}
        self.configure(kit.config)

    def configure(self, config: Config) -> None:
        entries, self.problems = load_entries(config.faq, self.base, config.community.locale)
        self.matcher = Matcher(entries)
        self.by_id = {e.id: e for e in entries}

    def problems_to_tell(self) -> list[str]:
        """Problems of the FAQ files not yet told to the log chat."""
        new = [p for p in self.problems if p not in self._told]
        self._told = list(self.problems)
        return new

    def answer_for(self, member: MemberRecord | None, entry: Entry) -> str:
        return entry.answer(self.kit.locale_for(member), self.kit.config.community.locale)

    def on_message(
        self, text: str, member: MemberRecord, group: GroupRecord, chat: ChatRef, message_id: int,
        now: datetime,
    ) -> list[Action]:  # fmt: skip
        """The answer to a member's question, when one matches confidently
        and the group's limits allow it."""
        cfg = self.kit.config.faq
        if not cfg.enabled or len(text) < _SHORTEST or not self.by_id:
            return []
        if not is_question(fold(text)):
            return []
        found = self.matcher.best(text, 1, cfg.threshold)
        if not found:
            return []
        entry = found[0][1]
        if not self._allowed(group.chat_key, entry.id, now):
            return []
        self._count(group.chat_key, entry.id, now)
        if self.answered is not None:
            self.answered(group.chat_key, message_id)
        return [SendMessage(chat, self.answer_for(member, entry), message_id, kind="faq")]

    def _allowed(self, group_key: str, entry_id: str, now: datetime) -> bool:
        cfg = self.kit.config.faq
        last = self._last.get((group_key, entry_id))
        if last is not None and now - last < cfg.cooldown:
            return False
        stamps = self._hour.setdefault(group_key, deque())
        while stamps and now - stamps[0] >= _HOUR:
            stamps.popleft()
        return len(stamps) < cfg.per_hour

    def _count(self, group_key: str, entry_id: str, now: datetime) -> None:
        self._last[(group_key, entry_id)] = now
        self._hour.setdefault(group_key, deque()).append(now)

    def suggest(
        self, alert: RiskAlertRecord, text: str, message_id: int, word: str | None
    ) -> tuple[str, tuple[Button, ...]]:
        """Lines and Send buttons for a monitor's alert about a message:
        entries written for the watched word first, then the best matches."""
        cfg = self.kit.config.faq
        if not cfg.enabled or not self.by_id or alert.group_key is None:
            return "", ()
        picked: list[Entry] = []
        if word:
            folded = fold(word)
            picked += [e for e in self.by_id.values() if folded in (fold(k) for k in e.keywords)]
        for _, entry in self.matcher.best(text, _SUGGESTED, cfg.suggest_threshold):
            if entry not in picked:
                picked.append(entry)
        picked = picked[:_SUGGESTED]
        if not picked:
            return "", ()
        self._asked[alert.id] = Asked(alert.group_key, message_id)
        if len(self._asked) > _REMEMBERED:
            del self._asked[next(iter(self._asked))]
        loc = self.kit.config.community.locale
        lines = [t(loc, "faq.suggested")]
        lines += [t(loc, "faq.suggestion", id=e.id, text=_excerpt(e.answer(loc))) for e in picked]
        buttons = tuple(
            Button(t(loc, "faq.button", id=e.id), "faq", ("send", e.id, str(alert.id)))
            for e in picked
        )
        return "\n" + "\n".join(lines), buttons

    def where(self, alert_id: int) -> Asked | None:
        """The message an alert's suggestion answers (after a restart, read
        from the alert while it waits for acknowledgement)."""
        asked = self._asked.get(alert_id)
        if asked is not None or self.alert_of is None:
            return asked
        alert = self.alert_of(alert_id)
        if alert is None or alert.group_key is None:
            return None
        first = alert.evidence.split(",")[0].strip().lstrip("#")
        return Asked(alert.group_key, int(first)) if first.isdigit() else None

    def send(self, entry: Entry, asked: Asked, now: datetime) -> list[Action]:
        """A moderator's Send: the answer as a reply to the member's message,
        in the community's language (the group reads it)."""
        self._count(asked.group_key, entry.id, now)
        loc: Locale = self.kit.config.community.locale
        text = entry.answer(loc)
        return [SendMessage(ChatRef.parse(asked.group_key), text, asked.message_id, kind="faq")]


def _excerpt(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
