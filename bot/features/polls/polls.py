"""Moderators' polls (投票调查): one native poll per group, closed on time,
the results summed over the groups, posted and kept.

A poll is a note (`kind: poll`) holding its question, options, groups, the
message id each group's poll became (`MessageSent`), and each group's final
counts (`PollClosed`). When its time is up the timer asks every group's
platform to close it; once every group has answered (or `_CLOSING` has
passed without an answer) the summary goes to the groups and the log chat and
the poll is marked closed, so a restart never posts it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.core.actions import Action, ClosePoll, SendMessage, SendPoll
from bot.core.directory import chat_of
from bot.core.events import ChatRef, MessageSent, PollClosed
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord
from bot.features.notes.store import Note, NoteStore
from bot.features.polls.parse import PollRequest

REF = "poll:"
_KIND = "poll"
# Groups that have not answered a close within this are counted as silent.
_CLOSING = timedelta(minutes=10)


@dataclass(slots=True)
class Poll:
    id: int
    question: str
    options: list[str]
    groups: list[str]
    opened: datetime
    closes: datetime
    by: str
    # Group key -> the poll's message id there.
    messages: dict[str, int] = field(default_factory=dict)
    # Group key -> votes per option, and voters, as closed.
    results: dict[str, list[int]] = field(default_factory=dict)
    voters: dict[str, int] = field(default_factory=dict)
    status: str = "open"
    closing_since: datetime | None = None

    def data(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "options": self.options,
            "groups": self.groups,
            "closes": self.closes.isoformat(),
            "by": self.by,
            "messages": self.messages,
            "results": self.results,
            "voters": self.voters,
            "status": self.status,
            "closing": self.closing_since.isoformat() if self.closing_since else None,
        }

    @classmethod
    def of(cls, note: Note) -> Poll:
        d = note.data
        return cls(
            int(note.key), str(d["question"]), list(d["options"]), list(d["groups"]), note.at,
            datetime.fromisoformat(d["closes"]), str(d["by"]),
            {k: int(v) for k, v in d["messages"].items()},
            {k: [int(x) for x in v] for k, v in d["results"].items()},
            {k: int(v) for k, v in d["voters"].items()}, str(d["status"]),
            datetime.fromisoformat(d["closing"]) if d.get("closing") else None,
        )  # fmt: skip

    def totals(self) -> tuple[list[int], int]:
        counts = [0] * len(self.options)
        for per_group in self.results.values():
            for i, n in enumerate(per_group[: len(counts)]):
                counts[i] += n
        return counts, sum(self.voters.values())


class Polls:
    def __init__(self, kit: Kit, store: NoteStore) -> None:
        self.kit = kit
        self.store = store
        self.community = kit.config.community.slug
        self.polls: dict[int, Poll] = {}

    async def start(self) -> None:
        for n in await self.store.notes(self.community, _KIND):
            poll = Poll.of(n)
            self.polls[poll.id] = poll

    async def _save(self, poll: Poll) -> None:
        note = Note(self.community, _KIND, f"{poll.id:06d}", poll.data(), poll.opened)
        await self.store.put(note)

    async def open(
        self, request: PollRequest, groups: list[GroupRecord], by: str, now: datetime
    ) -> tuple[Poll, list[Action]]:
        cfg = self.kit.config.polls
        lasts = min(request.lasts or cfg.default_for, cfg.max_for)
        number = max(self.polls, default=0) + 1
        poll = Poll(number, request.question, list(request.options),
                    [g.chat_key for g in groups], now, now + lasts, by)  # fmt: skip
        # Claimed before anything is sent: two moderators at once get two numbers.
        while not await self.store.claim(
            Note(self.community, _KIND, f"{poll.id:06d}", poll.data(), now)
        ):
            poll.id += 1
        self.polls[poll.id] = poll
        actions: list[Action] = [
            SendPoll(chat_of(g), poll.question, request.options, anonymous=cfg.anonymous,
                     ref=f"{REF}{poll.id}", closes=poll.closes)
            for g in groups
        ]  # fmt: skip
        return poll, actions

    async def sent(self, event: MessageSent) -> None:
        poll = self._poll(event.ref)
        if poll is None:
            return
        poll.messages[event.chat.key] = event.message_id
        await self._save(poll)

    def _poll(self, ref: str) -> Poll | None:
        number = ref.removeprefix(REF)
        return self.polls.get(int(number)) if number.isdigit() else None

    async def due(self, now: datetime) -> list[Action]:
        """Close every open poll whose time is up. The close is noted first:
        a restart does not ask the platforms again (a poll closed twice is
        an error there), it waits for their answers or `_CLOSING`."""
        out: list[Action] = []
        for poll in self.polls.values():
            if poll.status != "open" or poll.closes > now or poll.closing_since is not None:
                continue
            poll.closing_since = now
            await self._save(poll)
            for key, mid in poll.messages.items():
                if key not in poll.results:
                    out.append(ClosePoll(ChatRef.parse(key), mid, f"{REF}{poll.id}"))
        return out

    async def finish_due(self, now: datetime) -> list[Action]:
        """Polls every group has answered for, or that waited long enough."""
        out: list[Action] = []
        for poll in list(self.polls.values()):
            if poll.status != "open" or poll.closing_since is None:
                continue
            answered = set(poll.results) >= set(poll.messages)
            if answered or now - poll.closing_since >= _CLOSING:
                out += await self._finish(poll, now)
        return out

    async def closed(self, event: PollClosed) -> list[Action]:
        poll = self._poll(event.ref)
        if poll is None or poll.status != "open":
            return []
        poll.results[event.chat.key] = list(event.counts)
        poll.voters[event.chat.key] = event.voters
        await self._save(poll)
        return await self.finish_due(event.at)

    async def close_now(self, poll: Poll, now: datetime) -> list[Action]:
        """A moderator's `/poll close N`: as if its time were up."""
        poll.closes = min(poll.closes, now)
        return await self.due(now)

    async def _finish(self, poll: Poll, now: datetime) -> list[Action]:
        poll.status = "closed"
        await self._save(poll)
        day = self.kit.calendar.local_date(now)
        for key, voters in poll.voters.items():
            self.kit.stats.add(key, day, "poll_votes", voters)
        loc = self.kit.config.community.locale
        text = summary(loc, poll, self.kit)
        out: list[Action] = [
            SendMessage(ChatRef.parse(key), text, kind="poll_results") for key in poll.messages
        ]
        log = self.kit.log_chat
        if log is not None:
            out.append(SendMessage(log, text, kind="log"))
        return out


def summary(loc: Any, poll: Poll, kit: Kit) -> str:
    counts, voters = poll.totals()
    members = sum(g.member_count for k, g in kit.directory.groups.items() if k in poll.messages)
    lines = [t(loc, "polls.results", id=poll.id, question=poll.question)]
    total = sum(counts) or 1
    best = max(counts) if counts else 0
    for option, n in zip(poll.options, counts, strict=True):
        mark = " 🏆" if n == best and n > 0 else ""
        lines.append(t(loc, "polls.result_line", option=option, votes=n,
                       percent=round(100 * n / total)) + mark)  # fmt: skip
    if members:
        lines.append(t(loc, "polls.voters_of", voters=voters, members=members))
    else:
        lines.append(t(loc, "polls.voters", voters=voters))
    return "\n".join(lines)
