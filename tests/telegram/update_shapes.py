"""Hypothesis strategies for Bot API updates of every kind the bot asks
Telegram for (`UPDATE_KINDS`), shaped as the Bot API documents them and as
tests/telegram/updates/ records them; and a mutation that breaks one field
of such an update (gone, or a value of another type)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from hypothesis import strategies as st

Json = dict[str, Any]

BOT_ID = 5550001
BOT_USERNAME = "gk_test_bot"

# Telegram ids have at most 52 significant bits.
ids = st.integers(min_value=1, max_value=2**52)
dates = st.integers(min_value=1_500_000_000, max_value=2_000_000_000)
# Names and texts as members type them: any character, surrogates included
# (a JSON string can escape a lone one).
texts = st.text(st.characters(codec=None), max_size=40)
commands = st.builds(
    lambda name, to, args: f"/{name}{to} {args}".rstrip(),
    st.sampled_from(["checkin", "me", "top", "mute", "ban", "warn", "why", "report", "help", "x"]),
    st.sampled_from(["", f"@{BOT_USERNAME}", "@other_bot"]),
    st.sampled_from(["", "@ann", "10m", "-1d", "²", "99999999999999999999", "spam"]),
)
message_texts = st.one_of(texts, commands, st.sampled_from(["签到", "加 微 信 领资料", "t.me/x"]))


def _with_optional(required: Json, optional: Json) -> st.SearchStrategy[Json]:
    return st.fixed_dictionaries(required, optional=optional)


users = _with_optional(
    {"id": ids, "is_bot": st.booleans(), "first_name": texts},
    {
        "last_name": texts,
        "username": st.from_regex(r"[A-Za-z][A-Za-z0-9_]{3,20}", fullmatch=True),
        "language_code": st.sampled_from(["en", "zh-hans", "ru", "pt-br", "xx"]),
    },
)
the_bot = st.just({"id": BOT_ID, "is_bot": True, "first_name": "GK", "username": BOT_USERNAME})

group_chats = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=-(10**13), max_value=-1),
        "type": st.sampled_from(["group", "supergroup"]),
        "title": texts,
    }
)
private_chats = st.fixed_dictionaries({"id": ids, "type": st.just("private"), "first_name": texts})
channel_chats = st.fixed_dictionaries(
    {"id": st.integers(max_value=-1), "type": st.just("channel"), "title": texts}
)
chats = st.one_of(group_chats, group_chats, private_chats, channel_chats)

entities = st.lists(
    _with_optional(
        {
            "type": st.sampled_from(
                ["mention", "text_link", "text_mention", "bot_command", "bold"]
            ),
            "offset": st.integers(0, 60),
            "length": st.integers(0, 60),
        },
        {"url": st.sampled_from(["https://t.me/spam", "https://example.com"]), "user": users},
    ),
    max_size=3,
)
media = st.sampled_from(
    [{}, {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
     {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular"}},
     {"document": {"file_id": "d", "file_unique_id": "d"}}, {"dice": {"emoji": "🎲", "value": 3}}]
)  # fmt: skip
forwards = st.sampled_from(
    [{}, {"forward_origin": {"type": "user", "date": 1767600000}},
     {"forward_origin": {"type": "hidden_user", "date": 1767600000, "sender_user_name": "X"}},
     {"forward_origin": {"type": "channel", "date": 1767600000, "message_id": 5}},
     {"forward_date": 1767600000, "forward_sender_name": "X"}, {"is_automatic_forward": True}]
)  # fmt: skip

# Forum topics, upgrades to a supergroup, URL buttons sent through an inline bot.
extras = st.sampled_from(
    [{}, {"message_thread_id": 5, "is_topic_message": True}, {"message_thread_id": 9},
     {"migrate_to_chat_id": -1001234567890}, {"migrate_from_chat_id": -4012345678},
     {"via_bot": {"id": 77, "is_bot": True, "first_name": "P", "username": "p_bot"},
      "reply_markup": {"inline_keyboard": [[{"text": "Go", "url": "https://t.me/x"}],
                                           [{"text": "In", "login_url": {"url": "https://a.b"}}]]}}]
)  # fmt: skip


@st.composite
def messages(draw: st.DrawFn, *, reply: bool = True, edited: bool = False) -> Json:
    chat = draw(chats)
    message: Json = {"message_id": draw(ids), "date": draw(dates), "chat": chat}
    sender = draw(st.sampled_from(["user", "user", "user", "chat", "none"]))
    if sender == "user":
        message["from"] = draw(users)
    elif sender == "chat":
        message["sender_chat"] = draw(st.one_of(st.just(chat), channel_chats))
        message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
    message |= draw(media)
    text = draw(st.one_of(st.none(), message_texts))
    if text is not None:
        key = "caption" if len(message) > 4 and draw(st.booleans()) else "text"
        message[key] = text
        if found := draw(entities):
            message["caption_entities" if key == "caption" else "entities"] = found
    message |= draw(forwards)
    message |= draw(extras)
    if reply and draw(st.booleans()):
        original = draw(messages(reply=False))
        original["chat"] = chat
        if draw(st.booleans()):
            original["forum_topic_created"] = {"name": "t", "icon_color": 1}
        message["reply_to_message"] = original
    if edited:
        message["edit_date"] = draw(dates)
    return message


def chat_members(user: st.SearchStrategy[Json]) -> st.SearchStrategy[Json]:
    statuses = st.sampled_from(
        ["creator", "administrator", "member", "restricted", "left", "kicked"]
    )
    member = _with_optional(
        {"user": user, "status": statuses},
        {
            "is_member": st.booleans(),
            "until_date": dates,
            "can_delete_messages": st.booleans(),
            "can_restrict_members": st.booleans(),
            "can_invite_users": st.booleans(),
        },
    )

    @st.composite
    def update(draw: st.DrawFn) -> Json:
        who = draw(user)
        old, new = draw(member), draw(member)
        old["user"] = new["user"] = who
        body: Json = {
            "chat": draw(chats),
            "from": draw(st.one_of(st.just(who), users)),
            "date": draw(dates),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        if draw(st.booleans()):
            body["invite_link"] = {"invite_link": "https://t.me/+abc", "creator": draw(users)}
        return body

    return update()


reactions = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("emoji"), "emoji": st.sampled_from(["👍", "🔥", "❤"])}
        ),
        st.fixed_dictionaries(
            {"type": st.just("custom_emoji"), "custom_emoji_id": st.text(max_size=5)}
        ),
        st.just({"type": "paid"}),
    ),
    max_size=3,
)
button_data = st.one_of(
    st.none(), texts, st.sampled_from(["gk:resolve:1:confirm", "gk:captcha:2", "gk:x"])
)

BODIES: dict[str, st.SearchStrategy[Json]] = {
    "message": messages(),
    "edited_message": messages(edited=True),
    "chat_member": chat_members(users),
    "my_chat_member": chat_members(the_bot),
    "chat_join_request": _with_optional(
        {"chat": group_chats, "from": users, "user_chat_id": ids, "date": dates},
        {
            "invite_link": st.just(
                {"invite_link": "https://t.me/+req", "creates_join_request": True}
            )
        },
    ),
    "message_reaction": _with_optional(
        {
            "chat": chats,
            "message_id": ids,
            "date": dates,
            "old_reaction": reactions,
            "new_reaction": reactions,
        },
        {"user": users, "actor_chat": channel_chats},
    ),
    "callback_query": _with_optional(
        {"id": st.text(min_size=1, max_size=10), "from": users, "chat_instance": st.just("ci")},
        {"message": messages(reply=False), "data": button_data},
    ),
    "poll_answer": _with_optional(
        {"poll_id": st.text(min_size=1, max_size=10), "option_ids": st.lists(st.integers(0, 9))},
        {"user": users, "voter_chat": group_chats},
    ),
    "pre_checkout_query": st.fixed_dictionaries(
        {
            "id": st.text(min_size=1, max_size=10),
            "from": users,
            "currency": st.sampled_from(["XTR", "USD"]),
            "total_amount": st.integers(1, 10_000),
            "invoice_payload": st.sampled_from(["entry", "entry:telegram:-1001", "x"]),
        }
    ),
}


@st.composite
def updates(draw: st.DrawFn, kinds: tuple[str, ...]) -> Json:
    kind = draw(st.sampled_from(kinds))
    return {"update_id": draw(st.integers(1, 2**31)), kind: draw(BODIES[kind])}


# What a broken field holds instead: nothing of the expected type.
_WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at] if at else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*at, i))
    return found


@st.composite
def broken(draw: st.DrawFn, kinds: tuple[str, ...]) -> Json:
    """A well-formed update with one or two fields removed or retyped."""
    update = deepcopy(draw(updates(kinds)))
    for _ in range(draw(st.integers(1, 2))):
        paths = _paths(update)
        path = draw(st.sampled_from(paths))
        parent = update
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_WRONG)
    return update
