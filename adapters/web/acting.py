"""Every change the dashboard makes is a chat command from the logged-in
moderator, handed to the engine as a platform hands it one: the engine
checks their role, the feature does what `/resolve 3 confirm` does in chat,
the case records who, and the actions go out through the platform's
gateway. The engine's answer to the moderator is shown on the page instead
of posted; the log chat is told the command came from the dashboard."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from adapters.web.session import Viewer
from bot.core.actions import Action, SendMessage
from bot.core.events import ChatRef, CommandIssued, UserRef
from bot.core.i18n import t

if TYPE_CHECKING:
    from adapters.web.app import Dashboard

log = logging.getLogger(__name__)

VIA = "via dashboard"


async def issue(
    dash: Dashboard,
    who: Viewer,
    chat: ChatRef,
    name: str,
    args: Sequence[str] = (),
    target: UserRef | None = None,
) -> str:
    """Run `/name args` as `who` in `chat`; returns the engine's answer."""
    engine = dash.bot.engine
    mid = dash.next_message_id()
    text = " ".join(("/" + name, *args))
    event = CommandIssued(
        chat, who.as_user(), mid, name, tuple(args), engine.clock.now(), text=text, target=target
    )
    config = engine.config
    audit: list[Action] = []
    if config.community.log_chat:
        line = t(config.community.locale, "web.audit", name=who.name or who.key, command=text)
        audit.append(SendMessage(ChatRef.parse(config.community.log_chat), line, kind="log"))
    log.warning("dashboard: %s issued %s in %s", who.key, text, chat.key)

    def sort(actions: list[Action]) -> tuple[list[Action], list[Action]]:
        held: list[Action] = []
        send: list[Action] = []
        for a in actions:
            if isinstance(a, SendMessage) and a.reply_to == mid:
                if a.kind == "reply" and a.chat == chat:
                    held.append(a)
                else:
                    # Public (a warning the member must read): posted, replying to nothing.
                    send.append(replace(a, reply_to=None))
            else:
                send.append(a)
        return held, send + audit

    held = await dash.bot.submit(event, sort)
    return "\n".join(a.text for a in held if isinstance(a, SendMessage))


def with_reason(reason: str) -> list[str]:
    """A reason's words, marked as given through the dashboard (the case keeps it)."""
    words = reason.split()
    return [*words, f"({VIA})"] if words else [f"({VIA})"]
