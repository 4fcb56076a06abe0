"""The core's actions carried out on Discord, dispatched by action type
through one table.

Each action is attempted on its own: when Discord refuses one (403: a missing
permission, or a member whose top role is above the bot's), when its target
has vanished, or when the gateway itself refuses it (a timeout longer than
Discord allows), the failure is logged, reported to the moderators' log
channel when that channel is on Discord, and returned; it is never raised.
Rate limits (429) are discord.py's business: it waits and retries per route.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord

from adapters.discord.lanes import Lanes
from adapters.discord.server import member_counts
from adapters.gateway import PRIVATE, Forward, Gateway, Tell, handles, split_text
from adapters.ocr import TooLarge, read_and_tell, shared_ocr
from adapters.opinions import ask_and_tell, shared_opinions
from bot.config import Config
from bot.core import actions as act
from bot.core.events import (
    BotRightsReported,
    ChatRef,
    GroupOpened,
    InviteCreated,
    MembersCounted,
    MessageSent,
    PollClosed,
    UserRef,
)
from bot.core.i18n import t

log = logging.getLogger(__name__)

PLATFORM = "discord"
# Discord's own limits.
MAX_TIMEOUT = timedelta(days=28)
MAX_INVITE_AGE = timedelta(days=7)
MESSAGE_LIMIT = 2000
BULK_DELETE_LIMIT = 100
# A message holds five rows of five buttons.
MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
POLL_DURATION = timedelta(hours=24)
# Discord keeps a poll open for whole hours, at most 32 days.
MAX_POLL_DURATION = timedelta(hours=768)
PINS_COPIED = 10
# What the bot must be allowed in a group's channel, in discord.py's
# permission names, in the order owners are told about them.
REQUIRED_PERMISSIONS: tuple[str, ...] = (
    "manage_messages",
    "moderate_members",
    "kick_members",
    "ban_members",
    "create_instant_invite",
)


@dataclass(frozen=True, slots=True)
class Origin:
    """The command an action list answers. The reply to it goes through
    `respond` (for a slash command: the interaction's response, which Discord
    requires) instead of a new channel message; for a press, the core's
    answer to the press (`AnswerPress`) does, and its other messages are
    posted as they are."""

    chat: ChatRef
    message_id: int
    respond: Callable[[str], Awaitable[None]]
    press: str | None = None

    def answers(self, action: act.Action) -> bool:
        if self.press is not None:
            return isinstance(action, act.AnswerPress) and action.press == self.press
        return (
            isinstance(action, act.SendMessage)
            and action.chat == self.chat
            and action.reply_to == self.message_id
        )


@dataclass(frozen=True, slots=True)
class Failure:
    action: act.Action
    reason: str


class Refused(Exception):
    """The gateway's own refusal; the message is the reason moderators read."""


class DiscordGateway(Gateway):
    """`settings` returns the live config (a reload swaps it) for the log
    channel and its language. `forward` receives actions addressed to other
    platforms (the log chat may live on Telegram); without it they are logged
    and dropped. Bans a rule gives delete the member's messages of the last
    `ban_delete_window` (spam clean-up); a moderator's ban keeps them as
    evidence for the case. A ban is server-wide: one asked for again within
    `ban_memory` (the core bans in every channel a spammer posted in, and on
    Discord those are the same server) is not sent twice."""

    platform = PLATFORM

    def __init__(
        self,
        client: discord.Client,
        settings: Callable[[], Config],
        *,
        forward: Forward | None = None,
        ban_delete_window: timedelta = timedelta(days=1),
        ban_memory: timedelta = timedelta(minutes=1),
        on_event: Tell | None = None,
    ) -> None:
        super().__init__(lambda: settings().community.log_chat, forward=forward, on_event=on_event)
        self.client = client
        self._settings = settings
        self._ban_window = ban_delete_window
        self._ban_memory = ban_memory.total_seconds()
        # (server, user) -> when the bot banned them and how many seconds of
        # their messages the ban purged.
        self._banned: dict[tuple[int, int], tuple[float, int]] = {}
        self._lanes = Lanes(self.run)

    @property
    def _locale(self) -> Any:
        return self._settings().community.locale

    async def execute(self, actions: Sequence[act.Action]) -> None:
        await self.run(actions)

    def submit(self, actions: Sequence[act.Action]) -> None:
        """Carry the actions out in the background, in order per channel."""
        self._lanes.submit(actions)

    async def drain(self) -> None:
        """Until everything submitted has been carried out (or failed)."""
        await self._lanes.drain()

    @property
    def idle(self) -> bool:
        return self._lanes.idle

    async def run(
        self, actions: Sequence[act.Action], *, origin: Origin | None = None
    ) -> list[Failure]:
        """Carry the actions out in order; return what failed (already
        logged and reported). `on_done` hears of each before the next goes."""
        failures: list[Failure] = []
        notes: list[str] = []
        for action in actions:
            note = await self._carry(action, origin, failures)
            if note:
                notes.append(note)
            if self.on_done is not None:
                await self.on_done(action)
        for failure in failures:
            log.warning("Discord refused %s: %s", failure.action, failure.reason)
        await self._report(failures, notes)
        return failures

    async def _carry(
        self, action: act.Action, origin: Origin | None, failures: list[Failure]
    ) -> str | None:
        """One action; its failure joins `failures`, its note is returned."""
        note = None
        try:
            if origin is not None and origin.answers(action):
                assert isinstance(action, act.SendMessage | act.AnswerPress)
                if action.text:
                    await self._respond(origin, action.text)
            else:
                note = await self.dispatch(action)
        except Refused as refusal:
            failures.append(Failure(action, str(refusal)))
        except discord.Forbidden as exc:
            failures.append(Failure(action, f"{t(self._locale, 'discord.forbidden')} ({exc.text})"))
        except discord.NotFound as exc:
            # The message was already deleted, the member already left:
            # nothing is left to do and nothing worth a moderator's time.
            log.info("%s: target gone (%s)", type(action).__name__, exc.text)
        except discord.HTTPException as exc:
            failures.append(Failure(action, f"{exc.status} {exc.text}"))
        except Exception as exc:
            # A bug in one handler must not cost the actions after it.
            log.exception("carrying out %s failed", type(action).__name__)
            failures.append(Failure(action, type(exc).__name__))
        return note

    async def _respond(self, origin: Origin, text: str) -> None:
        for chunk in _chunks(text):
            await origin.respond(chunk)

    async def _report(self, failures: list[Failure], notes: list[str]) -> None:
        loc = self._locale
        lines = list(notes)
        for f in failures:
            if isinstance(f.action, act.SendMessage) and self.is_log_chat(f.action.chat):
                continue  # the log channel itself is unreachable
            case = getattr(f.action, "case_id", None)
            lines.append(
                t(
                    loc,
                    "discord.failed",
                    action=t(loc, f"discord.verbs.{self.routes[type(f.action)].op}"),
                    target=_target(f.action),
                    case=t(loc, "discord.failed_case", case=case) if case else "",
                    reason=f.reason,
                )
            )
        await self.report(lines)

    # -- lookups -------------------------------------------------------------

    async def _channel(self, chat: ChatRef) -> Any:
        channel_id = int(chat.chat_id)
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.NotFound:
                raise Refused(self._missing(f"<#{channel_id}>")) from None
        return channel

    async def _guild(self, chat: ChatRef) -> discord.Guild:
        """The server a chat belongs to; for a DM (a level-up after `/checkin`
        in private), the configured server, or the only one the bot is in."""
        if not chat.private:
            channel = await self._channel(chat)
            guild = getattr(channel, "guild", None)
            if isinstance(guild, discord.Guild):
                return guild
        configured = self._settings().platforms.discord.guild_id
        if configured is not None:
            found = self.client.get_guild(configured)
            if found is not None:
                return found
        elif len(self.client.guilds) == 1:
            return self.client.guilds[0]
        raise Refused(t(self._locale, "discord.no_guild"))

    async def _member(self, guild: discord.Guild, user: UserRef) -> discord.Member:
        member = guild.get_member(int(user.user_id))
        if member is not None:
            return member
        try:
            return await guild.fetch_member(int(user.user_id))
        except discord.NotFound:
            raise Refused(self._missing(f"<@{user.user_id}>")) from None

    def _missing(self, what: str) -> str:
        return t(self._locale, "discord.not_found", what=what)

    def _audit(self, case: int | None = None, rule: str | None = None) -> str:
        loc = self._locale
        return t(
            loc,
            "discord.audit",
            case=t(loc, "discord.failed_case", case=case) if case else "",
            rule=t(loc, "discord.audit_rule", rule=rule) if rule else "",
        )

    # -- the table ----------------------------------------------------------

    @handles(act.AskOpinion)
    async def _opinion(self, a: act.AskOpinion) -> None:
        """A language model, asked beside the queue; CAS lists Telegram
        accounts only, so a Discord member is not looked up."""
        if a.service == "cas":
            return
        opinions = shared_opinions()
        opinions.spawn(ask_and_tell(self.tell, opinions, a, discord.utils.utcnow))

    @handles(act.ReadImage)
    async def _read_image(self, a: act.ReadImage) -> None:
        """Download the attachment from the CDN when it is within the size
        cap, then read it beside the queue (OCR takes seconds)."""
        size, _, url = a.image.partition(":")
        http = self.client.http

        async def fetch() -> bytes:
            if not size.isdigit() or int(size) > a.max_bytes:
                raise TooLarge(url)
            return await http.get_from_cdn(url)

        ocr = shared_ocr()
        if ocr.available:
            ocr.spawn(read_and_tell(self.tell, ocr, a, fetch, discord.utils.utcnow))

    @handles(act.AnswerPress)
    async def _answer(self, a: act.AnswerPress) -> None:
        # A press is answered through the interaction it came with (`run`'s
        # origin); without it there is nothing left to answer on.
        log.info("no interaction to answer press %s with: %r", a.press, a.text)

    @handles(act.CheckBotRights, op="rights")
    async def _rights(self, a: act.CheckBotRights) -> None:
        channel = await self._channel(a.chat)
        me = channel.guild.me
        allowed = channel.permissions_for(me)
        missing = tuple(p for p in REQUIRED_PERMISSIONS if not getattr(allowed, p))
        await self.tell(BotRightsReported(a.chat, missing, discord.utils.utcnow()))

    @handles(act.CountMembers, op="count")
    async def _count(self, a: act.CountMembers) -> None:
        servers: dict[int, tuple[discord.Guild, list[ChatRef]]] = {}
        for chat in a.chats:
            guild = getattr(self.client.get_channel(int(chat.chat_id)), "guild", None)
            if isinstance(guild, discord.Guild):
                servers.setdefault(guild.id, (guild, []))[1].append(chat)
        now = discord.utils.utcnow()
        for guild, chats in servers.values():
            for key, count in member_counts(guild, chats).items():
                await self.tell(MembersCounted(ChatRef.parse(key), count, now))

    @handles(act.SendMessage)
    async def _send(self, a: act.SendMessage) -> str | None:
        channel = await self._channel(a.chat)
        reference = (
            discord.MessageReference(
                message_id=a.reply_to, channel_id=channel.id, fail_if_not_exists=False
            )
            if a.reply_to
            else None
        )
        # Log lines name members by mention; moderators should not be pinged
        # for every case, nor members for every notice that names them.
        mentions = (
            discord.AllowedMentions.none()
            if a.kind == "log"
            else discord.AllowedMentions(
                everyone=False, roles=False, users=True, replied_user=False
            )
        )
        chunks = _chunks(a.text)
        first: discord.Message | None = None
        for n, chunk in enumerate(chunks, 1):
            extra: dict[str, Any] = {"allowed_mentions": mentions}
            if reference is not None:
                extra["reference"] = reference
                reference = None
            if n == len(chunks) and a.buttons:
                extra["view"] = _buttons(a.buttons)
            sent = await channel.send(chunk, **extra)
            first = sent if first is None else first
        # Told before the pin: a pin Discord refuses leaves the message sent.
        if a.ref and first is not None:
            await self.tell(MessageSent(a.chat, first.id, a.ref, discord.utils.utcnow()))
        if a.pin and first is not None:
            await first.pin(reason=self._audit())
        return None

    @handles(act.SendDirect)
    async def _direct(self, a: act.SendDirect) -> str | None:
        uid = int(a.user.user_id)
        user = self.client.get_user(uid) or await self.client.fetch_user(uid)
        try:
            chunks = _chunks(a.text)
            for n, chunk in enumerate(chunks, 1):
                if n == len(chunks) and a.buttons:
                    await user.send(chunk, view=_buttons(a.buttons))
                else:
                    await user.send(chunk)
        except discord.Forbidden:
            # Members who close DMs from server members still get the text.
            if a.fallback_chat is None:
                raise
            text = t(self._locale, "discord.dm_fallback", mention=f"<@{uid}>", text=a.text)
            await self._send(act.SendMessage(a.fallback_chat, text, buttons=a.buttons))
        return None

    @handles(act.SendFile)
    async def _file(self, a: act.SendFile) -> str | None:
        uid = int(a.user.user_id)
        user = self.client.get_user(uid) or await self.client.fetch_user(uid)
        attached = discord.File(io.BytesIO(a.data), filename=a.filename)
        await user.send(a.caption[:MESSAGE_LIMIT] or None, file=attached)
        return None

    @handles(act.SendInvoice, act.AnswerCheckout, act.RefundPayment, op="payment")
    async def _payment(self, a: act.SendInvoice | act.AnswerCheckout | act.RefundPayment) -> None:
        # The config takes no fee on Discord (entry.fee.platforms): a paid
        # role of the server's own subscription opens the entry instead.
        log.error("Discord takes no payments from bots; %s skipped", type(a).__name__)

    @handles(act.DeleteMessage)
    async def _delete(self, a: act.DeleteMessage) -> str | None:
        channel = await self._channel(a.chat)
        ids = list(a.message_ids)
        reason = self._audit(a.case_id, a.rule)
        if len(ids) > 1 and hasattr(channel, "delete_messages"):
            for start in range(0, len(ids), BULK_DELETE_LIMIT):
                batch = ids[start : start + BULK_DELETE_LIMIT]
                try:
                    await channel.delete_messages([discord.Object(i) for i in batch], reason=reason)
                except discord.HTTPException as exc:
                    if exc.status != 400:
                        raise
                    # Bulk delete refuses messages older than 14 days.
                    await self._delete_each(channel, batch)
            return None
        await self._delete_each(channel, ids)
        return None

    @staticmethod
    async def _delete_each(channel: Any, ids: Sequence[int]) -> None:
        for mid in ids:
            try:
                await channel.get_partial_message(mid).delete()
            except discord.NotFound:
                continue

    @handles(act.MuteMember)
    async def _mute(self, a: act.MuteMember) -> str | None:
        span = a.until - discord.utils.utcnow()
        if span > MAX_TIMEOUT:
            # Cutting the mute to 28 days silently would tell moderators a
            # sanction happened that did not.
            raise Refused(t(self._locale, "discord.mute_too_long", duration=a.duration))
        guild = await self._guild(a.chat)
        member = await self._member(guild, a.user)
        await member.timeout(a.until, reason=self._audit(a.case_id, a.rule))
        return None

    @handles(act.UnmuteMember)
    async def _unmute(self, a: act.UnmuteMember) -> str | None:
        guild = await self._guild(a.chat)
        member = await self._member(guild, a.user)
        await member.timeout(None, reason=self._audit(a.case_id))
        return None

    @handles(act.KickMember)
    async def _kick(self, a: act.KickMember) -> str | None:
        guild = await self._guild(a.chat)
        await guild.kick(discord.Object(int(a.user.user_id)), reason=self._audit(a.case_id, a.rule))
        return None

    @handles(act.BanMember)
    async def _ban(self, a: act.BanMember) -> str | None:
        guild = await self._guild(a.chat)
        purge = int((self._ban_window if a.rule else timedelta(0)).total_seconds())
        who = (guild.id, int(a.user.user_id))
        if self._just_banned(who, purge):
            # The ban already made stands, with its case in the audit log.
            log.debug("%s was just banned from %s; not again", who[1], who[0])
            return None
        await guild.ban(
            discord.Object(who[1]),
            reason=self._audit(a.case_id, a.rule),
            delete_message_seconds=purge,
        )
        self._banned[who] = (time.monotonic(), purge)
        if a.until is None:
            return None
        # Discord bans never expire. Lifting them when due needs a scheduler
        # that survives restarts, which the core does not have yet: until
        # then the moderators are told to do it by hand.
        until = a.until.astimezone(self._settings().community.tz).strftime("%Y-%m-%d %H:%M")
        return t(self._locale, "discord.ban_permanent", name=f"<@{a.user.user_id}>", until=until)

    def _just_banned(self, who: tuple[int, int], purge: int) -> bool:
        """Whether the bot banned the member from the server moments ago,
        purging at least as much of their messages as this ban would."""
        horizon = time.monotonic() - self._ban_memory
        for key in [k for k, (at, _) in self._banned.items() if at < horizon]:
            del self._banned[key]
        seen = self._banned.get(who)
        return seen is not None and seen[1] >= purge

    @handles(act.UnbanMember)
    async def _unban(self, a: act.UnbanMember) -> str | None:
        guild = await self._guild(a.chat)
        self._banned.pop((guild.id, int(a.user.user_id)), None)
        await guild.unban(discord.Object(int(a.user.user_id)), reason=self._audit(a.case_id))
        return None

    @handles(act.PinMessage)
    async def _pin(self, a: act.PinMessage) -> str | None:
        channel = await self._channel(a.chat)
        await channel.get_partial_message(a.message_id).pin(reason=self._audit())
        return None

    @handles(act.UnpinMessage)
    async def _unpin(self, a: act.UnpinMessage) -> str | None:
        channel = await self._channel(a.chat)
        await channel.get_partial_message(a.message_id).unpin(reason=self._audit())
        return None

    @handles(act.CreateInvite)
    async def _invite(self, a: act.CreateInvite) -> str | None:
        channel = await self._channel(a.chat)
        max_age = 0
        if a.expires is not None:
            left = min(a.expires - discord.utils.utcnow(), MAX_INVITE_AGE)
            max_age = max(1, int(left.total_seconds()))
        invite = await channel.create_invite(
            max_uses=a.member_limit or 0, max_age=max_age, unique=True, reason=self._audit()
        )
        if a.for_user is not None:
            # Referrals credit joins through a member's own link.
            now = discord.utils.utcnow()
            await self.tell(InviteCreated(a.chat, a.for_user, invite.url, a.purpose, now))
            # No public fallback: a single-use link posted in a channel can be
            # taken by anyone who reads it first.
            user = await self.client.fetch_user(int(a.for_user.user_id))
            await user.send(
                t(self._locale, "discord.invite_dm", group=channel.name, link=invite.url)
            )
        return None

    @handles(act.ApproveJoin, act.DeclineJoin, op="invite")
    async def _no_join_requests(self, a: act.ApproveJoin | act.DeclineJoin) -> str | None:
        # Discord has no join requests a bot can answer (membership screening
        # is the server's own); the Discord adapter never emits JoinRequested.
        log.debug("%s has no Discord counterpart", type(a).__name__)
        return None

    @handles(act.SendPhoto, op="send")
    async def _photo(self, a: act.SendPhoto) -> str | None:
        channel = await self._channel(a.chat)
        extra: dict[str, Any] = {}
        if a.reply_to:
            extra["reference"] = discord.MessageReference(
                message_id=a.reply_to, channel_id=channel.id, fail_if_not_exists=False
            )
        chart = discord.File(io.BytesIO(a.png), filename="chart.png")
        await channel.send(
            content=a.caption[:MESSAGE_LIMIT] or None,
            file=chart,
            allowed_mentions=discord.AllowedMentions.none(),
            **extra,
        )
        return None

    @handles(act.SendPoll)
    async def _poll(self, a: act.SendPoll) -> str | None:
        channel = await self._channel(a.chat)
        duration = POLL_DURATION
        if a.closes is not None:
            # Whole hours, rounded up: Discord's own end never comes first.
            left = a.closes - discord.utils.utcnow()
            hours = -(-int(left.total_seconds()) // 3600)
            duration = min(timedelta(hours=max(1, hours)), MAX_POLL_DURATION)
        poll = discord.Poll(a.question, duration, multiple=a.multiple)
        for option in a.options:
            poll.add_answer(text=option)
        if a.anonymous:
            log.info("Discord polls show who voted; poll %r is not anonymous", a.question)
        sent = await channel.send(poll=poll)
        if a.ref:
            await self.tell(MessageSent(a.chat, sent.id, a.ref, discord.utils.utcnow()))
        return None

    @handles(act.ClosePoll)
    async def _close_poll(self, a: act.ClosePoll) -> str | None:
        """End the poll now and tell its final counts. Discord counts votes,
        not voters: for a single-choice poll (the core's) they are the same."""
        channel = await self._channel(a.chat)
        message = await channel.fetch_message(a.message_id)
        poll = message.poll
        if poll is None:
            return "not a poll"
        if not poll.is_finalised():
            message = await message.end_poll()
            poll = message.poll or poll
        counts = tuple(answer.vote_count for answer in poll.answers)
        now = discord.utils.utcnow()
        await self.tell(PollClosed(a.chat, a.message_id, a.ref, counts, sum(counts), now))
        return None

    @handles(act.SetGroupProfile)
    async def _profile(self, a: act.SetGroupProfile) -> str | None:
        # `template` has nothing to copy here: a channel has no photo of its
        # own (the server's icon is everyone's), and its permissions are the
        # overwrites a clone copies when it is made or the owner gave a spare.
        channel = await self._channel(a.chat)
        changes: dict[str, Any] = {}
        if a.title:
            changes["name"] = a.title
        if a.description is not None:
            changes["topic"] = a.description
        if changes:
            await channel.edit(reason=self._audit(), **changes)
        return None

    async def _role(self, guild: discord.Guild, name: str, *, create: bool) -> discord.Role | None:
        if name.isdigit():
            role = guild.get_role(int(name))
            if role is None:
                raise Refused(t(self._locale, "discord.unknown_role", role=name))
            return role
        folded = name.casefold()
        for role in guild.roles:
            if role.name.casefold() == folded:
                return role
        if not create:
            return None
        # A level reward named in the config but missing on the server is
        # created, so an owner does not have to mirror the YAML by hand.
        return await guild.create_role(name=name, reason=self._audit())

    @handles(act.GrantRole)
    async def _grant_role(self, a: act.GrantRole) -> str | None:
        guild = await self._guild(a.chat)
        role = await self._role(guild, a.role, create=True)
        member = await self._member(guild, a.user)
        if role is not None and role not in member.roles:
            await member.add_roles(role, reason=a.reason or self._audit())
        return None

    @handles(act.RevokeRole)
    async def _revoke_role(self, a: act.RevokeRole) -> str | None:
        guild = await self._guild(a.chat)
        role = await self._role(guild, a.role, create=False)
        if role is None:
            return None
        member = await self._member(guild, a.user)
        if role in member.roles:
            await member.remove_roles(role, reason=a.reason or self._audit())
        return None

    @handles(act.CloneGroup)
    async def _clone(self, a: act.CloneGroup) -> str | None:
        """The next group on Discord: a category named after it, with the
        template category's overwrites, a copy of each of its text and voice
        channels (with their own overwrites), a cohort role that may see them,
        and the template channel's pinned messages re-posted and pinned."""
        template = await self._channel(a.template)
        if not isinstance(template, discord.abc.GuildChannel):
            raise Refused(self._missing(f"<#{a.template.chat_id}>"))
        guild = template.guild
        reason = self._audit()
        source = template.category
        cohort = await guild.create_role(name=a.title, reason=reason)
        member_access = discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True
        )
        base = dict(source.overwrites if source is not None else template.overwrites)
        category = await guild.create_category(
            a.title, overwrites={**base, cohort: member_access}, reason=reason
        )
        made: list[discord.abc.GuildChannel] = []
        entry: discord.abc.GuildChannel | None = None
        for channel in sorted(source.channels if source else [template], key=lambda c: c.position):
            overwrites = {**channel.overwrites, cohort: member_access}
            copy: discord.abc.GuildChannel
            if isinstance(channel, discord.TextChannel):
                extra: dict[str, Any] = {}
                if channel.topic:
                    extra["topic"] = channel.topic
                if channel.slowmode_delay:
                    extra["slowmode_delay"] = channel.slowmode_delay
                copy = await guild.create_text_channel(
                    channel.name, category=category, overwrites=overwrites, reason=reason, **extra
                )
                if channel.id == template.id:
                    entry = copy
                    await self._copy_pins(channel, copy)
            elif isinstance(channel, discord.VoiceChannel):
                copy = await guild.create_voice_channel(
                    channel.name,
                    category=category,
                    overwrites=overwrites,
                    user_limit=channel.user_limit,
                    reason=reason,
                )
            else:
                log.info("clone %r: %s channels are not copied", a.title, channel.type)
                continue
            made.append(copy)
        if entry is not None:
            # Where the clone's members talk (the template channel's copy):
            # the core opens it as the next group.
            chat = ChatRef(PLATFORM, str(entry.id))
            await self.tell(GroupOpened(chat, a.title, a.serial, discord.utils.utcnow()))
        channels = " ".join(c.mention for c in made)
        return t(self._locale, "discord.cloned", title=a.title, channels=channels)

    @staticmethod
    async def _copy_pins(source: discord.TextChannel, target: discord.TextChannel) -> None:
        pinned = [m async for m in source.pins(limit=PINS_COPIED, oldest_first=True)]
        for message in pinned:
            if message.content:
                copy = await target.send(
                    message.content, allowed_mentions=discord.AllowedMentions.none()
                )
                await copy.pin()


def _target(action: act.Action) -> str:
    if isinstance(action, act.CloneGroup):
        return f"<#{action.template.chat_id}>"
    if isinstance(action, act.CountMembers):
        return " ".join(f"<#{chat.chat_id}>" for chat in action.chats)
    if isinstance(action, PRIVATE):
        return f"<@{action.user.user_id}>"
    user = getattr(action, "user", None)
    if isinstance(user, UserRef):
        return f"<@{user.user_id}>"
    return f"<#{action.chat.chat_id}>"


def _buttons(buttons: Sequence[act.Button]) -> discord.ui.View:
    """The buttons as message component rows, a row for each thing they are
    about (discord.py lays them out itself past Discord's five rows). The
    view is stopped before it is sent so discord.py does not keep it: a press
    reaches the community's `on_interaction` by its `gk:` custom id, after a
    restart as well."""
    view = discord.ui.View(timeout=None)
    rows = act.button_rows(buttons, MAX_BUTTONS_PER_ROW)
    for n, row in enumerate(rows):
        for b in row:
            place = n if len(rows) <= MAX_ROWS else None
            view.add_item(discord.ui.Button(label=b.label[:80], custom_id=b.data, row=place))
    view.stop()
    return view


def _chunks(text: str) -> list[str]:
    """Discord refuses messages over 2000 characters; long replies (a full
    leaderboard, the help) go out in parts."""
    return split_text(text, MESSAGE_LIMIT)
