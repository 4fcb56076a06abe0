"""The console's platform: it carries actions out on a simulated chat and
describes each as an output record (printed as text or JSON).

It plays the platform's part too: muted members cannot post until their mute
ends, banned members cannot post at all, message ids count up per chat.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.gateway import Gateway, Tell, handles
from adapters.ocr import TooLarge, read_and_tell, shared_ocr
from adapters.opinions import ask_and_tell, shared_opinions
from bot.core import actions as act
from bot.core.buttons import Button
from bot.core.events import (
    BotRightsReported,
    ChatRef,
    Event,
    ImageRead,
    InviteCreated,
    PollClosed,
    UserRef,
)
from bot.core.ports import Clock

# How many of the bot's latest buttons `!press` can still find.
_KEPT_BUTTONS = 200


@dataclass(slots=True)
class Output:
    kind: str
    group: str | None = None
    actor: str = "bot"
    target: str | None = None
    text: str | None = None
    message_id: int | None = None
    rule: str | None = None
    until: datetime | None = None
    case: int | None = None
    reply_to: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "group": self.group, "actor": self.actor}
        for key in ("target", "text", "message_id", "rule", "case", "reply_to"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.until is not None:
            out["until"] = self.until.isoformat()
        out.update(self.extra)
        return out


@dataclass(slots=True)
class Posted:
    author: UserRef
    text: str


@dataclass(slots=True)
class _Poll:
    options: int
    multiple: bool
    # Member id -> the options chosen (from 0).
    votes: dict[str, set[int]] = field(default_factory=dict)


class ConsoleGateway(Gateway):
    def __init__(
        self,
        clock: Clock,
        log_chat: Callable[[], str | None],
        *,
        on_event: Tell | None = None,
        charts_dir: Path | None = None,
    ) -> None:
        super().__init__(log_chat, on_event=on_event)
        self.clock = clock
        # Where charts are saved for the owner to open; None: only described.
        self.charts_dir = charts_dir
        self.outputs: list[Output] = []
        self.messages: dict[tuple[str, int], Posted] = {}
        # The latest personal invite link per member (user id).
        self.invites: dict[str, str] = {}
        # Payments: the latest invoice each member got, checkouts answered
        # (query -> taken), and the files members were sent (latest each).
        self.invoices: dict[str, act.SendInvoice] = {}
        self.checkouts: dict[str, bool] = {}
        self.files: dict[str, bytes] = {}
        self.muted: dict[tuple[str, str], datetime] = {}
        self.banned: dict[tuple[str, str], datetime | None] = {}
        self._next_id: dict[str, int] = {}
        # The bot's open polls, (chat key, message id) -> options and votes.
        self.polls: dict[tuple[str, int], _Poll] = {}
        # The bot's buttons, latest last: (chat, message id, button).
        self.buttons: list[tuple[ChatRef, int, Button]] = []

    @staticmethod
    def group_name(chat: ChatRef) -> str:
        if chat.private:
            return "dm " + chat.chat_id.removeprefix("dm:")
        return chat.chat_id

    def new_id(self, chat: ChatRef) -> int:
        key = chat.key
        self._next_id[key] = self._next_id.get(key, 0) + 1
        return self._next_id[key]

    def latest(self, chat: ChatRef) -> int:
        """The id of the chat's newest message, 0 before the first."""
        return self._next_id.get(chat.key, 0)

    def record_post(self, chat: ChatRef, author: UserRef, text: str) -> int:
        mid = self.new_id(chat)
        self.messages[(chat.key, mid)] = Posted(author, text)
        return mid

    def can_post(self, chat: ChatRef, user: UserRef) -> str | None:
        """Why the platform would refuse the post, or None."""
        now = self.clock.now()
        key = (chat.key, user.key)
        if key in self.banned:
            until = self.banned[key]
            if until is None or until > now:
                return "banned"
            del self.banned[key]
        until = self.muted.get(key)
        if until is not None:
            if until > now:
                return "muted"
            del self.muted[key]
        return None

    def _emit(self, out: Output) -> None:
        self.outputs.append(out)

    @handles(act.SendMessage)
    async def _send(self, a: act.SendMessage) -> None:
        extra: dict[str, Any] = {"buttons": [b.label for b in a.buttons]} if a.buttons else {}
        if self.is_log_chat(a.chat):
            # The log chat's lines carry no message id: its buttons hang on 0.
            self._keep_buttons(a.chat, 0, a.buttons)
            self._emit(Output("log", "log", text=a.text, extra=extra))
            return
        mid = self.record_post(a.chat, UserRef("console", "bot", "bot", "bot", is_bot=True), a.text)
        self._keep_buttons(a.chat, mid, a.buttons)
        kind = "dm" if a.chat.private else ("reply" if a.reply_to is not None else "message")
        if a.kind not in ("message", "reply"):
            extra["purpose"] = a.kind
        self._emit(
            Output(
                kind,
                self.group_name(a.chat),
                text=a.text,
                message_id=mid,
                reply_to=a.reply_to,
                extra=extra,
            )
        )
        await self.sent(a.chat, [mid], a.ref, self.clock.now())
        if a.pin:
            await self._pin(act.PinMessage(a.chat, mid))

    def _keep_buttons(self, chat: ChatRef, message_id: int, buttons: tuple[Button, ...]) -> None:
        self.buttons += [(chat, message_id, b) for b in buttons]
        del self.buttons[:-_KEPT_BUTTONS]

    def button(self, label: str) -> tuple[ChatRef, int, Button] | None:
        """The latest button with this label, where it was posted."""
        for found in reversed(self.buttons):
            if found[2].label == label:
                return found
        return None

    @handles(act.AnswerPress)
    async def _answer(self, a: act.AnswerPress) -> None:
        # The console's own presses are typed commands, answered for all to
        # see; an answer meant for one presser is shown as such.
        self._emit(Output("answer", self.group_name(a.chat), text=a.text))

    @handles(act.SendPhoto)
    async def _photo(self, a: act.SendPhoto) -> None:
        width, height = png_size(a.png)
        mid = self.record_post(
            a.chat, UserRef("console", "bot", "bot", "bot", is_bot=True), a.caption
        )
        extra: dict[str, Any] = {"width": width, "height": height}
        if self.charts_dir is not None:
            name = f"{a.chat.chat_id.replace(':', '-')}-{self.clock.now():%Y%m%d-%H%M%S}-{mid}.png"
            extra["path"] = str(await asyncio.to_thread(_save, self.charts_dir / name, a.png))
        self._emit(
            Output("photo", self.group_name(a.chat), text=a.caption, message_id=mid,
                   reply_to=a.reply_to, extra=extra)
        )  # fmt: skip
        await self.sent(a.chat, [mid], "", self.clock.now())

    @handles(act.SendDirect)
    async def _direct(self, a: act.SendDirect) -> None:
        chat = ChatRef("console", f"dm:{a.user.user_id}", private=True)
        mid = self.new_id(chat)
        self._keep_buttons(chat, mid, a.buttons)
        extra: dict[str, Any] = {"buttons": [b.label for b in a.buttons]} if a.buttons else {}
        self._emit(
            Output("dm", self.group_name(chat), target=a.user.user_id, text=a.text,
                   message_id=mid, extra=extra)
        )  # fmt: skip

    @handles(act.DeleteMessage)
    async def _delete(self, a: act.DeleteMessage) -> None:
        for mid in a.message_ids:
            self.messages.pop((a.chat.key, mid), None)
            self._emit(
                Output(
                    "delete", self.group_name(a.chat), message_id=mid, rule=a.rule, case=a.case_id
                )
            )

    @handles(act.MuteMember)
    async def _mute(self, a: act.MuteMember) -> None:
        self.muted[(a.chat.key, a.user.key)] = a.until
        self._emit(
            Output(
                "mute", self.group_name(a.chat), target=a.user.user_id, rule=a.rule,
                until=a.until, case=a.case_id, extra={"duration": a.duration},
            )
        )  # fmt: skip

    @handles(act.UnmuteMember)
    async def _unmute(self, a: act.UnmuteMember) -> None:
        self.muted.pop((a.chat.key, a.user.key), None)
        self._emit(Output("unmute", self.group_name(a.chat), target=a.user.user_id, case=a.case_id))

    @handles(act.KickMember)
    async def _kick(self, a: act.KickMember) -> None:
        self._emit(
            Output(
                "kick", self.group_name(a.chat), target=a.user.user_id, rule=a.rule, case=a.case_id
            )
        )

    @handles(act.BanMember)
    async def _ban(self, a: act.BanMember) -> None:
        self.banned[(a.chat.key, a.user.key)] = a.until
        extra = {"duration": a.duration} if a.duration else {}
        self._emit(
            Output(
                "ban", self.group_name(a.chat), target=a.user.user_id, rule=a.rule,
                until=a.until, case=a.case_id, extra=extra,
            )
        )  # fmt: skip

    @handles(act.UnbanMember)
    async def _unban(self, a: act.UnbanMember) -> None:
        self.banned.pop((a.chat.key, a.user.key), None)
        self._emit(Output("unban", self.group_name(a.chat), target=a.user.user_id, case=a.case_id))

    @handles(act.PinMessage)
    async def _pin(self, a: act.PinMessage) -> None:
        self._emit(Output("pin", self.group_name(a.chat), message_id=a.message_id))

    @handles(act.GrantRole, act.RevokeRole)
    async def _role(self, a: act.GrantRole | act.RevokeRole) -> None:
        kind = "grant_role" if isinstance(a, act.GrantRole) else "revoke_role"
        self._emit(Output(kind, self.group_name(a.chat), target=a.user.user_id, text=a.role))

    @handles(act.CloneGroup)
    async def _clone(self, a: act.CloneGroup) -> None:
        self._emit(Output("clone", self.group_name(a.template), text=a.title))

    @handles(act.CountMembers)
    async def _count(self, a: act.CountMembers) -> None:
        # The console's members are the ones the core saw join: it has no
        # count of its own to correct the core's with.
        return None

    @handles(act.CheckBotRights)
    async def _rights(self, a: act.CheckBotRights) -> None:
        # The console's bot may do everything in every group.
        await self.tell(BotRightsReported(a.chat, (), self.clock.now()))

    @handles(act.UnpinMessage)
    async def _unpin(self, a: act.UnpinMessage) -> None:
        self._emit(Output("unpin", self.group_name(a.chat), message_id=a.message_id))

    @handles(act.CreateInvite)
    async def _invite(self, a: act.CreateInvite) -> None:
        link = f"https://console.invalid/join/{a.chat.chat_id}/{len(self.outputs)}"
        target = a.for_user.user_id if a.for_user else None
        self._emit(Output("invite", self.group_name(a.chat), target=target, text=link))
        if a.for_user is not None:
            self.invites[a.for_user.user_id] = link
            # Referrals credit joins through a member's own link.
            now = self.clock.now()
            await self.tell(InviteCreated(a.chat, a.for_user, link, a.purpose, now))

    @handles(act.ApproveJoin)
    async def _approve(self, a: act.ApproveJoin) -> None:
        self._emit(Output("approve", self.group_name(a.chat), target=a.user.user_id))

    @handles(act.DeclineJoin)
    async def _decline(self, a: act.DeclineJoin) -> None:
        self._emit(Output("decline", self.group_name(a.chat), target=a.user.user_id))

    @handles(act.SendPoll)
    async def _poll(self, a: act.SendPoll) -> None:
        mid = self.new_id(a.chat)
        self.polls[(a.chat.key, mid)] = _Poll(len(a.options), a.multiple)
        self._emit(
            Output("poll", self.group_name(a.chat), text=a.question, message_id=mid,
                   extra={"options": list(a.options)})
        )  # fmt: skip
        await self.sent(a.chat, [mid], a.ref, self.clock.now())

    def vote(self, chat: ChatRef, message_id: int, user_id: str, option: int) -> str | None:
        """A member's vote (options from 1); why it cannot be cast, or None."""
        poll = self.polls.get((chat.key, message_id))
        if poll is None:
            return f"#{message_id} in {self.group_name(chat)} is not an open poll of the bot's"
        if not 1 <= option <= poll.options:
            return f"poll #{message_id} has options 1 to {poll.options}"
        chosen = poll.votes.setdefault(user_id, set())
        if not poll.multiple:
            chosen.clear()
        chosen.add(option - 1)
        self._emit(Output("vote", self.group_name(chat), actor=user_id, message_id=message_id,
                          text=str(option)))  # fmt: skip
        return None

    @handles(act.ClosePoll)
    async def _close_poll(self, a: act.ClosePoll) -> None:
        poll = self.polls.pop((a.chat.key, a.message_id), None)
        if poll is None:
            return
        counts = [0] * poll.options
        for chosen in poll.votes.values():
            for i in chosen:
                counts[i] += 1
        voters = sum(1 for chosen in poll.votes.values() if chosen)
        self._emit(Output("close_poll", self.group_name(a.chat), message_id=a.message_id,
                          text=" ".join(map(str, counts))))  # fmt: skip
        now = self.clock.now()
        await self.tell(PollClosed(a.chat, a.message_id, a.ref, tuple(counts), voters, now))

    @handles(act.AskOpinion)
    async def _opinion(self, a: act.AskOpinion) -> None:
        """Asked at once, so a script's output keeps its order."""
        await ask_and_tell(self.tell, shared_opinions(), a, self.clock.now)

    @handles(act.ReadImage)
    async def _read_image(self, a: act.ReadImage) -> None:
        """The console's pictures are files; read at once, so a script's
        output keeps its order."""

        def load() -> bytes:
            path = Path(a.image)
            if path.stat().st_size > a.max_bytes:
                raise TooLarge(a.image)
            return path.read_bytes()

        async def fetch() -> bytes:
            return await asyncio.to_thread(load)

        async def tell(event: Event) -> None:
            if isinstance(event, ImageRead):
                read = " ".join(event.text.split())
                self.outputs.append(
                    Output("read", self.group_name(a.chat), message_id=a.message_id,
                           text=f"“{read}”")
                )  # fmt: skip
            await self.tell(event)

        await read_and_tell(tell, shared_ocr(), a, fetch, self.clock.now)

    @handles(act.SetGroupProfile)
    async def _profile(self, a: act.SetGroupProfile) -> None:
        extra = {"template": self.group_name(a.template)} if a.template is not None else {}
        self._emit(
            Output("profile", self.group_name(a.chat), text=a.title or a.description, extra=extra)
        )

    def _dm_name(self, user: UserRef) -> str:
        return self.group_name(ChatRef("console", f"dm:{user.user_id}", private=True))

    @handles(act.SendFile)
    async def _file(self, a: act.SendFile) -> None:
        self.files[a.user.user_id] = a.data
        extra = {"filename": a.filename, "bytes": len(a.data), "sections": _sections(a)}
        self._emit(Output("file", self._dm_name(a.user), target=a.user.user_id, text=a.caption,
                          extra=extra))  # fmt: skip

    @handles(act.SendInvoice)
    async def _invoice(self, a: act.SendInvoice) -> None:
        self.invoices[a.user.user_id] = a
        self._emit(
            Output("invoice", self._dm_name(a.user), target=a.user.user_id, text=a.title,
                   extra={"stars": a.stars, "payload": a.payload})
        )  # fmt: skip

    @handles(act.AnswerCheckout)
    async def _checkout(self, a: act.AnswerCheckout) -> None:
        self.checkouts[a.query] = a.ok
        self._emit(
            Output("checkout", self._dm_name(a.user), target=a.user.user_id, text=a.error,
                   extra={"ok": a.ok})
        )  # fmt: skip

    @handles(act.RefundPayment)
    async def _refund(self, a: act.RefundPayment) -> None:
        self._emit(Output("refund", self._dm_name(a.user), target=a.user.user_id, text=a.charge))


def _save(path: Path, png: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (0, 0 when it is not a PNG)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _sections(a: act.SendFile) -> str:
    """A JSON file's top-level sections, with how many rows each list holds:
    enough to see what a member's copy covers without printing it."""
    if not a.filename.endswith(".json"):
        return ""
    try:
        doc = json.loads(a.data)
    except ValueError:
        return "(not JSON)"
    return ", ".join(f"{k} ({len(v)})" if isinstance(v, list) else k for k, v in doc.items())
