"""A fake Telegram Bot API server that python-telegram-bot talks to unmodified.

It is an aiohttp web server on 127.0.0.1 (a random port) serving
`/bot<token>/<method>` the way api.telegram.org does: form or JSON
parameters, `{"ok": true, "result": ...}` or `{"ok": false, "error_code",
"description", "parameters"}` answers, and the errors real Telegram gives for
missing rights, unknown messages, bad parameters and flooding.

It keeps a small world (users, groups, members with statuses and rights,
messages) so that calls have the effects tests assert on, and an update queue
with Telegram's getUpdates semantics: `offset` confirms every earlier update,
`allowed_updates` persists between calls, long polling waits for `timeout`.
With a webhook set it pushes updates to it with the secret token header
instead, and getUpdates answers 409.

Tests inject updates through helpers (`post`, `member_joins`, `request_join`,
...) and read the call log (`calls`, `called`). Files (chat photos) are
served the way Telegram serves them: `getFile` gives a `file_path`, and
`/file/bot<token>/<file_path>` the bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT_ID = 5550001
BOT_USERNAME = "gk_test_bot"

ALL_RIGHTS = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_pin_messages": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_manage_topics": False,
}

# Sent unless allowed_updates names them (Bot API: getUpdates).
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)

# An InlineKeyboardButton has exactly one of these (Bot API).
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)

# A new group's default member permissions: everything but forum topics.
_DEFAULT_PERMISSIONS = {p: p != "can_manage_topics" for p in _PERMISSIONS}
# Without use_independent_chat_permissions, these imply the ones listed (Bot API).
_IMPLIED = {
    "can_send_other_messages": (
        "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
        "can_send_videos", "can_send_video_notes", "can_send_voice_notes",
    ),
    "can_send_polls": ("can_send_messages",),
}  # fmt: skip
_IMPLIED["can_add_web_page_previews"] = _IMPLIED["can_send_other_messages"]
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")

# What "all permissions" must grant to lift a restriction (topics and tags are
# forum extras that ChatPermissions.all_permissions() may or may not name).
_BASIC_PERMISSIONS = frozenset(_PERMISSIONS) - {
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


class PostRefused(AssertionError):
    """A member tried to post where Telegram would not let them."""


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True
    error: str | None = None


@dataclass
class Member:
    user: dict[str, Any]
    status: str = "member"
    rights: dict[str, bool] = field(default_factory=dict)
    until_date: int = 0
    permissions: dict[str, bool] | None = None

    @property
    def in_chat(self) -> bool:
        return self.status in ("creator", "administrator", "member") or (
            self.status == "restricted"
        )

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "user": self.user}
        if self.status == "creator":
            out["is_anonymous"] = False
        elif self.status == "administrator":
            out |= {"can_be_edited": False, "is_anonymous": False, **ALL_RIGHTS, **self.rights}
        elif self.status == "restricted":
            out |= {"is_member": True, "until_date": self.until_date}
            out |= {p: False for p in _PERMISSIONS} | (self.permissions or {})
        elif self.status == "kicked":
            out["until_date"] = self.until_date
        return out


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    description: str = ""
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_message_id: int = 1
    join_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    pinned: int | None = None
    # Every pinned message, oldest first (Telegram keeps several).
    pins: list[int] = field(default_factory=list)
    started: bool = True
    blocked: bool = False
    # The group photo's file ids (big, small), and the group's default
    # member permissions.
    photo: tuple[str, str] | None = None
    permissions: dict[str, bool] = field(default_factory=lambda: dict(_DEFAULT_PERMISSIONS))
    # A basic group upgraded to a supergroup answers every call with the
    # new chat's id (Bot API: ResponseParameters.migrate_to_chat_id).
    migrated_to: int | None = None
    # A forum supergroup's topics (message_thread_id -> name).
    topics: dict[int, str] | None = None
    # A discussion group's linked channel, and the channels banned from
    # speaking in the group (banChatSenderChat).
    linked: int | None = None
    banned_senders: set[int] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        if self.type == "private":
            user = self.members[self.id].user
            out = {"id": self.id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                out["username"] = user["username"]
            return out
        out = {"id": self.id, "type": self.type, "title": self.title}
        if self.topics is not None:
            out["is_forum"] = True
        return out

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


@dataclass(frozen=True)
class ServerLimits:
    """What the server answers 429 to. Smaller windows keep tests fast."""

    group: int = 20
    group_period: float = 60.0
    overall: int = 30
    overall_period: float = 1.0
    # Requests reach the server later than the client sent them; a window a
    # bit shorter than the client's keeps honest clients clear of 429s.
    slack: float = 0.9


class _Window:
    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.stamps: deque[float] = deque()

    def over(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.period:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.period - now


class FakeBotApi:
    def __init__(
        self,
        token: str = "123456:TEST-token-made-to-look-like-a-real-one",
        limits: ServerLimits | None = None,
    ):
        self.token = token
        self.limits = limits or ServerLimits()
        self.me = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Groupkeeper",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, Chat] = {}
        self.history: list[dict[str, Any]] = []
        self.confirmed_below = 1
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] | None = None
        self.deliveries: Counter[int] = Counter()
        self.offsets: list[int | None] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_rejections = 0
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # method -> [calls left, retry_after, chat_id or 0 for any chat]
        self.floods: dict[str, list[int]] = {}
        # method -> [calls left, HTTP status of the failure]
        self.breakdowns: dict[str, list[int]] = {}
        # method -> seconds the server waits before answering it
        self.stalls: dict[str, float] = {}
        self.answered_queries: set[str] = set()
        self._queries: set[str] = set()
        self._invite_serial = 0
        # file_id -> (file_path, bytes); what was downloaded, by file_path.
        self.files: dict[str, tuple[str, bytes]] = {}
        self.downloads: list[str] = []
        self._windows: dict[int, _Window] = {}
        self._overall = _Window(self.limits.overall, self.limits.overall_period * self.limits.slack)
        self._changed = asyncio.Condition()
        self._push_task: asyncio.Task[None] | None = None
        self._poll_serial = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Deliver every update kind, whatever allowed_updates asked for (a
        # server that does not filter, or update kinds newer than the bot).
        self.sends_every_kind = False
        # Post new_chat_members / left_chat_member service messages for the
        # joins and leaves of `member_joins` / `member_leaves`, as Telegram
        # does in a group that does not hide them. Off by default: the other
        # tests' chats keep their message ids.
        self.service_messages = False

    # -- server lifecycle --------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._push_task is not None:
            self._push_task.cancel()
            self._push_task = None
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- the world -----------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        language_code: str | None = None,
        last_name: str | None = None,
        started: bool = False,
    ) -> dict[str, Any]:
        """A Telegram user; `started` users have opened a private chat with the bot."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        chat = Chat(user_id, "private", started=started)
        chat.members[user_id] = Member(user)
        chat.members[BOT_ID] = Member(self.me)
        self.chats[user_id] = chat
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        type: str = "supergroup",
        owner: int | None = None,
        admins: Iterable[int] = (),
        members: Iterable[int] = (),
        bot_status: str = "administrator",
        bot_rights: dict[str, bool] | None = None,
    ) -> Chat:
        chat = Chat(chat_id, type, title)
        self.chats[chat_id] = chat
        if bot_status != "left":
            chat.members[BOT_ID] = Member(self.me, bot_status, dict(bot_rights or {}))
        if owner is not None:
            chat.members[owner] = Member(self.users[owner], "creator")
        for uid in admins:
            chat.members[uid] = Member(self.users[uid], "administrator")
        for uid in members:
            chat.members[uid] = Member(self.users[uid])
        return chat

    def member(self, chat_id: int, user_id: int) -> Member | None:
        return self.chats[chat_id].members.get(user_id)

    # -- injecting updates ---------------------------------------------------

    def inject(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: body}
        self.next_update_id += 1
        self.history.append(update)
        self._notify()
        return update

    def post(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        reply_to: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        date: int | None = None,
        media: dict[str, Any] | None = None,
        caption: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A member posts; returns the message. Refused like Telegram would.
        `extra`: more fields of the Message, as Telegram would add them."""
        chat = self.chats[chat_id]
        m = chat.members.get(user_id)
        now = int(time.time())
        if m is None or not m.in_chat:
            raise PostRefused(f"{user_id} is not in {chat_id}")
        muted = m.status == "restricted" and (m.until_date == 0 or m.until_date > now)
        if muted and not (m.permissions or {}).get("can_send_messages"):
            raise PostRefused(f"{user_id} is muted in {chat_id} until {m.until_date}")
        msg: dict[str, Any] = {
            "message_id": chat.new_message_id(),
            "date": date if date is not None else now,
            "chat": chat.as_json(),
            "from": self.users[user_id],
        }
        if text is not None:
            msg["text"] = text
        if entities:
            msg["caption_entities" if caption is not None else "entities"] = entities
        if media:
            msg |= media
        if caption is not None:
            msg["caption"] = caption
        if reply_to is not None:
            msg["reply_to_message"] = chat.messages[reply_to]
        msg |= extra or {}
        chat.messages[msg["message_id"]] = msg
        self.inject("message", msg)
        return msg

    def open_topic(self, chat_id: int, name: str, by: int) -> int:
        """A forum topic is created in a forum supergroup; returns its
        message_thread_id (the id of its forum_topic_created message)."""
        chat = self.chats[chat_id]
        if chat.topics is None:
            chat.topics = {}
        mid = chat.new_message_id()
        chat.topics[mid] = name
        msg = {
            "message_id": mid,
            "message_thread_id": mid,
            "is_topic_message": True,
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": self.users[by],
            "forum_topic_created": {"name": name, "icon_color": 7322096},
        }
        chat.messages[mid] = msg
        self.inject("message", msg)
        return mid

    def post_in_topic(self, chat_id: int, thread: int, user_id: int, text: str) -> dict[str, Any]:
        """A member writes in a forum topic: Telegram marks the message and
        makes it a reply to the topic's first message."""
        chat = self.chats[chat_id]
        return self.post(
            chat_id,
            user_id,
            text,
            extra={
                "message_thread_id": thread,
                "is_topic_message": True,
                "reply_to_message": chat.messages[thread],
            },
        )

    def migrate(self, old_id: int, new_id: int, by: int) -> Chat:
        """A basic group is upgraded to a supergroup (a new chat id): the
        old chat says where it went, the new one where it came from, and
        the old id is refused from then on."""
        old = self.chats[old_id]
        new = Chat(new_id, "supergroup", old.title, old.description)
        new.members = {
            uid: Member(m.user, m.status, dict(m.rights)) for uid, m in old.members.items()
        }
        self.chats[new_id] = new
        old.migrated_to = new_id
        user = self.users[by]
        for chat, field_name, other in (
            (old, "migrate_to_chat_id", new_id),
            (new, "migrate_from_chat_id", old_id),
        ):
            mid = chat.new_message_id()
            msg = {
                "message_id": mid,
                "date": int(time.time()),
                "chat": chat.as_json(),
                "from": user,
                field_name: other,
            }
            chat.messages[mid] = msg
            self.inject("message", msg)
        return new

    def edit(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        msg = dict(self.chats[chat_id].messages[message_id])
        msg["text"] = text
        msg["edit_date"] = int(time.time())
        self.chats[chat_id].messages[message_id] = msg
        self.inject("edited_message", msg)
        return msg

    def _member_update(
        self,
        kind: str,
        chat: Chat,
        user_id: int,
        old: dict[str, Any],
        by: dict[str, Any],
        invite_link: dict[str, Any] | None = None,
        via_join_request: bool = False,
    ) -> None:
        if kind == "chat_member" and not self.bot_is_admin(chat.id):
            return  # Telegram sends chat_member updates to admin bots only
        new = chat.members[user_id].as_json()
        body: dict[str, Any] = {
            "chat": chat.as_json(),
            "from": by,
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        if invite_link is not None:
            body["invite_link"] = invite_link
        if via_join_request:
            body["via_join_request"] = True
        self.inject(kind, body)

    def _set_status(
        self,
        chat: Chat,
        user_id: int,
        status: str,
        by: dict[str, Any],
        *,
        kind: str = "chat_member",
        invite_link: dict[str, Any] | None = None,
        via_join_request: bool = False,
        **fields: Any,
    ) -> None:
        user = self.me if user_id == BOT_ID else self.users[user_id]
        before = chat.members.get(user_id) or Member(user, "left")
        old = before.as_json()
        m = Member(user, status, **fields)
        chat.members[user_id] = m
        self._member_update(kind, chat, user_id, old, by, invite_link, via_join_request)

    def member_joins(
        self, chat_id: int, user_id: int, *, invite_link: str | None = None, by: int | None = None
    ) -> None:
        """A user joins (through `invite_link`), or is added by `by`."""
        link = self._link_json(invite_link) if invite_link else None
        adder = self.users[by if by is not None else user_id]
        chat = self.chats[chat_id]
        self._set_status(chat, user_id, "member", adder, invite_link=link)
        self._service(chat, adder, new_chat_members=[self.users[user_id]])

    def member_leaves(self, chat_id: int, user_id: int) -> None:
        chat = self.chats[chat_id]
        self._set_status(chat, user_id, "left", self.users[user_id])
        self._service(chat, self.users[user_id], left_chat_member=self.users[user_id])

    def _service(self, chat: Chat, by: dict[str, Any], **fields: Any) -> None:
        """The service message Telegram posts in the group for a join or a
        leave, when `service_messages` is on (the group does not hide them)."""
        if not self.service_messages:
            return
        msg = {
            "message_id": chat.new_message_id(),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": by,
            **fields,
        }
        if "new_chat_members" in fields:
            # The Bot API's older names for the first member, still sent.
            msg["new_chat_member"] = msg["new_chat_participant"] = fields["new_chat_members"][0]
        if "left_chat_member" in fields:
            msg["left_chat_participant"] = fields["left_chat_member"]
        chat.messages[msg["message_id"]] = msg
        self.inject("message", msg)

    def bot_is_admin(self, chat_id: int) -> bool:
        me = self.chats[chat_id].members.get(BOT_ID)
        return me is not None and me.status in ("creator", "administrator")

    def promote(self, chat_id: int, user_id: int, by: int) -> None:
        self._set_status(self.chats[chat_id], user_id, "administrator", self.users[by])

    def demote(self, chat_id: int, user_id: int, by: int) -> None:
        self._set_status(self.chats[chat_id], user_id, "member", self.users[by])

    def request_join(self, chat_id: int, user_id: int, *, invite_link: str | None = None) -> None:
        chat = self.chats[chat_id]
        body: dict[str, Any] = {
            "chat": chat.as_json(),
            "from": self.users[user_id],
            "user_chat_id": user_id,
            "date": int(time.time()),
        }
        if invite_link:
            body["invite_link"] = self._link_json(invite_link, creates_join_request=True)
        chat.join_requests[user_id] = body
        self.inject("chat_join_request", body)

    def bot_status(
        self, chat_id: int, status: str, by: int, rights: dict[str, bool] | None = None
    ) -> None:
        """The bot is added, promoted, demoted or removed (my_chat_member)."""
        chat = self.chats[chat_id]
        self._set_status(
            chat, BOT_ID, status, self.users[by], kind="my_chat_member", rights=dict(rights or {})
        )

    def react(self, chat_id: int, user_id: int, message_id: int, emoji: str) -> None:
        self.inject(
            "message_reaction",
            {
                "chat": self.chats[chat_id].as_json(),
                "message_id": message_id,
                "user": self.users[user_id],
                "date": int(time.time()),
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": emoji}],
            },
        )

    def press(
        self, chat_id: int, user_id: int, message_id: int, data: str, *, old: bool = False
    ) -> str:
        """`old`: the message is more than 48 hours old, and Telegram sends
        it as an InaccessibleMessage (its chat, its id and a date of 0)."""
        query_id = f"q{len(self._queries) + 1}"
        self._queries.add(query_id)
        chat = self.chats[chat_id]
        message = (
            {"chat": chat.as_json(), "message_id": message_id, "date": 0}
            if old
            else chat.messages[message_id]
        )
        self.inject(
            "callback_query",
            {
                "id": query_id,
                "from": self.users[user_id],
                "chat_instance": "ci-1",
                "message": message,
                "data": data,
            },
        )
        return query_id

    def keyboard(self, chat_id: int, message_id: int) -> list[list[dict[str, Any]]]:
        """The inline keyboard under a message, as Telegram keeps it."""
        markup = self.chats[chat_id].messages[message_id].get("reply_markup") or {}
        rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        return rows

    def press_button(
        self, chat_id: int, user_id: int, message_id: int, text: str, *, old: bool = False
    ) -> str:
        """A member presses the button labelled `text` under a message: the
        callback query carries the callback_data the bot gave that button."""
        found = [b for row in self.keyboard(chat_id, message_id) for b in row if b["text"] == text]
        if len(found) != 1 or "callback_data" not in found[0]:
            raise AssertionError(f"no button {text!r} under message {message_id} in {chat_id}")
        return self.press(chat_id, user_id, message_id, found[0]["callback_data"], old=old)

    def crash_before_confirming(self, update_id: int) -> None:
        """As if the bot died after fetching `update_id` and later ones but
        before confirming them: Telegram sends them again."""
        self.confirmed_below = min(self.confirmed_below, update_id)

    def flood(self, method: str, times: int, retry_after: int = 1, chat_id: int = 0) -> None:
        """The next `times` calls of `method` (to `chat_id` only, if given)
        are answered 429."""
        self.floods[method] = [times, retry_after, chat_id]

    def break_down(self, method: str, times: int, status: int = 502) -> None:
        """The next `times` calls of `method` fail with a server error and
        a body that is no Bot API answer (a proxy's HTML page)."""
        self.breakdowns[method] = [times, status]

    def set_photo(self, chat_id: int, image: bytes) -> None:
        """The group's photo changes (an owner set it in the app)."""
        chat = self.chats[chat_id]
        n = len(self.files) // 2 + 1
        big, small = f"AgAD-big-{n}", f"AgAD-small-{n}"
        for file_id in (big, small):
            self.files[file_id] = (f"profile_photos/file_{n}.jpg", image)
        chat.photo = (big, small)

    def photo_of(self, chat_id: int) -> bytes | None:
        photo = self.chats[chat_id].photo
        return self.files[photo[0]][1] if photo is not None else None

    def _link_json(self, link: str, creates_join_request: bool = False) -> dict[str, Any]:
        return {
            "invite_link": link,
            "creator": self.me,
            "creates_join_request": creates_join_request,
            "is_primary": False,
            "is_revoked": False,
        }

    # -- what tests read -----------------------------------------------------

    def called(self, method: str, **match: Any) -> list[dict[str, Any]]:
        """Parameters of the successful calls of `method` matching `match`
        (compared as the strings they travel as; JSON values stay encoded)."""
        return [
            c.params
            for c in self.calls
            if c.method == method
            and c.ok
            and all(str(c.params.get(k)) == _plain(v) for k, v in match.items())
        ]

    def refused(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and not c.ok]

    def sent(self, chat_id: int) -> list[str]:
        """Texts the bot sent to a chat, in order."""
        return [p["text"] for p in self.called("sendMessage", chat_id=chat_id)]

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [u for u in self.history if u["update_id"] >= self.confirmed_below]

    async def wait_for(
        self, predicate: Callable[[], object], within: float = 10.0, what: str = ""
    ) -> None:
        """Wait until `predicate()` holds; it may look at the bot's state too,
        so it is polled rather than tied to the server's own events."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what or predicate}")
            await asyncio.sleep(0.005)

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        asyncio.get_running_loop().create_task(notify())
        if self.webhook is not None and self._push_task is None:
            self._push_task = asyncio.get_running_loop().create_task(self._push())

    # -- HTTP ----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized"))
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params |= await request.json()
        elif request.can_read_body:
            for k, v in (await request.post()).items():
                # An uploaded file (multipart/form-data) arrives as its bytes.
                params[k] = v if isinstance(v, str) else v.file.read()
        handler: Callable[[dict[str, Any]], Awaitable[Any]] | None = getattr(
            self, f"_m_{method}", None
        )
        call = Call(method, params)
        if handler is None:
            call.ok, call.error = False, "Not Found"
            self.calls.append(call)
            return _reply(ApiError(404, "Not Found"))
        if method in self.stalls:
            await asyncio.sleep(self.stalls[method])
        broken = self.breakdowns.get(method)
        if broken and broken[0] > 0:
            broken[0] -= 1
            call.ok, call.error = False, f"HTTP {broken[1]}"
            self.calls.append(call)
            return web.Response(
                status=broken[1], text="<html>upstream error</html>", content_type="text/html"
            )
        try:
            self._check_flood(method, params)
            if method == "getUpdates":
                result = await self._m_getUpdates(params, request.transport)
            else:
                result = await handler(params)
        except ApiError as exc:
            call.ok, call.error = False, exc.description
            self.calls.append(call)
            self._notify()
            return _reply(exc)
        if method != "getUpdates":
            self.calls.append(call)
            self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                self.downloads.append(path)
                return web.Response(body=data, content_type="application/octet-stream")
        return _reply(ApiError(404, "Not Found"))

    def _check_flood(self, method: str, params: dict[str, Any]) -> None:
        flood = self.floods.get(method)
        if flood and flood[0] > 0 and flood[2] in (0, _int(params, "chat_id", required=False)):
            flood[0] -= 1
            raise _too_many(flood[1])
        if method not in ("sendMessage", "sendPoll"):
            return
        chat_id = _int(params, "chat_id", required=False)
        now = time.monotonic()
        windows = [self._overall]
        if chat_id is not None and chat_id < 0:
            window = self._windows.get(chat_id)
            if window is None:
                lim = self.limits
                window = self._windows[chat_id] = _Window(lim.group, lim.group_period * lim.slack)
            windows.append(window)
        wait = max(w.over(now) for w in windows)
        if wait > 0:
            raise _too_many(max(1, math.ceil(wait)))
        for w in windows:
            w.stamps.append(now)

    # -- updates -------------------------------------------------------------

    def allowed(self, update: dict[str, Any]) -> bool:
        if self.sends_every_kind:
            return True
        kind = next(k for k in update if k != "update_id")
        if self.allowed_updates is None:
            return kind not in NOT_BY_DEFAULT
        return kind in self.allowed_updates

    def _set_allowed(self, params: dict[str, Any]) -> None:
        if "allowed_updates" in params:
            allowed = _json(params, "allowed_updates")
            if not isinstance(allowed, list):
                raise bad("can't parse allowed updates list")
            self.allowed_updates = frozenset(allowed) if allowed else None

    async def _m_getUpdates(
        self, p: dict[str, Any], transport: asyncio.BaseTransport | None = None
    ) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(p, "offset", required=False)
        limit = _int(p, "limit", required=False) or 100
        timeout = _int(p, "timeout", required=False) or 0
        if not 1 <= limit <= 100:
            raise bad("limit must be between 1 and 100")
        self._set_allowed(p)
        self.offsets.append(offset)
        if offset is not None and offset > self.confirmed_below:
            self.confirmed_below = offset
        # A newer getUpdates ends the one still waiting, as on Telegram.
        self._poll_serial += 1
        serial = self._poll_serial
        self._notify()
        deadline = time.monotonic() + timeout
        while True:
            if serial != self._poll_serial:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            ready = [u for u in self.pending if self.allowed(u)][:limit]
            left = deadline - time.monotonic()
            if ready or left <= 0 or self._closing:
                break
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)
        if transport is None or transport.is_closing():
            # The client gave up on this request (a bot stopping): nothing
            # reached it.
            return []
        for u in ready:
            self.deliveries[u["update_id"]] += 1
        self._notify()
        return ready

    async def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        url = _str(p, "url", required=False) or ""
        if not url:
            return await self._m_deleteWebhook(p)
        secret = _str(p, "secret_token", required=False)
        if secret is not None and not _SECRET.match(secret):
            raise bad("secret token contains unallowed characters")
        self._set_allowed(p)
        if _bool(p, "drop_pending_updates"):
            self.confirmed_below = self.next_update_id
        self.webhook = {"url": url, "secret_token": secret}
        if self._push_task is None:
            self._push_task = asyncio.get_running_loop().create_task(self._push())
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = None
        if self._push_task is not None:
            self._push_task.cancel()
            self._push_task = None
        if _bool(p, "drop_pending_updates"):
            self.confirmed_below = self.next_update_id
        return True

    async def _push(self) -> None:
        """Deliver pending updates to the webhook, in order, until it answers 200."""
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None:
                ready = [u for u in self.pending if self.allowed(u)]
                if not ready:
                    async with self._changed:
                        await self._changed.wait()
                    continue
                update = ready[0]
                headers = {}
                if self.webhook["secret_token"]:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(
                        self.webhook["url"], json=update, headers=headers
                    ) as response:
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    self.deliveries[update["update_id"]] += 1
                    self.confirmed_below = update["update_id"] + 1
                    self._notify()
                else:
                    self.webhook_rejections += 1
                    await asyncio.sleep(0.05)

    # -- methods -------------------------------------------------------------

    async def _m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return self.me

    async def _m_setMyCommands(self, p: dict[str, Any]) -> bool:
        commands = _json(p, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands JSON object")
        for c in commands:
            if not _COMMAND.match(str(c.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad("command description must be 1-256 characters")
        scope = _json(p, "scope", required=False) or {"type": "default"}
        if scope.get("type") not in _SCOPES:
            raise bad("can't parse BotCommandScope JSON object")
        language = _str(p, "language_code", required=False) or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad("invalid language code specified")
        self.commands[(scope["type"], language)] = commands
        return True

    def _chat(self, p: dict[str, Any]) -> Chat:
        chat_id = _int(p, "chat_id")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        bot = chat.members.get(BOT_ID)
        if chat.type == "private":
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif bot is None or bot.status in ("left", "kicked"):
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _rights(self, chat: Chat, right: str, error: str) -> None:
        if chat.type == "private":
            return
        bot = chat.members[BOT_ID]
        if bot.status != "administrator" or not {**ALL_RIGHTS, **bot.rights}.get(right):
            raise bad(error)

    def _target(self, chat: Chat, p: dict[str, Any], *, must_be_in: bool = False) -> Member:
        user_id = _int(p, "user_id")
        if user_id not in self.users and user_id != BOT_ID:
            raise bad("user not found")
        m = chat.members.get(user_id)
        if m is None:
            if must_be_in:
                raise bad("user not found")
            m = Member(self.users[user_id], "left")
        if m.status == "creator":
            raise bad("can't remove chat owner")
        if m.status == "administrator":
            raise bad("user is an administrator of the chat")
        return m

    def _bot_message(self, chat: Chat, fields: dict[str, Any]) -> dict[str, Any]:
        msg = {
            "message_id": chat.new_message_id(),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": self.me,
            **fields,
        }
        chat.messages[msg["message_id"]] = msg
        return msg

    async def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        text = _str(p, "text", required=False) or ""
        if not text.strip():
            raise bad("message text is empty")
        if len(text) > 4096:
            raise bad("message is too long")
        fields: dict[str, Any] = {"text": text}
        thread = _int(p, "message_thread_id", required=False)
        if thread is not None:
            if chat.topics is None or thread not in chat.topics:
                raise bad("message thread not found")
            fields |= {"message_thread_id": thread, "is_topic_message": True}
        reply = _json(p, "reply_parameters", required=False)
        if reply is not None:
            target = reply.get("message_id")
            if target in chat.messages:
                replied = chat.messages[target]
                fields["reply_to_message"] = replied
                # A reply lands in the topic of the message it answers.
                if replied.get("is_topic_message") and "message_thread_id" not in fields:
                    fields["message_thread_id"] = replied["message_thread_id"]
                    fields["is_topic_message"] = True
            elif not reply.get("allow_sending_without_reply"):
                raise bad("message to be replied not found")
        entities = _json(p, "entities", required=False)
        if entities is not None:
            for e in entities:
                if e.get("type") == "text_mention" and "user" not in e:
                    raise bad("can't parse entities: text_mention without user")
                if e.get("offset", -1) < 0 or e.get("length", 0) <= 0:
                    raise bad("can't parse entities: bad offset or length")
            fields["entities"] = entities
        markup = _json(p, "reply_markup", required=False)
        if markup is not None and "inline_keyboard" in markup:
            fields["reply_markup"] = {"inline_keyboard": _inline_keyboard(markup)}
        return self._bot_message(chat, fields)

    async def _m_sendPoll(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        question = _str(p, "question", required=False) or ""
        if not 1 <= len(question) <= 300:
            raise bad("poll question length must be 1-300 characters")
        options = _json(p, "options")
        if not isinstance(options, list) or len(options) < 2:
            raise bad("poll must have at least 2 option")
        if len(options) > 12:
            raise bad("poll can't have more than 12 options")
        texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
        if any(not 1 <= len(t) <= 100 for t in texts):
            raise bad("poll options length must not exceed 100")
        poll = {
            "id": f"poll{len(self.calls)}",
            "question": question,
            "options": [
                {"persistent_id": f"opt{n}", "text": t, "voter_count": 0}
                for n, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": _bool(p, "is_anonymous", default=True),
            "type": "regular",
            "allows_multiple_answers": _bool(p, "allows_multiple_answers"),
            "allows_revoting": True,
            "members_only": False,
        }
        return self._bot_message(chat, {"poll": poll})

    async def _m_deleteMessage(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        mid = _int(p, "message_id")
        msg = chat.messages.get(mid)
        if msg is None:
            raise bad("message to delete not found")
        if msg["from"]["id"] != BOT_ID:
            self._rights(chat, "can_delete_messages", "message can't be deleted")
        del chat.messages[mid]
        return True

    async def _m_deleteMessages(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        ids = _json(p, "message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad("message_ids is empty")
        if len(ids) > 100:
            raise bad("too many message identifiers specified")
        self._rights(chat, "can_delete_messages", "message can't be deleted")
        for mid in ids:
            chat.messages.pop(mid, None)
        return True

    def _supergroup(self, chat: Chat) -> None:
        if chat.type != "supergroup":
            raise bad("method is available only for supergroups")

    async def _m_restrictChatMember(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._supergroup(chat)
        self._rights(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        m = self._target(chat, p)
        permissions = _json(p, "permissions")
        if not isinstance(permissions, dict):
            raise bad("can't parse permissions JSON object")
        until = _int(p, "until_date", required=False) or 0
        by = self.me
        if all(permissions.get(k, False) for k in _PERMISSIONS if k in _BASIC_PERMISSIONS):
            if m.status == "restricted":
                self._set_status(chat, m.user["id"], "member", by)
            return True
        self._set_status(
            chat, m.user["id"], "restricted", by, until_date=until, permissions=permissions
        )
        return True

    async def _m_banChatMember(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        if chat.type not in ("group", "supergroup"):
            raise bad("chat member status can't be changed in private chats")
        self._rights(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        m = self._target(chat, p)
        until = _int(p, "until_date", required=False) or 0
        was_in = m.in_chat
        self._set_status(chat, m.user["id"], "kicked", self.me, until_date=until)
        if was_in:
            self._service(chat, self.me, left_chat_member=m.user)
        return True

    async def _m_unbanChatMember(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._rights(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        m = self._target(chat, p)
        if m.status != "kicked" and _bool(p, "only_if_banned"):
            return True
        # Without only_if_banned, "unbanning" a member removes them (Bot API).
        self._set_status(chat, m.user["id"], "left", self.me)
        return True

    async def _m_pinChatMessage(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._rights(
            chat, "can_pin_messages", "not enough rights to manage pinned messages in the chat"
        )
        mid = _int(p, "message_id")
        if mid not in chat.messages:
            raise bad("message to pin not found")
        chat.pinned = mid
        if mid not in chat.pins:
            chat.pins.append(mid)
        return True

    async def _m_unpinChatMessage(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._rights(
            chat, "can_pin_messages", "not enough rights to manage pinned messages in the chat"
        )
        mid = _int(p, "message_id", required=False)
        target = mid if mid is not None else chat.pinned
        if target is None or target not in chat.pins:
            raise bad("message to unpin not found")
        chat.pins.remove(target)
        chat.pinned = chat.pins[-1] if chat.pins else None
        return True

    def vote(self, chat_id: int, message_id: int, user_id: int, option: int) -> None:
        """A member votes (options from 0) in one of the bot's open polls."""
        poll = self.chats[chat_id].messages[message_id]["poll"]
        if poll["is_closed"]:
            raise ValueError("the poll is closed")
        voters = poll.setdefault("_voters", {})
        before = voters.get(user_id)
        if before is not None:
            poll["options"][before]["voter_count"] -= 1
        voters[user_id] = option
        poll["options"][option]["voter_count"] += 1
        poll["total_voter_count"] = len(voters)

    async def _m_stopPoll(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        message = chat.messages.get(_int(p, "message_id"))
        if message is None or "poll" not in message:
            raise bad("message with poll to stop not found")
        poll = message["poll"]
        if poll["is_closed"]:
            raise bad("poll has already been closed")
        poll["is_closed"] = True
        return {k: v for k, v in poll.items() if not k.startswith("_")}

    async def _m_createChatInviteLink(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        self._rights(chat, "can_invite_users", "not enough rights to manage chat invite link")
        limit = _int(p, "member_limit", required=False)
        if limit is not None and not 1 <= limit <= 99999:
            raise bad("member limit must be between 1 and 99999")
        join_request = _bool(p, "creates_join_request")
        if join_request and limit is not None:
            raise bad("can't use member limit together with join requests")
        expire = _int(p, "expire_date", required=False)
        if expire is not None and expire <= time.time():
            raise bad("expire date must be in the future")
        self._invite_serial += 1
        link = self._link_json(f"https://t.me/+fake{self._invite_serial}", join_request)
        if limit is not None:
            link["member_limit"] = limit
        if expire is not None:
            link["expire_date"] = expire
        return link

    def _join_request(self, p: dict[str, Any]) -> tuple[Chat, int]:
        chat = self._chat(p)
        self._rights(chat, "can_invite_users", "not enough rights to manage join requests")
        user_id = _int(p, "user_id")
        if user_id not in chat.join_requests:
            raise bad("HIDE_REQUESTER_MISSING")
        return chat, user_id

    async def _m_approveChatJoinRequest(self, p: dict[str, Any]) -> bool:
        chat, user_id = self._join_request(p)
        request = chat.join_requests.pop(user_id)
        self._set_status(
            chat, user_id, "member", self.me, invite_link=request.get("invite_link"),
            via_join_request=True,
        )  # fmt: skip
        user = self.users[user_id]
        self._service(chat, user, new_chat_members=[user])
        return True

    async def _m_declineChatJoinRequest(self, p: dict[str, Any]) -> bool:
        chat, user_id = self._join_request(p)
        del chat.join_requests[user_id]
        return True

    async def _m_setChatTitle(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._rights(chat, "can_change_info", "not enough rights to change chat title")
        title = _str(p, "title", required=False) or ""
        if not title:
            raise bad("chat title is empty")
        if len(title) > 128:
            raise bad("chat title is too long")
        if title == chat.title:
            raise bad("chat title is not modified")
        chat.title = title
        return True

    async def _m_setChatDescription(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._rights(chat, "can_change_info", "not enough rights to change chat description")
        description = _str(p, "description", required=False) or ""
        if len(description) > 255:
            raise bad("chat description is too long")
        if description == chat.description:
            raise bad("chat description is not modified")
        chat.description = description
        return True

    async def _m_getChat(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        out = chat.as_json() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.type == "private":
            return out
        if chat.photo is not None:
            big, small = chat.photo
            out["photo"] = {
                "small_file_id": small,
                "small_file_unique_id": small.lower(),
                "big_file_id": big,
                "big_file_unique_id": big.lower(),
            }
        if chat.description:
            out["description"] = chat.description
        if chat.linked is not None:
            out["linked_chat_id"] = chat.linked
        out["permissions"] = dict(chat.permissions)
        return out

    async def _m_banChatSenderChat(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._supergroup(chat)
        self._rights(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        sender = _int(p, "sender_chat_id")
        if sender >= 0:
            raise bad("invalid sender chat id")
        chat.banned_senders.add(sender)
        return True

    async def _m_unbanChatSenderChat(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        self._rights(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        chat.banned_senders.discard(_int(p, "sender_chat_id"))
        return True

    def post_as_channel(
        self, chat_id: int, channel: dict[str, Any], text: str, **fields: Any
    ) -> dict[str, Any]:
        """A message sent on behalf of a channel (a member's own channel, or
        the group's linked one): `from` is Telegram's placeholder account."""
        chat = self.chats[chat_id]
        if channel["id"] in chat.banned_senders:
            raise PostRefused(f"{channel['id']} is banned from {chat_id}")
        msg: dict[str, Any] = {
            "message_id": chat.new_message_id(),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": {
                "id": 136817688,
                "is_bot": True,
                "first_name": "Channel",
                "username": "Channel_Bot",
            },
            "sender_chat": channel,
            "text": text,
            **fields,
        }
        chat.messages[msg["message_id"]] = msg
        self.inject("message", msg)
        return msg

    async def _m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = _str(p, "file_id")
        found = self.files.get(file_id)
        if found is None:
            raise bad("invalid file_id")
        file_path, data = found
        return {
            "file_id": file_id,
            "file_unique_id": file_id.lower(),
            "file_size": len(data),
            "file_path": file_path,
        }

    async def _m_setChatPhoto(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        if chat.type == "private":
            raise bad("method is available only for groups")
        self._rights(chat, "can_change_info", "not enough rights to change chat photo")
        photo = p.get("photo")
        if photo is None:
            raise bad("there is no photo in the request")
        if not isinstance(photo, bytes):
            raise bad("Photo should be uploaded as an InputFile")
        if not photo.startswith(_IMAGE_MAGIC):
            raise bad("IMAGE_PROCESS_FAILED")
        self.set_photo(chat.id, photo)
        return True

    async def _m_setChatPermissions(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        if chat.type == "private":
            raise bad("method is available only for groups")
        self._rights(chat, "can_restrict_members", "not enough rights to change chat permissions")
        given = _json(p, "permissions")
        if not isinstance(given, dict):
            raise bad("can't parse permissions JSON object")
        # What is not given is not granted.
        permissions = {k: bool(given.get(k, False)) for k in _PERMISSIONS}
        if not _bool(p, "use_independent_chat_permissions"):
            for right, implied in _IMPLIED.items():
                if permissions[right]:
                    permissions.update(dict.fromkeys(implied, True))
        if permissions == chat.permissions:
            raise bad("CHAT_NOT_MODIFIED")
        chat.permissions = permissions
        return True

    async def _m_getChatAdministrators(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat(p)
        if chat.type == "private":
            raise bad("there are no administrators in the private chat")
        return [
            m.as_json() for m in chat.members.values() if m.status in ("creator", "administrator")
        ]

    async def _m_getChatMemberCount(self, p: dict[str, Any]) -> int:
        chat = self._chat(p)
        return sum(1 for m in chat.members.values() if m.in_chat)

    async def _m_getChatMember(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        user_id = _int(p, "user_id")
        member = chat.members.get(user_id)
        if member is None:
            user = self.me if user_id == BOT_ID else self.users.get(user_id)
            if user is None:
                raise bad("user not found")
            member = Member(user, "left")
        return member.as_json()

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        query_id = _str(p, "callback_query_id")
        if query_id not in self._queries or query_id in self.answered_queries:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        self.answered_queries.add(query_id)
        return True


# -- parameters: form values are strings, JSON values are JSON-encoded ---------


def _missing(name: str) -> ApiError:
    return bad(f"{name} is empty")


def _int(p: dict[str, Any], name: str, *, required: bool = True) -> Any:
    value = p.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    if isinstance(value, bool):
        raise bad(f"wrong type of the parameter {name}")
    try:
        return int(value)
    except (TypeError, ValueError):
        if name == "chat_id":
            raise bad("chat not found") from None
        raise bad(f"wrong type of the parameter {name}") from None


def _str(p: dict[str, Any], name: str, *, required: bool = True) -> Any:
    value = p.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    return str(value)


def _bool(p: dict[str, Any], name: str, *, default: bool = False) -> bool:
    value = p.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise bad(f"wrong type of the parameter {name}")


def _json(p: dict[str, Any], name: str, *, required: bool = True) -> Any:
    value = p.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad(f"can't parse {name} JSON object") from None
    return value


def _inline_keyboard(markup: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """An InlineKeyboardMarkup checked the way Telegram checks it: rows of
    buttons, each with a text and one action; callback_data 1-64 bytes."""
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad("can't parse inline keyboard: inline_keyboard must be an Array of Arrays")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad("can't parse inline keyboard button: Text must be non-empty")
            actions = set(button) & _BUTTON_ACTIONS
            if len(actions) != 1:
                raise bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad("BUTTON_DATA_INVALID")
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _too_many(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _reply(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.code)
