"""The core's actions carried out on Discord, dispatched by action type
through one table.

Each action is attempted on its own: when Discord refuses one (403: a missing
permission, or a member whose top role is above the bot's), when its target
has vanished, or when the gateway itself refuses it (a timeout longer than
Discord allows), the failure is logged, reported to the moderators' log
channel when that channel is on Discord, and returned; it is never raised.
Rate limits (429) are discord.py's business: it waits and retries per route.

The handlers live by concern in `messaging`, `moderation` and `structure`
(their lookups in `reach`); the table is built from all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import discord

from adapters.discord.lanes import Lanes
from adapters.discord.messaging import MessageCalls, _chunks
from adapters.discord.moderation import ModerationCalls
from adapters.discord.reach import PLATFORM, Refused
from adapters.discord.server import member_counts
from adapters.discord.structure import ServerCalls
from adapters.gateway import PRIVATE, Forward, Gateway, Tell, handles
from adapters.ocr import TooLarge, read_and_tell, shared_ocr
from adapters.opinions import ask_and_tell, shared_opinions
from bot.config import Config
from bot.core import actions as act
from bot.core.events import BotRightsReported, ChatRef, MembersCounted, UserRef
from bot.core.i18n import t

__all__ = ["PLATFORM", "DiscordGateway", "Failure", "Origin", "Refused", "_chunks"]

log = logging.getLogger(__name__)

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
    # Posts an answer: the id of the message it became, None for one only
    # its invoker sees.
    respond: Callable[[str], Awaitable[int | None]]
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


class DiscordGateway(MessageCalls, ModerationCalls, ServerCalls, Gateway):
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
                    await self._respond(origin, action)
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

    async def _respond(self, origin: Origin, action: act.SendMessage | act.AnswerPress) -> None:
        """The answer posted through the command's own way back; where it
        became messages of the channel, their ids are told like any the
        bot posts."""
        ids = []
        for chunk in _chunks(action.text):
            said = await origin.respond(chunk)
            if said is not None:
                ids.append(said)
        ref = action.ref if isinstance(action, act.SendMessage) else ""
        await self.sent(origin.chat, ids, ref, discord.utils.utcnow())

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

    # -- the table (the rest is in the mixins) -------------------------------

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

    @handles(act.SendInvoice, act.AnswerCheckout, act.RefundPayment, op="payment")
    async def _payment(self, a: act.SendInvoice | act.AnswerCheckout | act.RefundPayment) -> None:
        # The config takes no fee on Discord (entry.fee.platforms): a paid
        # role of the server's own subscription opens the entry instead.
        log.error("Discord takes no payments from bots; %s skipped", type(a).__name__)

    @handles(act.ApproveJoin, act.DeclineJoin, op="invite")
    async def _no_join_requests(self, a: act.ApproveJoin | act.DeclineJoin) -> str | None:
        # Discord has no join requests a bot can answer (membership screening
        # is the server's own); the Discord adapter never emits JoinRequested.
        log.debug("%s has no Discord counterpart", type(a).__name__)
        return None


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
