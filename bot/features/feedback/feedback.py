"""Members' feedback: `/feedback text` reaches the log chat with a Reply
button; a moderator's `/reply N text` goes back to the member privately.
Each message is a note (`kind: feedback`), so the owners' weekly digest can
say what came in and what is still unanswered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.config import Locale
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.notes.store import Note, NoteStore

_KIND = "feedback"


@dataclass(slots=True)
class Feedback:
    id: int
    member_key: str
    text: str
    at: datetime
    group_key: str | None = None
    answer: str | None = None
    answered_by: str | None = None

    def data(self) -> dict[str, Any]:
        return {
            "member": self.member_key,
            "text": self.text,
            "group": self.group_key,
            "answer": self.answer,
            "answered_by": self.answered_by,
        }

    @classmethod
    def of(cls, note: Note) -> Feedback:
        d = note.data
        return cls(int(note.key), str(d["member"]), str(d["text"]), note.at, d.get("group"),
                   d.get("answer"), d.get("answered_by"))  # fmt: skip


class FeedbackBox:
    def __init__(self, kit: Kit, store: NoteStore) -> None:
        self.kit = kit
        self.store = store
        self.community = kit.config.community.slug
        self.items: dict[int, Feedback] = {}

    async def start(self) -> None:
        for n in await self.store.notes(self.community, _KIND):
            item = Feedback.of(n)
            self.items[item.id] = item

    def sent_today(self, member_key: str, today: date) -> int:
        day = self.kit.calendar.local_date
        return sum(1 for f in self.items.values() if f.member_key == member_key
                   and day(f.at) == today)  # fmt: skip

    async def add(
        self, member_key: str, text: str, group_key: str | None, now: datetime
    ) -> Feedback:
        item = Feedback(max(self.items, default=0) + 1, member_key, text, now, group_key)
        while not await self.store.claim(self._note(item)):
            item.id += 1
        self.items[item.id] = item
        return item

    async def answer(self, item: Feedback, text: str, by: str) -> None:
        item.answer, item.answered_by = text, by
        await self.store.put(self._note(item))

    def _note(self, item: Feedback) -> Note:
        return Note(self.community, _KIND, f"{item.id:06d}", item.data(), item.at)

    async def digest(self, loc: Locale, at: datetime) -> str:
        """The week's feedback for the owners' digest: how many, how many
        unanswered, and the latest few."""
        since = at - timedelta(days=7)
        week = [f for f in self.items.values() if f.at >= since]
        if not week:
            return t(loc, "feedback.digest_none")
        open_ = [f for f in self.items.values() if f.answer is None]
        lines = [t(loc, "feedback.digest", count=len(week), unanswered=len(open_))]
        for f in sorted(week, key=lambda f: -f.id)[:5]:
            state = "✅" if f.answer is not None else "⏳"
            lines.append(f"{state} #{f.id}: {f.text[:80]}")
        return "\n".join(lines)
