"""What is being handled, for the log lines written meanwhile.

Context variables follow asyncio's tasks: the community is set in the task
that serves it, the platform in each platform's task, the chat and member
around one event (`adapters.ops.metrics` wraps the engine) and the update
around one Telegram update. A log record written anywhere below picks them
up (`adapters.ops.logs`); a record's own `extra=` wins over them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import Context, ContextVar, copy_context

community: ContextVar[str | None] = ContextVar("community", default=None)
platform: ContextVar[str | None] = ContextVar("platform", default=None)
chat: ContextVar[str | None] = ContextVar("chat", default=None)
member: ContextVar[str | None] = ContextVar("member", default=None)
update: ContextVar[int | None] = ContextVar("update", default=None)

FIELDS = ("community", "platform", "chat", "member", "case", "update")


def current() -> dict[str, object]:
    """The ids in force, without the unset ones."""
    values = {
        "community": community.get(),
        "platform": platform.get(),
        "chat": chat.get(),
        "member": member.get(),
        "update": update.get(),
    }
    return {k: v for k, v in values.items() if v is not None}


@contextmanager
def handling_update(update_id: object) -> Iterator[None]:
    token = update.set(update_id if isinstance(update_id, int) else None)
    try:
        yield
    finally:
        update.reset(token)


def lane_context(lane: str) -> Context:
    """For a task that outlives the event that started it (a gateway's lane
    worker): the community and platform, and the lane's chat, but not the
    member or update of whichever event happened to start it."""

    def clear() -> None:
        chat.set(lane if ":" in lane else None)
        member.set(None)
        update.set(None)

    context = copy_context()
    context.run(clear)
    return context
