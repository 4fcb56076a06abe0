"""Telegram handlers that act on members and their messages: deletions
(in chunks of deleteMessages' 100), mutes, kicks (a short ban lifted at
once: Telegram has no kick), bans and their lifting."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from telegram import ChatPermissions
from telegram.error import BadRequest, TelegramError

from adapters.gateway import Reported, handles
from adapters.telegram.calls import Calls
from bot.core import actions as act

# deleteMessages takes at most 100 ids per call.
_DELETE_CHUNK = 100


class ModerationCalls(Calls):
    @handles(act.DeleteMessage)
    async def _delete(self, a: act.DeleteMessage) -> None:
        """One id with deleteMessage, more with deleteMessages, 100 to a call.
        A message already gone is what was wanted, not a failure; a refused
        call does not stop the calls after it, and the first refusal is
        reported once for the whole action."""
        cid = int(a.chat.chat_id)
        ids = list(a.message_ids)
        refused: TelegramError | None = None
        for i in range(0, len(ids), _DELETE_CHUNK):
            chunk = ids[i : i + _DELETE_CHUNK]
            fn = (
                partial(self.bot.delete_message, cid, chunk[0])
                if len(chunk) == 1
                else partial(self.bot.delete_messages, cid, chunk)
            )
            try:
                await self.call(fn, chat_id=cid, message=False)
            except BadRequest as exc:
                if not _gone(exc):
                    refused = refused or exc
            except TelegramError as exc:
                refused = refused or exc
        if refused is not None:
            await self._failed("delete", a.chat, a.case_id, refused)
            raise Reported(refused.message)

    @handles(act.MuteMember)
    async def _mute(self, a: act.MuteMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        until = self._until(a.until)
        await self._do(
            "mute",
            a.chat,
            lambda: self.bot.restrict_chat_member(
                cid, uid, ChatPermissions.no_permissions(), until_date=until
            ),
            case=a.case_id,
        )

    @handles(act.UnmuteMember)
    async def _unmute(self, a: act.UnmuteMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        # Lifting every restriction leaves the group's own defaults in force.
        await self._do(
            "unmute",
            a.chat,
            lambda: self.bot.restrict_chat_member(cid, uid, ChatPermissions.all_permissions()),
            case=a.case_id,
        )

    @handles(act.KickMember)
    async def _kick(self, a: act.KickMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        # Telegram has no kick: a short ban, lifted at once, lets them rejoin.
        until = self._until(self.clock.now() + timedelta(minutes=1))
        await self._do(
            "kick",
            a.chat,
            lambda: self.bot.ban_chat_member(cid, uid, until_date=until),
            case=a.case_id,
        )
        await self._do(
            "kick",
            a.chat,
            lambda: self.bot.unban_chat_member(cid, uid, only_if_banned=True),
            case=a.case_id,
        )

    @handles(act.BanMember)
    async def _ban(self, a: act.BanMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        until = self._until(a.until) if a.until is not None else None
        await self._do(
            "ban",
            a.chat,
            lambda: self.bot.ban_chat_member(cid, uid, until_date=until),
            case=a.case_id,
        )

    @handles(act.UnbanMember)
    async def _unban(self, a: act.UnbanMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        await self._do(
            "unban",
            a.chat,
            lambda: self.bot.unban_chat_member(cid, uid, only_if_banned=True),
            case=a.case_id,
        )


def _gone(exc: BadRequest) -> bool:
    """Telegram's answer for a message deleted already (by its author, a
    moderator, or this same deletion sent again after a restart)."""
    return "message to delete not found" in exc.message.lower()
