"""What a honeypot's ban takes with it: the rest of the spam run.

A spam bot or a stolen account that reaches the honeypot has usually posted
the same thing in the community's other groups a moment before. Discord's ban
removes the author's last day of messages server-wide by itself (the
adapter's ban window); Telegram's ban is per group and removes nothing
elsewhere. So, from the chat history the core keeps (`bot.core.history`),
the author's messages of the last day in every other group are deleted and
the author is banned there too, under the honeypot's case. Groups where the
author posted nothing in that day are left alone: banning a member of a
thousand groups from each would be a thousand calls for one catch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.actions import Action, BanMember, DeleteMessage
from bot.core.directory import user_of
from bot.core.events import ChatRef
from bot.core.history import ChatHistory
from bot.core.records import MemberRecord

# How far back the run is taken: Discord's ban window (a day), well inside
# the 48 hours in which Telegram lets a bot delete a message.
RUN = timedelta(days=1)


def spam_run(
    history: ChatHistory,
    member: MemberRecord,
    caught: ChatRef,
    now: datetime,
    *,
    rule: str,
    case_id: int,
    ban: bool,
    until: datetime | None = None,
    span: str | None = None,
) -> list[Action]:
    """Deletes of the author's last day of messages outside the chat that
    caught them, and, when the honeypot bans, bans in those chats."""
    user = user_of(member)
    since = (now - RUN).timestamp()
    deletes: list[Action] = []
    chats: dict[str, ChatRef] = {}
    for chat, ids in history.sent_by(user.platform, user.user_id, since):
        if chat.chat_id == caught.chat_id and chat.thread == caught.thread:
            continue
        deletes.append(DeleteMessage(chat, ids, rule, case_id))
        if ban and chat.chat_id != caught.chat_id:
            # A ban is the chat's, whatever the topic.
            chats.setdefault(chat.chat_id, ChatRef(chat.platform, chat.chat_id))
    bans: list[Action] = [
        BanMember(chat, user, until, span, rule, case_id) for _, chat in sorted(chats.items())
    ]
    return deletes + bans
