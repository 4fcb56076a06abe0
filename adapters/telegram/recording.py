"""A gateway that only writes down what it would do on Telegram, as the
console's output records (so replay prints the console's text and JSON)."""

from __future__ import annotations

from typing import Any

from adapters.console.gateway import Output, png_size
from adapters.gateway import Gateway, handles
from bot.core import actions as act
from bot.core.events import ChatRef


class RecordingGateway(Gateway):
    def __init__(self, log_chat: str | None = None) -> None:
        super().__init__(lambda: log_chat)
        self.outputs: list[Output] = []

    @staticmethod
    def where(chat: ChatRef) -> str:
        return f"dm {chat.chat_id}" if chat.private else chat.chat_id

    @handles(act.SendMessage)
    async def _send(self, a: act.SendMessage) -> None:
        if self.is_log_chat(a.chat):
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

    @handles(act.AnswerPress)
    async def _answer(self, a: act.AnswerPress) -> None:
        self.outputs.append(
            Output("answer", self.where(a.chat), text=a.text, extra={"alert": a.alert})
        )

    @handles(act.SendPhoto)
    async def _photo(self, a: act.SendPhoto) -> None:
        self.outputs.append(
            Output("photo", self.where(a.chat), text=a.caption, reply_to=a.reply_to,
                   extra=dict(zip(("width", "height"), png_size(a.png), strict=True)))
        )  # fmt: skip

    @handles(act.SendDirect)
    async def _direct(self, a: act.SendDirect) -> None:
        self.outputs.append(
            Output("dm", f"dm {a.user.user_id}", target=a.user.user_id, text=a.text)
        )

    @handles(act.SendFile)
    async def _file(self, a: act.SendFile) -> None:
        self.outputs.append(
            Output("file", f"dm {a.user.user_id}", target=a.user.user_id, text=a.caption,
                   extra={"filename": a.filename, "bytes": len(a.data), "sections": ""})
        )  # fmt: skip

    @handles(act.SendInvoice)
    async def _invoice(self, a: act.SendInvoice) -> None:
        self.outputs.append(
            Output("invoice", f"dm {a.user.user_id}", target=a.user.user_id, text=a.title,
                   extra={"stars": a.stars, "payload": a.payload})
        )  # fmt: skip

    @handles(act.AnswerCheckout)
    async def _checkout(self, a: act.AnswerCheckout) -> None:
        self.outputs.append(
            Output("checkout", f"dm {a.user.user_id}", target=a.user.user_id, text=a.error,
                   extra={"ok": a.ok})
        )  # fmt: skip

    @handles(act.RefundPayment)
    async def _refund(self, a: act.RefundPayment) -> None:
        self.outputs.append(
            Output("refund", f"dm {a.user.user_id}", target=a.user.user_id, text=a.charge)
        )

    @handles(act.DeleteMessage)
    async def _delete(self, a: act.DeleteMessage) -> None:
        where = self.where(a.chat)
        for mid in a.message_ids:
            self.outputs.append(
                Output("delete", where, message_id=mid, rule=a.rule, case=a.case_id)
            )

    @handles(act.MuteMember)
    async def _mute(self, a: act.MuteMember) -> None:
        self.outputs.append(
            Output("mute", self.where(a.chat), target=a.user.user_id, rule=a.rule, until=a.until,
                   case=a.case_id, extra={"duration": a.duration})
        )  # fmt: skip

    @handles(act.UnmuteMember)
    async def _unmute(self, a: act.UnmuteMember) -> None:
        self.outputs.append(
            Output("unmute", self.where(a.chat), target=a.user.user_id, case=a.case_id)
        )

    @handles(act.KickMember)
    async def _kick(self, a: act.KickMember) -> None:
        self.outputs.append(
            Output("kick", self.where(a.chat), target=a.user.user_id, rule=a.rule, case=a.case_id)
        )

    @handles(act.BanMember)
    async def _ban(self, a: act.BanMember) -> None:
        extra = {"duration": a.duration} if a.duration else {}
        self.outputs.append(
            Output("ban", self.where(a.chat), target=a.user.user_id, rule=a.rule, until=a.until,
                   case=a.case_id, extra=extra)
        )  # fmt: skip

    @handles(act.UnbanMember)
    async def _unban(self, a: act.UnbanMember) -> None:
        self.outputs.append(
            Output("unban", self.where(a.chat), target=a.user.user_id, case=a.case_id)
        )

    @handles(act.PinMessage)
    async def _pin(self, a: act.PinMessage) -> None:
        self.outputs.append(Output("pin", self.where(a.chat), message_id=a.message_id))

    @handles(act.UnpinMessage)
    async def _unpin(self, a: act.UnpinMessage) -> None:
        self.outputs.append(Output("unpin", self.where(a.chat), message_id=a.message_id))

    @handles(act.CreateInvite)
    async def _invite(self, a: act.CreateInvite) -> None:
        target = a.for_user.user_id if a.for_user is not None else None
        extra: dict[str, Any] = {}
        if a.member_limit is not None:
            extra["member_limit"] = a.member_limit
        if a.expires is not None:
            extra["expires"] = a.expires.isoformat()
        self.outputs.append(
            Output("invite", self.where(a.chat), target=target, text="(link)", extra=extra)
        )

    @handles(act.ApproveJoin)
    async def _approve(self, a: act.ApproveJoin) -> None:
        self.outputs.append(Output("approve", self.where(a.chat), target=a.user.user_id))

    @handles(act.DeclineJoin)
    async def _decline(self, a: act.DeclineJoin) -> None:
        self.outputs.append(Output("decline", self.where(a.chat), target=a.user.user_id))

    @handles(act.SendPoll)
    async def _poll(self, a: act.SendPoll) -> None:
        self.outputs.append(
            Output("poll", self.where(a.chat), text=a.question, extra={"options": list(a.options)})
        )

    @handles(act.ClosePoll)
    async def _close_poll(self, a: act.ClosePoll) -> None:
        self.outputs.append(Output("close_poll", self.where(a.chat), message_id=a.message_id))

    @handles(act.SetGroupProfile)
    async def _profile(self, a: act.SetGroupProfile) -> None:
        extra = {"template": self.where(a.template)} if a.template is not None else {}
        self.outputs.append(
            Output("profile", self.where(a.chat), text=a.title or a.description, extra=extra)
        )

    @handles(act.GrantRole, act.RevokeRole)
    async def _role(self, a: act.GrantRole | act.RevokeRole) -> None:
        # Telegram has no roles: the live gateway does nothing either.
        kind = "grant_role" if isinstance(a, act.GrantRole) else "revoke_role"
        self.outputs.append(
            Output(kind, self.where(a.chat), target=a.user.user_id, text=f"{a.role} (no-op)")
        )

    @handles(act.CheckBotRights)
    async def _rights(self, a: act.CheckBotRights) -> None:
        # A replay has no Bot API to read the rights from: the command that
        # asked (a /pool add) stays unanswered, as it would with Telegram down.
        self.outputs.append(Output("rights", self.where(a.chat), text="(read the bot's rights)"))

    @handles(act.CountMembers)
    async def _count(self, a: act.CountMembers) -> None:
        where = " ".join(self.where(chat) for chat in a.chats)
        self.outputs.append(Output("count", where, text="(read the member counts)"))

    @handles(act.CloneGroup)
    async def _clone(self, a: act.CloneGroup) -> None:
        self.outputs.append(
            Output("clone", self.where(a.template), text=f"{a.title} (not possible on Telegram)")
        )

    @handles(act.ReadImage)
    async def _read_image(self, a: act.ReadImage) -> None:
        # A replay has no Bot API to download the picture from.
        self.outputs.append(
            Output("read", self.where(a.chat), text=f"(read the picture of #{a.message_id})")
        )

    @handles(act.AskOpinion)
    async def _opinion(self, a: act.AskOpinion) -> None:
        # A replay asks no one: it would not be the answer of the day.
        self.outputs.append(
            Output("opinion", self.where(a.chat), text=f"(ask {a.service} about #{a.message_id})")
        )
