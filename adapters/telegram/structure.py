"""Telegram handlers that shape the community: invite links and join
requests, a group's profile copied from its template, the bot's rights,
clones made by the provisioner's account, member counts."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from telegram.error import BadRequest, TelegramError

from adapters.gateway import Reported, handles
from adapters.telegram.calls import Calls, not_modified
from adapters.telegram.provision import Provisioner, ProvisionFailed
from adapters.telegram.translate import PLATFORM, missing_rights
from bot.core import actions as act
from bot.core.events import (
    BotRightsReported,
    ChatRef,
    GroupOpened,
    InviteCreated,
    MembersCounted,
)
from bot.core.i18n import t

log = logging.getLogger("adapters.telegram.gateway")


class StructureCalls(Calls):
    # The gateway's: makes the next group when the pool is empty (a user account).
    _provisioner: Provisioner | None

    if TYPE_CHECKING:

        async def _direct(self, a: act.SendDirect) -> None: ...

    @handles(act.CreateInvite)
    async def _invite(self, a: act.CreateInvite) -> None:
        cid = int(a.chat.chat_id)
        expire = int(a.expires.timestamp()) if a.expires is not None else None
        link = await self._do(
            "invite",
            a.chat,
            lambda: self.bot.create_chat_invite_link(
                cid, expire_date=expire, member_limit=a.member_limit
            ),
        )
        log.info("invite link for %s: %s", a.chat.chat_id, link.invite_link)
        if a.for_user is not None:
            # Referrals credit joins through a member's own link.
            now = self.clock.now()
            await self.tell(InviteCreated(a.chat, a.for_user, link.invite_link, a.purpose, now))
            loc = self._settings().community.locale
            text = t(loc, "telegram.invite_dm", group=self._chat_name(a.chat),
                     link=link.invite_link)  # fmt: skip
            await self._direct(act.SendDirect(a.for_user, text))

    @handles(act.ApproveJoin)
    async def _approve(self, a: act.ApproveJoin) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        await self._do("approve", a.chat, lambda: self.bot.approve_chat_join_request(cid, uid))

    @handles(act.DeclineJoin)
    async def _decline(self, a: act.DeclineJoin) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        await self._do("decline", a.chat, lambda: self.bot.decline_chat_join_request(cid, uid))

    @handles(act.SetGroupProfile)
    async def _profile(self, a: act.SetGroupProfile) -> None:
        """Each part on its own: a refused title still leaves the rest."""
        cid = int(a.chat.chat_id)
        if a.title is not None:
            title = a.title
            with contextlib.suppress(Reported):
                await self._do("title", a.chat, lambda: self.bot.set_chat_title(cid, title))
        if a.description is not None:
            description = a.description
            with contextlib.suppress(Reported):
                await self._do(
                    "description", a.chat, lambda: self.bot.set_chat_description(cid, description)
                )
        if a.template is not None:
            await self._copy_template(a.chat, a.template)

    async def _copy_template(self, chat: ChatRef, template: ChatRef) -> None:
        """The template group's photo and default member permissions."""
        cid, tid = int(chat.chat_id), int(template.chat_id)
        source = await self._do("template", template, lambda: self.bot.get_chat(tid))
        if source.photo is not None:
            file_id = source.photo.big_file_id
            with contextlib.suppress(Reported):
                file = await self._do("photo", template, lambda: self.bot.get_file(file_id))
                # Telegram sets a chat photo only from an upload, never a file_id.
                photo = bytes(await self._do("photo", template, file.download_as_bytearray))
                await self._do("photo", chat, lambda: self.bot.set_chat_photo(cid, photo))
        permissions = source.permissions
        if permissions is not None:
            try:
                await self.call(
                    lambda: self.bot.set_chat_permissions(
                        cid, permissions, use_independent_chat_permissions=True
                    ),
                    chat_id=cid,
                    message=False,
                )
            except BadRequest as exc:
                if not not_modified(exc):
                    await self._failed("permissions", chat, None, exc)
            except TelegramError as exc:
                await self._failed("permissions", chat, None, exc)

    @handles(act.CheckBotRights)
    async def _rights(self, a: act.CheckBotRights) -> None:
        cid = int(a.chat.chat_id)
        me = await self._do("rights", a.chat, lambda: self.bot.get_chat_member(cid, self.bot.id))
        await self.tell(BotRightsReported(a.chat, missing_rights(me.to_dict()), self.clock.now()))

    @handles(act.GrantRole, act.RevokeRole)
    async def _role(self, a: act.GrantRole | act.RevokeRole) -> None:
        # Telegram has no roles; level titles show in the bot's replies instead.
        log.debug("Telegram has no roles: %s %s for %s", type(a).__name__, a.role, a.user.key)

    @handles(act.CloneGroup)
    async def _clone(self, a: act.CloneGroup) -> None:
        """The next group, made by the provisioner's user account with the
        template's description; the bot furnishes it once the core opens it."""
        if self._provisioner is None:
            log.warning(
                "Telegram bots cannot create groups: %r needs a pre-created group "
                "from the pool (/pool add inside it)",
                a.title,
            )
            return
        tid = int(a.template.chat_id)
        about = ""
        with contextlib.suppress(Reported):
            source = await self._do("template", a.template, lambda: self.bot.get_chat(tid))
            about = source.description or ""
        try:
            chat_id = await self._provisioner.create(a.title, about, self.bot.username)
        except ProvisionFailed as exc:
            await self._failed("clone", a.template, None, str(exc))
            return
        # The core opens it (the very next newcomer may go there) and, since
        # the account made it bare, has it furnished from the template.
        chat = ChatRef(PLATFORM, str(chat_id))
        await self.tell(GroupOpened(chat, a.title, a.serial, self.clock.now(), a.template))

    @handles(act.CountMembers)
    async def _count(self, a: act.CountMembers) -> None:
        for chat in a.chats:
            count = await self.member_count(chat)
            if count is not None:
                await self.tell(MembersCounted(chat, count, self.clock.now()))

    async def member_count(self, chat: ChatRef) -> int | None:
        cid = int(chat.chat_id)
        try:
            return await self.call(
                lambda: self.bot.get_chat_member_count(cid), chat_id=None, message=False
            )
        except TelegramError as exc:
            log.info("no member count for %s: %s", chat.chat_id, exc)
            return None
