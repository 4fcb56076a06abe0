"""Bot API updates -> core events (pure functions over the update's JSON).

The input is the `Update` object exactly as the Bot API sends it (a dict from
`json.loads`, or `Update.to_dict()` from python-telegram-bot): the replay
command and the live runner share this code, and working on plain dicts keeps
replay cheaper than python-telegram-bot's own parsing.

Besides core events, a few updates only matter to the adapter (the bot's own
membership, admin changes, button presses, poll answers); they come out as the
signal classes defined here.

Joins and leaves have two sources. `chat_member` updates carry the invite
link and come even where the group hides its service messages, but Telegram
sends them to administrator bots only. The `new_chat_members` /
`left_chat_member` service messages reach every bot (unless the group hides
them). An admin bot gets both for the same join, so a service message is
read only where the bot is not among the chat's administrators (`admins`
holds the bot's own id when it is one); the runner drops the second of two
reports of one join that still arrive (`adapters/telegram/joins.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from adapters.storable import storable
from bot.core.commands import parse_command
from bot.core.events import (
    ChatMoved,
    ChatRef,
    CheckoutAsked,
    CommandIssued,
    Event,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PaymentReceived,
    ReactionAdded,
    ReplyRef,
    UserRef,
)

PLATFORM = "telegram"

log = logging.getLogger(__name__)

Json = Mapping[str, Any]

# What the bot must be allowed to do as an administrator, in the order the
# owners are told about them.
REQUIRED_RIGHTS: tuple[str, ...] = (
    "can_delete_messages",
    "can_restrict_members",
    "can_invite_users",
    "can_pin_messages",
    "can_change_info",
)

# The message kinds that carry content a member posted (service messages such
# as pinned_message or new_chat_title carry none and are not translated).
MEDIA_KINDS: tuple[str, ...] = (
    "photo",
    "video",
    "animation",
    "document",
    "audio",
    "voice",
    "video_note",
    "sticker",
    "poll",
    "contact",
    "location",
    "venue",
    "dice",
    "game",
    "story",
    "paid_media",
    "checklist",
)

_GROUP_TYPES = frozenset({"group", "supergroup"})
_IN_CHAT = frozenset({"creator", "administrator", "member"})
_ADMIN = frozenset({"creator", "administrator"})
_NO_ADMINS: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is; `username` (without @) filters commands meant for other
    bots. Unknown (replay without getMe): every addressed command is kept."""

    id: int | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class BotStatusChanged:
    """The bot was added to, removed from, promoted or demoted in a group."""

    chat: ChatRef
    title: str
    status: str
    was: str
    # REQUIRED_RIGHTS the bot lacks now (all of them unless it is an admin).
    missing_rights: tuple[str, ...]
    by: UserRef | None
    at: datetime

    @property
    def present(self) -> bool:
        return self.status in _IN_CHAT or self.status == "restricted"

    @property
    def arrived(self) -> bool:
        return self.present and self.was in ("left", "kicked")

    @property
    def admin(self) -> bool:
        return self.status in _ADMIN


@dataclass(frozen=True, slots=True)
class AdminsChanged:
    chat: ChatRef
    user: UserRef
    is_admin: bool


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    query_id: str
    user: UserRef
    data: str | None
    chat: ChatRef | None
    message_id: int | None


@dataclass(frozen=True, slots=True)
class PollAnswered:
    poll_id: str
    user: UserRef | None
    option_ids: tuple[int, ...]


Signal = BotStatusChanged | AdminsChanged | ButtonPressed | PollAnswered
Item = Event | Signal


class Unreadable(ValueError):
    """An update that cannot be read (a field missing or of another type),
    and why."""


def read(
    update: Json, *, me: BotIdentity | None = None, admins: Collection[int] = _NO_ADMINS
) -> list[Item]:
    """`translate`, raising Unreadable for an update it cannot read: the
    replay reports each such line to the owner."""
    try:
        for key, body in update.items():
            kind = _KINDS.get(key)
            if kind is not None:
                return kind(body, me or _UNKNOWN_BOT, admins)
    except Exception as exc:
        # The update comes from outside, and a recording or a bridge can
        # hold anything: whatever breaks on it, the update is what is wrong.
        raise Unreadable(_unreadable(exc)) from exc
    _not_read(update)
    return []


# Update kinds met that translate does not read, each logged the first time.
_UNREAD: set[str] = set()
_UNREAD_NAMED = 64


def _not_read(update: Json) -> None:
    """An update of a kind the bot never asked for (a Bot API newer than
    the bot, a server that ignores allowed_updates) means nothing to it:
    said once per kind, so the log shows it without filling up."""
    for key in update:
        if key != "update_id" and key not in _UNREAD and len(_UNREAD) < _UNREAD_NAMED:
            _UNREAD.add(key)
            log.info("updates of kind %r are not read by this version; skipped", str(key)[:64])


def translate(
    update: Json, *, me: BotIdentity | None = None, admins: Collection[int] = _NO_ADMINS
) -> list[Item]:
    """One update -> the events it means (often one, sometimes none).

    `admins` holds the user ids administering the update's chat (see
    `admin_chat`); their messages carry `UserRef.is_admin`.

    An update it cannot read means nothing: it is logged, once, and the
    updates after it are read as usual.
    """
    try:
        return read(update, me=me, admins=admins)
    except Unreadable as exc:
        update_id = update.get("update_id") if isinstance(update, Mapping) else None
        log.warning("update %r cannot be read (%s); skipped", update_id, exc)
        return []


def admin_chat(update: Json) -> int | None:
    """The group whose administrators `translate` needs for this update;
    None for an update translate will not read either."""
    try:
        msg = update.get("message") or update.get("edited_message")
        if msg is None:
            return None
        chat = msg["chat"]
        return _int(chat["id"]) if chat.get("type") in _GROUP_TYPES else None
    except Exception:
        return None


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


def _int(value: object) -> int:
    """An id as the Bot API gives it: a JSON integer, nothing else."""
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return storable(value)


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)


def when(timestamp: int | float) -> datetime:
    if type(timestamp) not in (int, float):
        raise TypeError(f"expected a Unix time, got {type(timestamp).__name__}")
    return datetime.fromtimestamp(timestamp, UTC)


def user_ref(user: Json, admins: Collection[int] = _NO_ADMINS) -> UserRef:
    first = _str(user.get("first_name") or "")
    last = _optional_str(user.get("last_name"))
    uid = _int(user["id"])
    return UserRef(
        PLATFORM,
        str(uid),
        f"{first} {last}" if last else first,
        _optional_str(user.get("username")),
        bool(user.get("is_bot", False)),
        uid in admins,
        _optional_str(user.get("language_code")),
    )


def chat_ref(chat: Json, thread: str | None = None) -> ChatRef:
    private = chat.get("type") == "private"
    title = "" if private else chat.get("title") or ""
    return _chat_ref(_int(chat["id"]), private, title, thread, chat.get("is_forum") is True)


@lru_cache(maxsize=4096)
def _chat_ref(
    chat_id: int, private: bool, title: object, thread: str | None, forum: bool = False
) -> ChatRef:
    # A frozen dataclass costs about a microsecond to build, as much as the
    # rest of a message's translation: one per chat (and topic) instead.
    return ChatRef(PLATFORM, str(chat_id), private, _str(title), thread, forum)


def topic(msg: Json) -> str | None:
    """The forum topic a message is in; None in a forum's General topic
    and outside forums (where message_thread_id names a reply thread, in
    which nothing can be posted apart)."""
    if msg.get("is_topic_message") is not True:
        return None
    return str(_int(msg["message_thread_id"]))


def media_kind(msg: Json) -> str | None:
    for kind in MEDIA_KINDS:
        if kind in msg:
            return kind
    return None


# Pictures are read (OCR) at this size or the nearest below: larger ones
# cost seconds more and read no better.
_READ_SIDE = 1600


def picture(msg: Json) -> str | None:
    """The file_id of the message's photo to read, or of an image sent as a
    file; None without one."""
    sizes = msg.get("photo")
    if sizes:
        fitting = [p for p in sizes if max(p.get("width", 0), p.get("height", 0)) <= _READ_SIDE]
        chosen = fitting[-1] if fitting else sizes[0]
        return str(chosen["file_id"])
    document = msg.get("document")
    if document and str(document.get("mime_type", "")).startswith("image/"):
        return str(document["file_id"])
    return None


def forward_origin(msg: Json) -> str | None:
    """How a forwarded message came: user, hidden_user, chat or channel."""
    origin = msg.get("forward_origin")
    if origin is not None:
        return str(origin.get("type", "unknown"))
    # Before Bot API 7.0 forwards carried forward_* fields instead.
    if "forward_from_chat" in msg:
        return "channel" if msg["forward_from_chat"].get("type") == "channel" else "chat"
    if "forward_from" in msg:
        return "user"
    if "forward_sender_name" in msg:
        return "hidden_user"
    return None


def _message(msg: Json, me: BotIdentity, admins: Collection[int], edited: bool) -> list[Item]:
    chat = msg["chat"]
    if chat.get("type") == "channel":
        return []
    if "migrate_to_chat_id" in msg or "migrate_from_chat_id" in msg:
        return _migrated(msg)
    paid = msg.get("successful_payment")
    if paid is not None and not edited and "from" in msg:
        return [_payment(paid, user_ref(msg["from"]), when(msg["date"]))]
    text = msg.get("text")
    entities = msg.get("entities")
    if text is None:
        text = msg.get("caption")
        entities = msg.get("caption_entities")
    media = media_kind(msg)
    if text is None:
        if media is None:
            return [] if edited else _membership(msg, me, admins)
        text = ""
    text = _str(text)
    # Another bot's command is chat to us: the rules read it, nothing runs it.
    for_another_bot = text[:1] == "/" and not _for_me(text, me)
    command = text[:1] == "/" and not for_another_bot
    # Commands too: a slash is no way around the rules.
    markup = msg.get("reply_markup")
    if entities or markup or media == "poll":
        hidden = _hidden_links(entities, markup)
        if media == "poll":
            hidden = [*_poll_text(msg["poll"]), *hidden]
        if hidden:
            text = storable("\n".join([text, *hidden]) if text else "\n".join(hidden))
    ref = chat_ref(chat, topic(msg)) if "is_topic_message" in msg else chat_ref(chat)
    at = when(msg["edit_date"] if edited and "edit_date" in msg else msg["date"])
    reply = _reply(msg, admins)
    sender_chat = msg.get("sender_chat")
    forwarded = "forward_origin" in msg or "forward_date" in msg
    mid = _int(msg["message_id"])
    if sender_chat is not None:
        # Anonymous admins post as the group itself, its linked channel as
        # the channel (its posts forwarded automatically, its comments with
        # the channel's id among `admins`): the group's own voice, never
        # punished. Anyone may speak as a channel of their own, though, and
        # spam that way: such a channel is a sender like a member.
        sender_id = _int(sender_chat["id"])
        anonymous_admin = sender_id == chat["id"]
        own = anonymous_admin or sender_id in admins or bool(msg.get("is_automatic_forward", False))
        title = _str(sender_chat.get("title") or "")
        sender = UserRef(PLATFORM, str(sender_id), title, None, False, anonymous_admin)
        if anonymous_admin and command and not edited:
            # Anonymous admins moderate too; the engine ignores posts on
            # behalf of a chat, so their commands go to it directly.
            issued = _command(ref, sender, mid, text, at, reply, entities, admins)
            if issued is not None:
                return [issued]
        return [
            MessagePosted(
                ref, sender, mid, text, at, reply, media, forwarded, edited, own,
                image=picture(msg),
            )
        ]  # fmt: skip
    frm = msg.get("from")
    if frm is None:
        return []
    sender = user_ref(frm, admins)
    if command and not edited and entities and _mention_entity(entities) is not None:
        issued = _command(ref, sender, mid, text, at, reply, entities, admins)
        if issued is not None:
            return [issued]
    on_behalf = bool(msg.get("is_automatic_forward", False))
    origin = forward_origin(msg) if forwarded else None
    return [
        MessagePosted(
            ref, sender, mid, text, at, reply, media, forwarded, edited, on_behalf, origin,
            for_another_bot, picture(msg),
        )
    ]  # fmt: skip


def _mention_entity(entities: list[Json]) -> Json | None:
    """The text mention in a message: members without a username are
    mentioned this way, and the entity carries who they are."""
    for e in entities:
        if e.get("type") == "text_mention" and "user" in e:
            return e
    return None


def _command(
    chat: ChatRef,
    sender: UserRef,
    mid: int,
    text: str,
    at: datetime,
    reply: ReplyRef | None,
    entities: list[Json] | None,
    admins: Collection[int],
) -> CommandIssued | None:
    mention = _mention_entity(entities) if entities else None
    # The mention names the target; the arguments are what follows it.
    parsed = parse_command(_cut(text, mention) if mention is not None else text)
    if parsed is None:
        return None
    name, args = parsed
    target = user_ref(mention["user"], admins) if mention is not None else None
    return CommandIssued(chat, sender, mid, name, args, at, reply, text, target)


def _cut(text: str, entity: Json) -> str:
    """`text` without the entity's span (offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start = 2 * int(entity.get("offset", 0))
    end = start + 2 * int(entity.get("length", 0))
    return (units[:start] + b" \x00" + units[end:]).decode("utf-16-le")


def _edited(msg: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    return _message(msg, me, admins, True)


def _posted(msg: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    return _message(msg, me, admins, False)


def _for_me(text: str, me: BotIdentity) -> bool:
    """False for `/cmd@otherbot`: in a group every bot sees every command."""
    end = len(text)
    for sep in (" ", "\n"):
        i = text.find(sep)
        if i != -1 and i < end:
            end = i
    head = text[:end]
    at = head.find("@")
    if at == -1 or me.username is None:
        return True
    return head[at + 1 :].lower() == me.username.lower()


def _hidden_links(entities: list[Json] | None, markup: Json | None) -> list[str]:
    """The URLs a message carries out of sight, which the rules must see: a
    text_link shows one word and hides its URL, and a message sent through
    an inline bot (`via_bot`) can carry URL buttons under it."""
    urls = [_str(e["url"]) for e in entities or () if e.get("type") == "text_link" and e.get("url")]
    if markup:
        for row in markup.get("inline_keyboard") or ():
            for button in row:
                url = button.get("url") or (button.get("login_url") or {}).get("url")
                if url:
                    urls.append(_str(url))
    return urls


def _poll_text(poll: Json) -> list[str]:
    """A member's poll says what its question and options say."""
    lines = [_str(poll.get("question") or "")]
    lines += [_str(o.get("text") or "") for o in poll.get("options") or ()]
    return [line for line in lines if line]


def _migrated(msg: Json) -> list[Item]:
    """A basic group upgraded to a supergroup: the old chat's last message
    names the new chat, the new chat's first names the old one."""
    chat = chat_ref(msg["chat"])
    at = when(msg["date"])
    if "migrate_to_chat_id" in msg:
        new = ChatRef(PLATFORM, str(_int(msg["migrate_to_chat_id"])), title=chat.title)
        return [ChatMoved(ChatRef(PLATFORM, chat.chat_id), new, at)]
    old = ChatRef(PLATFORM, str(_int(msg["migrate_from_chat_id"])))
    return [ChatMoved(old, chat, at)]


def _reply(msg: Json, admins: Collection[int]) -> ReplyRef | None:
    original = msg.get("reply_to_message")
    if original is None:
        return None
    # In forum groups a message in a topic "replies" to the topic's first
    # message; that is not a reply to a member.
    if "forum_topic_created" in original:
        return None
    frm = original.get("from")
    author = user_ref(frm, admins) if frm is not None and "sender_chat" not in original else None
    text = _str(original.get("text") or original.get("caption") or "")
    return ReplyRef(_int(original["message_id"]), author, text)


def _membership(msg: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    """Joins and leaves from a group's service message, where the bot is no
    administrator (an admin bot reads the same from `chat_member`). The
    bot's own arrival and removal are `my_chat_member`'s."""
    joined = msg.get("new_chat_members")
    left = msg.get("left_chat_member")
    if joined is None and left is None:
        return []
    chat = msg["chat"]
    if chat.get("type") not in _GROUP_TYPES or (me.id is not None and me.id in admins):
        return []
    ref = chat_ref(chat)
    at = when(msg["date"])
    frm = msg.get("from")
    items: list[Item] = []
    for user in joined or ():
        uid = _int(user["id"])
        if uid != me.id:
            by = user_ref(frm) if frm is not None and frm.get("id") != uid else None
            items.append(MemberJoined(ref, user_ref(user), at, None, by))
    if left is not None and _int(left["id"]) != me.id:
        by = user_ref(frm) if frm is not None and frm.get("id") != left["id"] else None
        items.append(MemberLeft(ref, user_ref(left), at, by))
    return items


def _in_chat(member: Json) -> bool:
    status = member.get("status")
    return status in _IN_CHAT or (status == "restricted" and bool(member.get("is_member")))


def _chat_member(cm: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    chat = cm["chat"]
    if chat.get("type") not in _GROUP_TYPES:
        return []
    old, new = cm["old_chat_member"], cm["new_chat_member"]
    user = new["user"]
    now_admin = new.get("status") in _ADMIN
    member = user_ref(user, (user["id"],) if now_admin else _NO_ADMINS)
    ref = chat_ref(chat)
    at = when(cm["date"])
    frm = cm.get("from")
    by = user_ref(frm) if frm is not None and frm.get("id") != user["id"] else None
    items: list[Item] = []
    was_in, now_in = _in_chat(old), _in_chat(new)
    if now_in and not was_in:
        link = cm.get("invite_link")
        invite = _optional_str(link.get("invite_link")) if link else None
        items.append(MemberJoined(ref, member, at, invite, by))
    elif was_in and not now_in:
        items.append(MemberLeft(ref, member, at, by))
    if (old.get("status") in _ADMIN) != now_admin:
        items.append(AdminsChanged(ref, member, now_admin))
    return items


def _my_chat_member(cm: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    chat = cm["chat"]
    if chat.get("type") not in _GROUP_TYPES:
        return []
    old, new = cm["old_chat_member"], cm["new_chat_member"]
    frm = cm.get("from")
    return [
        BotStatusChanged(
            chat_ref(chat),
            storable(str(chat.get("title") or chat["id"])),
            str(new.get("status")),
            str(old.get("status")),
            missing_rights(new),
            user_ref(frm) if frm is not None else None,
            when(cm["date"]),
        )
    ]


def missing_rights(member: Json) -> tuple[str, ...]:
    """The REQUIRED_RIGHTS a ChatMember (the bot's own, as my_chat_member or
    getChatMember give it) lacks: all of them unless it is an admin, none
    once it is out of the chat."""
    status = member.get("status")
    if status == "creator":
        return ()
    if status in _ADMIN:
        return tuple(r for r in REQUIRED_RIGHTS if not member.get(r))
    if _in_chat(member):
        return REQUIRED_RIGHTS
    return ()


def _join_request(req: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    link = req.get("invite_link")
    return [
        JoinRequested(
            chat_ref(req["chat"]),
            user_ref(req["from"]),
            when(req["date"]),
            _optional_str(link.get("invite_link")) if link else None,
        )
    ]


def _reaction_key(reaction: Json) -> str:
    kind = reaction.get("type")
    if kind == "emoji":
        return str(reaction.get("emoji", ""))
    if kind == "custom_emoji":
        return f"custom:{reaction.get('custom_emoji_id', '')}"
    return str(kind)


def _reaction(body: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    user = body.get("user")
    if user is None:
        # Reactions on behalf of a chat (anonymous admins, channels) have no member.
        return []
    before = {_reaction_key(r) for r in body.get("old_reaction", ())}
    added = [k for k in map(_reaction_key, body.get("new_reaction", ())) if k not in before]
    if not added:
        return []
    ref = chat_ref(body["chat"])
    who = user_ref(user, admins)
    at = when(body["date"])
    mid = _int(body["message_id"])
    return [ReactionAdded(ref, who, mid, emoji, at) for emoji in added]


def _callback(query: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    message = query.get("message")
    chat = chat_ref(message["chat"], topic(message)) if message is not None else None
    mid = _int(message.get("message_id")) if message is not None else None
    data = _optional_str(query.get("data"))
    return [ButtonPressed(str(query["id"]), user_ref(query["from"]), data, chat, mid)]


def _poll_answer(answer: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    user = answer.get("user")
    return [
        PollAnswered(
            str(answer["poll_id"]),
            user_ref(user) if user is not None else None,
            tuple(_int(i) for i in answer.get("option_ids", ())),
        )
    ]


def _payment(paid: Json, user: UserRef, at: datetime) -> PaymentReceived:
    return PaymentReceived(
        user,
        _str(paid["invoice_payload"]),
        _int(paid["total_amount"]),
        _str(paid["currency"]),
        _str(paid["telegram_payment_charge_id"]),
        at,
    )


def _checkout(query: Json, me: BotIdentity, admins: Collection[int]) -> list[Item]:
    # A pre-checkout query carries no date: it is answered at once.
    return [
        CheckoutAsked(
            user_ref(query["from"]),
            _str(query["id"]),
            _str(query["invoice_payload"]),
            _int(query["total_amount"]),
            _str(query["currency"]),
            datetime.now(UTC),
        )
    ]


_UNKNOWN_BOT = BotIdentity()

_KINDS: dict[str, Callable[[Json, BotIdentity, Collection[int]], list[Item]]] = {
    "message": _posted,
    "edited_message": _edited,
    "chat_member": _chat_member,
    "my_chat_member": _my_chat_member,
    "chat_join_request": _join_request,
    "message_reaction": _reaction,
    "callback_query": _callback,
    "poll_answer": _poll_answer,
    "pre_checkout_query": _checkout,
}

# Every update kind translate reads: named in allowed_updates, since Telegram
# does not send chat_member or message_reaction unless asked.
UPDATE_KINDS: tuple[str, ...] = tuple(_KINDS)
