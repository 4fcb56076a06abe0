"""A gateway that only writes down what it would do on Telegram, as the
console's output records (so replay prints the console's text and JSON)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from adapters.console.gateway import Output, png_size
from bot.core.actions import (
    Action,
    ApproveJoin,
    BanMember,
    CloneGroup,
    CreateInvite,
    DeclineJoin,
    DeleteMessage,
    GrantRole,
    KickMember,
    MuteMember,
    PinMessage,
    RevokeRole,
    SendDirect,
    SendMessage,
    SendPhoto,
    SendPoll,
    SetGroupProfile,
    UnbanMember,
    UnmuteMember,
    UnpinMessage,
)
from bot.core.events import ChatRef


class RecordingGateway:
    def __init__(self, log_chat: str | None = None) -> None:
        self.log_chat = log_chat
        self.outputs: list[Output] = []
        self._table: dict[type[Any], Callable[[Any], Awaitable[None]]] = {
            SendMessage: self._send,
            SendPhoto: self._photo,
            SendDirect: self._direct,
            DeleteMessage: self._delete,
            MuteMember: self._mute,
            UnmuteMember: self._unmute,
            KickMember: self._kick,
            BanMember: self._ban,
            UnbanMember: self._unban,
            PinMessage: self._pin,
            UnpinMessage: self._unpin,
            CreateInvite: self._invite,
            ApproveJoin: self._approve,
            DeclineJoin: self._decline,
            SendPoll: self._poll,
            SetGroupProfile: self._profile,
            GrantRole: self._role,
            RevokeRole: self._role,
            CloneGroup: self._clone,
        }

    async def execute(self, actions: Sequence[Action]) -> None:
        for action in actions:
            await self._table[type(action)](action)

    @staticmethod
    def where(chat: ChatRef) -> str:
        return f"dm {chat.chat_id}" if chat.private else chat.chat_id

    async def _send(self, a: SendMessage) -> None:
        if a.chat.key == self.log_chat:
            self.outputs.append(Output("log", "log", text=a.text))
            return
        kind = "dm" if a.chat.private else ("reply" if a.reply_to is not None else "message")
        extra = {"purpose": a.kind} if a.kind not in ("message", "reply") else {}
        self.outputs.append(
            Output(kind, self.where(a.chat), text=a.text, reply_to=a.reply_to, extra=extra)
        )
        if a.pin:
            # Telegram would name its id; the pin follows the message it pins.
            self.outputs.append(Output("pin", self.where(a.chat)))

    async def _photo(self, a: SendPhoto) -> None:
        self.outputs.append(
            Output("photo", self.where(a.chat), text=a.caption, reply_to=a.reply_to,
                   extra=dict(zip(("width", "height"), png_size(a.png), strict=True)))
        )  # fmt: skip

    async def _direct(self, a: SendDirect) -> None:
        self.outputs.append(
            Output("dm", f"dm {a.user.user_id}", target=a.user.user_id, text=a.text)
        )

    async def _delete(self, a: DeleteMessage) -> None:
        where = self.where(a.chat)
        for mid in a.message_ids:
            self.outputs.append(
                Output("delete", where, message_id=mid, rule=a.rule, case=a.case_id)
            )

    async def _mute(self, a: MuteMember) -> None:
        self.outputs.append(
            Output("mute", self.where(a.chat), target=a.user.user_id, rule=a.rule, until=a.until,
                   case=a.case_id, extra={"duration": a.duration})
        )  # fmt: skip

    async def _unmute(self, a: UnmuteMember) -> None:
        self.outputs.append(
            Output("unmute", self.where(a.chat), target=a.user.user_id, case=a.case_id)
        )

    async def _kick(self, a: KickMember) -> None:
        self.outputs.append(
            Output("kick", self.where(a.chat), target=a.user.user_id, rule=a.rule, case=a.case_id)
        )

    async def _ban(self, a: BanMember) -> None:
        extra = {"duration": a.duration} if a.duration else {}
        self.outputs.append(
            Output("ban", self.where(a.chat), target=a.user.user_id, rule=a.rule, until=a.until,
                   case=a.case_id, extra=extra)
        )  # fmt: skip

    async def _unban(self, a: UnbanMember) -> None:
        self.outputs.append(
            Output("unban", self.where(a.chat), target=a.user.user_id, case=a.case_id)
        )

    async def _pin(self, a: PinMessage) -> None:
        self.outputs.append(Output("pin", self.where(a.chat), message_id=a.message_id))

    async def _unpin(self, a: UnpinMessage) -> None:
        self.outputs.append(Output("unpin", self.where(a.chat), message_id=a.message_id))

    async def _invite(self, a: CreateInvite) -> None:
        target = a.for_user.user_id if a.for_user is not None else None
        extra: dict[str, Any] = {}
        if a.member_limit is not None:
            extra["member_limit"] = a.member_limit
        if a.expires is not None:
            extra["expires"] = a.expires.isoformat()
        self.outputs.append(
            Output("invite", self.where(a.chat), target=target, text="(link)", extra=extra)
        )

    async def _approve(self, a: ApproveJoin) -> None:
        self.outputs.append(Output("approve", self.where(a.chat), target=a.user.user_id))

    async def _decline(self, a: DeclineJoin) -> None:
        self.outputs.append(Output("decline", self.where(a.chat), target=a.user.user_id))

    async def _poll(self, a: SendPoll) -> None:
        self.outputs.append(
            Output("poll", self.where(a.chat), text=a.question, extra={"options": list(a.options)})
        )

    async def _profile(self, a: SetGroupProfile) -> None:
        extra = {"template": self.where(a.template)} if a.template is not None else {}
        self.outputs.append(
            Output("profile", self.where(a.chat), text=a.title or a.description, extra=extra)
        )

    async def _role(self, a: GrantRole | RevokeRole) -> None:
        # Telegram has no roles: the live gateway does nothing either.
        kind = "grant_role" if isinstance(a, GrantRole) else "revoke_role"
        self.outputs.append(
            Output(kind, self.where(a.chat), target=a.user.user_id, text=f"{a.role} (no-op)")
        )

    async def _clone(self, a: CloneGroup) -> None:
        self.outputs.append(
            Output("clone", self.where(a.template), text=f"{a.title} (not possible on Telegram)")
        )
