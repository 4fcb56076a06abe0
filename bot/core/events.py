"""What happened on a platform, in the core's own words (past tense).

Adapters translate platform updates into these; the engine never sees a
platform object. Identifiers are strings so that Telegram's integers, Discord's
snowflakes and the console's names all fit; message ids are integers on every
platform we support.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ChatRef:
    platform: str
    chat_id: str
    private: bool = False
    # The chat's name where the platform gave it; not part of its identity.
    title: str = field(default="", compare=False)
    # The topic (Telegram forum topic) an event happened in, where the
    # platform has one: what the bot says in answer goes there too. Still
    # the same chat, so no part of its identity either.
    thread: str | None = field(default=None, compare=False)
    # A Telegram forum supergroup (its General topic has no `thread`): its
    # message ids count up across every topic, not within one.
    forum: bool = field(default=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.chat_id}"

    @classmethod
    def parse(cls, key: str) -> ChatRef:
        platform, _, chat_id = key.partition(":")
        return cls(platform, chat_id)


@dataclass(frozen=True, slots=True)
class UserRef:
    platform: str
    user_id: str
    name: str = ""
    username: str | None = None
    is_bot: bool = False
    # Set by an adapter that knows the sender administers the chat.
    is_admin: bool = False
    language: str | None = None
    # When they joined the community, where the platform says (Discord);
    # the bot's own record keeps what it learns, so it is no part of identity.
    joined_at: datetime | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def display(self) -> str:
        if self.username:
            return f"@{self.username}"
        return self.name or self.user_id


@dataclass(frozen=True, slots=True)
class ReplyRef:
    message_id: int
    sender: UserRef | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class MessagePosted:
    chat: ChatRef
    sender: UserRef
    message_id: int
    text: str
    at: datetime
    reply_to: ReplyRef | None = None
    media: str | None = None
    forwarded: bool = False
    edited: bool = False
    # Messages sent on behalf of a chat (anonymous admins, linked channels) are
    # not from a member and are never punished.
    on_behalf_of_chat: bool = False
    # Where a forward comes from: user, hidden_user, chat or channel; None
    # when not forwarded or when the platform does not say.
    forward_origin: str | None = None
    # A command addressed to another bot (`/start@other_bot`): not ours to
    # run, but a message like any other, so the rules still read it.
    for_another_bot: bool = False
    # The message's picture as its platform finds it again (a Telegram
    # file_id, a Discord attachment URL, a console file path), for
    # `ReadImage`; None without one.
    image: str | None = None


@dataclass(frozen=True, slots=True)
class CommandIssued:
    chat: ChatRef
    sender: UserRef
    message_id: int
    name: str
    args: tuple[str, ...]
    at: datetime
    reply_to: ReplyRef | None = None
    text: str = ""
    # The member a command names (a slash command's option, a mention), when
    # the platform resolved it; moderators' commands act on it.
    target: UserRef | None = None
    # Set when a press on one of the bot's buttons issued the command: the
    # platform's own handle of that press, which the core answers to the
    # presser (`AnswerPress`).
    press: str | None = None
    # False for a command given through the platform's own interface (a
    # Discord slash command, a message's menu): no message of the chat
    # carries it, and `message_id` is the platform's handle of it.
    in_chat: bool = True


@dataclass(frozen=True, slots=True)
class MemberJoined:
    chat: ChatRef
    member: UserRef
    at: datetime
    invite: str | None = None
    added_by: UserRef | None = None


@dataclass(frozen=True, slots=True)
class MemberLeft:
    chat: ChatRef
    member: UserRef
    at: datetime
    removed_by: UserRef | None = None


@dataclass(frozen=True, slots=True)
class JoinRequested:
    chat: ChatRef
    member: UserRef
    at: datetime
    invite: str | None = None


@dataclass(frozen=True, slots=True)
class ReactionAdded:
    chat: ChatRef
    member: UserRef
    message_id: int
    emoji: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TimerFired:
    name: str
    at: datetime
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MembersCounted:
    """The platform's own member count of a group, read periodically by the
    adapter: the overflow planner corrects its count with it."""

    chat: ChatRef
    count: int
    at: datetime


@dataclass(frozen=True, slots=True)
class GroupOpened:
    """A group the platform made on the core's request (`CloneGroup`: a
    Discord category, a Telegram group a provisioner created) is ready; `chat`
    is where its members talk. `template` is set when the group is bare (on
    Telegram): it gets the template's profile and the rules, as a spare does."""

    chat: ChatRef
    title: str
    serial: int
    at: datetime
    template: ChatRef | None = None


@dataclass(frozen=True, slots=True)
class BotRightsReported:
    """The admin rights the bot lacks in a group, in the platform's own names
    (empty when it has all it needs), as the platform just reported them."""

    chat: ChatRef
    missing: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class BotMembershipChanged:
    """The bot was added to a group, promoted or demoted there, or removed
    from it, as the platform just reported; `chat.title` names the group."""

    chat: ChatRef
    at: datetime
    # Out of the group now (removed or banned).
    removed: bool = False
    admin: bool = False
    # The admin rights it needs and lacks there, in the platform's own names
    # (all of them while it is no administrator).
    missing: tuple[str, ...] = ()
    # Who made the change, when the platform says: an owner's notice names
    # them as the platform does.
    by: UserRef | None = None
    # The platform's member count, read as the bot arrives.
    members: int | None = None
    # Read by the adapter (at start, after a refused action) rather than a
    # change the platform announced: nothing new is said when it is what
    # the owners were last told, or when a first read finds all in order.
    checked: bool = False


@dataclass(frozen=True, slots=True)
class ChatFound:
    """A group chat the platform showed, which the core may not know yet;
    `chat.title` is its name there. `side` marks a channel beside a server's
    main one (Discord): it belongs to that group, and nobody is placed there."""

    chat: ChatRef
    at: datetime
    side: bool = False


@dataclass(frozen=True, slots=True)
class ChatMoved:
    """A group now lives at another chat id (Telegram upgrades a basic group
    to a supergroup with a new id; the old one answers nothing any more):
    the group, its serial and its state follow it. `new.title` names it."""

    old: ChatRef
    new: ChatRef
    at: datetime


@dataclass(frozen=True, slots=True)
class InviteCreated:
    """The platform made the invite link a `CreateInvite` asked for."""

    chat: ChatRef
    member: UserRef
    link: str
    # The CreateInvite's purpose: "personal" (a member's own link) or "entry".
    purpose: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ImageRead:
    """The text the platform side read (OCR) in a message's picture, as a
    `ReadImage` asked; empty when there was none to read."""

    chat: ChatRef
    sender: UserRef
    message_id: int
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckoutAsked:
    """A member confirmed a payment the bot billed (`SendInvoice`) and the
    platform asks whether to take it (Telegram's pre_checkout_query)."""

    user: UserRef
    query: str
    payload: str
    stars: int
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MessageSent:
    """The platform's id for a message or poll the bot posted: one the core
    sent with a `ref`, and any in a group (the chat history keeps the bot's
    own messages, so a purge takes them too)."""

    chat: ChatRef
    message_id: int
    ref: str
    at: datetime
    # The ids of a long text's further parts, after the first.
    more: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class OpinionGiven:
    """What a second opinion (`AskOpinion`: CAS, a language model) said of
    a message's author or text."""

    chat: ChatRef
    sender: UserRef
    message_id: int
    service: str
    spam: bool
    details: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PollClosed:
    """A poll the core closed (`ClosePoll`): votes per option, in the
    options' order, and how many members voted."""

    chat: ChatRef
    message_id: int
    ref: str
    counts: tuple[int, ...]
    voters: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    """The platform took a member's payment (Telegram's successful_payment);
    `charge` is its id, which a refund names."""

    user: UserRef
    payload: str
    stars: int
    currency: str
    charge: str
    at: datetime


Event = (
    MessagePosted
    | CommandIssued
    | MemberJoined
    | MemberLeft
    | JoinRequested
    | ReactionAdded
    | TimerFired
    | MembersCounted
    | GroupOpened
    | BotRightsReported
    | BotMembershipChanged
    | ChatFound
    | ChatMoved
    | InviteCreated
    | ImageRead
    | OpinionGiven
    | MessageSent
    | PollClosed
    | CheckoutAsked
    | PaymentReceived
)
