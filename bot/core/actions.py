"""What the engine asks a platform to do (imperative).

Gateways dispatch on the action's class through one table. Moderation actions
carry the case number so a failure can be reported against the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.buttons import Button
from bot.core.events import ChatRef, UserRef


@dataclass(frozen=True, slots=True)
class SendMessage:
    chat: ChatRef
    text: str
    reply_to: int | None = None
    # What the message is for: "message", "reply", "warn", "alert", "welcome".
    # Gateways send them all the same way; logs and the console show the kind.
    kind: str = "message"
    # Shown under the message (under its last part when it is split).
    buttons: tuple[Button, ...] = ()
    # Pin it once sent, without a notification (its first part when split):
    # the core cannot name a message id before the platform assigns it.
    pin: bool = False
    # Who wants the message id: the gateway tells `MessageSent` with this ref
    # (the notice replaces its old pin, a season its board's).
    ref: str = ""


@dataclass(frozen=True, slots=True)
class AnswerPress:
    """The answer to a press (`CommandIssued.press`), shown to the presser
    alone: Telegram's popup or toast, Discord's ephemeral message. Every
    press gets one, empty when the command said nothing, or the presser's
    client keeps waiting. `alert` asks for a popup the presser must close
    rather than a passing notice."""

    chat: ChatRef
    press: str
    text: str = ""
    alert: bool = False


@dataclass(frozen=True, slots=True)
class SendPhoto:
    """An image (a /stats chart) with a caption under it."""

    chat: ChatRef
    png: bytes
    caption: str = ""
    reply_to: int | None = None


@dataclass(frozen=True, slots=True)
class SendDirect:
    user: UserRef
    text: str
    # Where to fall back to a mention when the member cannot be messaged.
    fallback_chat: ChatRef | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    chat: ChatRef
    message_ids: tuple[int, ...]
    rule: str | None = None
    case_id: int | None = None
    older: tuple[int, ...] = ()  # a purge's rest: (how many, before which id), Discord lists


@dataclass(frozen=True, slots=True)
class MuteMember:
    chat: ChatRef
    user: UserRef
    until: datetime
    duration: str
    rule: str | None = None
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnmuteMember:
    chat: ChatRef
    user: UserRef
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class KickMember:
    chat: ChatRef
    user: UserRef
    rule: str | None = None
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class BanMember:
    chat: ChatRef
    user: UserRef
    until: datetime | None = None
    duration: str | None = None
    rule: str | None = None
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnbanMember:
    chat: ChatRef
    user: UserRef
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class PinMessage:
    chat: ChatRef
    message_id: int


@dataclass(frozen=True, slots=True)
class UnpinMessage:
    chat: ChatRef
    message_id: int


@dataclass(frozen=True, slots=True)
class CreateInvite:
    chat: ChatRef
    member_limit: int | None = None
    expires: datetime | None = None
    for_user: UserRef | None = None
    # "personal": a member's own link (referrals are credited through it);
    # "entry": a newcomer's single-use way into the group with room.
    purpose: str = "personal"


@dataclass(frozen=True, slots=True)
class ApproveJoin:
    chat: ChatRef
    user: UserRef


@dataclass(frozen=True, slots=True)
class DeclineJoin:
    chat: ChatRef
    user: UserRef


@dataclass(frozen=True, slots=True)
class SendPoll:
    chat: ChatRef
    question: str
    options: tuple[str, ...]
    anonymous: bool = True
    multiple: bool = False
    # As `SendMessage.ref`: the poll's message id comes back in `MessageSent`.
    ref: str = ""
    # When the core closes it (with `ClosePoll`): a platform that needs a
    # length (Discord) is given one that outlasts it.
    closes: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClosePoll:
    """Stop a poll the bot sent (Telegram stopPoll, Discord's end poll); the
    gateway tells its final counts as `PollClosed` with `ref`."""

    chat: ChatRef
    message_id: int
    ref: str = ""


@dataclass(frozen=True, slots=True)
class SetGroupProfile:
    chat: ChatRef
    title: str | None = None
    description: str | None = None
    # Copy the template group's photo and default member permissions.
    template: ChatRef | None = None


@dataclass(frozen=True, slots=True)
class GrantRole:
    """Give a platform role (Discord level rewards); `role` is a name or id."""

    chat: ChatRef
    user: UserRef
    role: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RevokeRole:
    chat: ChatRef
    user: UserRef
    role: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CheckBotRights:
    """Read the bot's admin rights in a group now; the platform reports
    them back as `BotRightsReported`."""

    chat: ChatRef


@dataclass(frozen=True, slots=True)
class CountMembers:
    """Read these groups' member counts as the platform has them; it reports
    each back as `MembersCounted`. A platform's groups are asked together:
    on Discord they share one server's members, told apart by their roles."""

    platform: str
    chats: tuple[ChatRef, ...]


@dataclass(frozen=True, slots=True)
class CloneGroup:
    """Open the next group of the community from a template group: on Discord a
    category with the template's channels and permission overwrites."""

    template: ChatRef
    title: str
    serial: int


@dataclass(frozen=True, slots=True)
class ReadImage:
    """Read the text in a message's picture (`MessagePosted.image`) with OCR,
    off the event loop, and report it back as `ImageRead`. A picture larger
    than `max_bytes` is not downloaded; reading stops after `timeout`
    seconds. Without an OCR engine on the machine nothing is reported."""

    chat: ChatRef
    sender: UserRef
    message_id: int
    image: str
    max_bytes: int
    timeout: float
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AskOpinion:
    """Ask a second opinion on a message, off the message path, and report
    it back as `OpinionGiven`: `service` "cas" looks the author up in the
    Combot Anti-Spam list, "llm" asks an OpenAI-compatible endpoint about
    `text` (the key is read from the environment variable `key_env`, never
    carried here). Given up after `timeout` seconds."""

    chat: ChatRef
    sender: UserRef
    message_id: int
    service: str
    url: str
    timeout: float
    text: str = ""
    model: str = ""
    prompt: str = ""
    key_env: str = ""


@dataclass(frozen=True, slots=True)
class SendFile:
    """A file sent to a member privately (`/mydata`): its name, its bytes and
    a caption under it."""

    user: UserRef
    filename: str
    data: bytes
    caption: str = ""


@dataclass(frozen=True, slots=True)
class SendInvoice:
    """A bill to a member in private: on Telegram a Stars invoice (currency
    XTR, `stars` of them). `payload` comes back with the payment, so a
    payment is matched to its purpose even after a restart."""

    user: UserRef
    title: str
    description: str
    payload: str
    stars: int


@dataclass(frozen=True, slots=True)
class AnswerCheckout:
    """The answer to a member's checkout (`CheckoutAsked`): go ahead, or
    refuse with the reason shown to them. It must come within seconds."""

    user: UserRef
    query: str
    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class RefundPayment:
    """Give a payment back in full (Telegram's refundStarPayment)."""

    user: UserRef
    charge: str


Action = (
    SendMessage
    | AnswerPress
    | SendPhoto
    | SendDirect
    | DeleteMessage
    | MuteMember
    | UnmuteMember
    | KickMember
    | BanMember
    | UnbanMember
    | PinMessage
    | UnpinMessage
    | CreateInvite
    | ApproveJoin
    | DeclineJoin
    | SendPoll
    | ClosePoll
    | SetGroupProfile
    | GrantRole
    | RevokeRole
    | CheckBotRights
    | CountMembers
    | CloneGroup
    | ReadImage
    | AskOpinion
    | SendFile
    | SendInvoice
    | AnswerCheckout
    | RefundPayment
)


def platform_of(action: Action) -> str:
    """The platform that carries the action out: its chat's, or for a direct
    message its member's (a Discord event may need a Telegram log chat told)."""
    if isinstance(action, SendDirect | SendFile | SendInvoice | AnswerCheckout | RefundPayment):
        return action.user.platform
    if isinstance(action, CloneGroup):
        return action.template.platform
    if isinstance(action, CountMembers):
        return action.platform
    return action.chat.platform
