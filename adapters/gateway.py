"""What every platform's gateway shares, so each keeps only its API calls.

A gateway marks its handlers with `@handles(SendMessage)`; the marks become
the class's dispatch table when the class is made. Actions whose chat is on
another platform are forwarded (a Telegram event may need a log chat on
Discord told); an action a gateway has no handler for is logged once and
skipped. The log chat is read from the live config at every use, so a
`/reload` that moves it reaches every platform at once.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, TypeVar

from bot.core.actions import (
    Action,
    AnswerCheckout,
    CloneGroup,
    CountMembers,
    RefundPayment,
    SendDirect,
    SendFile,
    SendInvoice,
    SendMessage,
    platform_of,
)
from bot.core.events import ChatRef, Event, MessageSent

log = logging.getLogger(__name__)

Forward = Callable[[Action], Awaitable[None]]
Tell = Callable[[Event], Awaitable[None]]
Handler = Callable[[Any, Any], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

# Where `handles` leaves its mark on a method, for `__init_subclass__` to find.
_MARK = "__gateway_handles__"


class Route(NamedTuple):
    handler: Handler
    # The platform's word for what the handler does, as failure reports name it.
    op: str


class Reported(Exception):
    """Raised by a handler once it has logged and reported its failure
    itself: it stops the rest of that action, and nothing more is said."""


def handles(*kinds: type[Action], op: str | None = None) -> Callable[[H], H]:
    """Mark a gateway method as the one that carries out these actions. `op`
    names it in failure reports; by default the method's own name."""

    def mark(method: H) -> H:
        setattr(method, _MARK, (kinds, op or method.__name__.lstrip("_")))
        return method

    return mark


# Said to a member privately: their own lane, so the words before a file or
# an invoice keep their order whichever chat the event came from.
PRIVATE = (SendDirect, SendFile, SendInvoice, AnswerCheckout, RefundPayment)


def lane_of(action: Action) -> str:
    """The queue an action waits in: one per chat (per member for what is
    said privately, per template for a clone), so each keeps its order."""
    if isinstance(action, PRIVATE):
        return f"dm:{action.user.key}"
    if isinstance(action, CloneGroup):
        return action.template.key
    if isinstance(action, CountMembers):
        return "counts"
    chat = getattr(action, "chat", None)
    return chat.key if isinstance(chat, ChatRef) else type(action).__name__


class Gateway:
    """`log_chat` returns the log chat as configured now (a chat key such as
    `telegram:-100…`, or None). `forward` receives actions for another
    platform's chats (`adapters.runners.Router`); without it they are dropped.
    `on_event` takes what the platform answered an action (the bot's rights
    read, a member count) back to the core, as an event."""

    # The platform whose chats this gateway reaches; None for a stand-in that
    # plays every platform (the console, the replay's recording).
    platform: ClassVar[str | None] = None
    routes: ClassVar[Mapping[type[Action], Route]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every class the gateway is made of, the most derived last so its
        # marks win: a gateway keeps its handlers in mixins by concern.
        routes: dict[type[Action], Route] = {}
        for klass in reversed(cls.__mro__):
            for method in vars(klass).values():
                mark = getattr(method, _MARK, None)
                if mark is not None:
                    kinds, op = mark
                    routes.update(dict.fromkeys(kinds, Route(method, op)))
        cls.routes = routes

    def __init__(
        self,
        log_chat: Callable[[], str | None],
        *,
        forward: Forward | None = None,
        on_event: Tell | None = None,
    ) -> None:
        self._log_chat = log_chat
        self.forward = forward
        self.on_event = on_event
        # Told of each action carried out or given up on (the outbox marks
        # it sent, before the chat's next action goes); not of one cut off by
        # a shutdown.
        self.on_done: Callable[[Action], Awaitable[None]] | None = None
        self._unrouted: set[type[Action]] = set()
        # Actions carried out and failed, by kind: /metrics reads them.
        self.carried: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    @property
    def log_chat(self) -> str | None:
        return self._log_chat()

    def is_log_chat(self, chat: ChatRef) -> bool:
        return chat.key == self._log_chat()

    async def tell(self, event: Event) -> None:
        """Hand the core what the platform answered; a gateway wired to no
        core (a test's) keeps it to itself."""
        if self.on_event is not None:
            await self.on_event(event)

    async def sent(self, chat: ChatRef, ids: Sequence[int], ref: str, at: datetime) -> None:
        """The platform's ids for a message the bot posted (one per part of
        a long text), told to the core where it asked (`ref`) and for any
        message in a group but the log chat: the chat history keeps the
        bot's own messages, so a purge takes them too."""
        if ids and (ref or not (chat.private or self.is_log_chat(chat))):
            await self.tell(MessageSent(chat, ids[0], ref, at, tuple(ids[1:])))

    async def execute(self, actions: Sequence[Action]) -> None:
        for action in actions:
            await self.attempt(action)

    async def attempt(self, action: Action) -> None:
        """Carry one action out; whatever goes wrong is logged, never raised,
        so one broken action does not cost the ones after it."""
        try:
            await self.dispatch(action)
        except Reported:
            self.failed[type(action).__name__] += 1
        except Exception:
            self.failed[type(action).__name__] += 1
            log.exception("%s: carrying out %r failed", type(self).__name__, action)
        else:
            self.carried[type(action).__name__] += 1
        if self.on_done is not None:
            await self.on_done(action)

    async def dispatch(self, action: Action) -> Any:
        """Hand the action to its handler and return what that returns;
        raises what the handler raises."""
        if self.platform is not None and platform_of(action) != self.platform:
            if self.forward is not None:
                await self.forward(action)
            else:
                log.debug("no route for %s outside %s", type(action).__name__, self.platform)
            return None
        kind = type(action)
        route = self.routes.get(kind)
        if route is None:
            if kind not in self._unrouted:
                self._unrouted.add(kind)
                log.error("%s has no handler for %s; skipped", type(self).__name__, kind.__name__)
            return None
        return await route.handler(self, action)

    async def report(self, lines: Sequence[str]) -> None:
        """Tell the log chat, when it is on this platform, what went wrong.
        A log chat that cannot be reached is only logged: reporting that
        would need the same log chat."""
        ref = self._log_chat()
        if not lines or not ref:
            return
        chat = ChatRef.parse(ref)
        if chat.platform != self.platform:
            return
        try:
            await self.dispatch(SendMessage(chat, "\n".join(lines), kind="log"))
        except Exception as exc:
            log.warning("%s: could not report to the log chat %s: %s", self.platform, ref, exc)


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """The text as messages of at most `limit`, as the platform measures
    (`measure` must add up over joined strings): cut at line breaks, within a
    line only when the line alone is too long. Blank lines at a cut go."""
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    piece, size = "", 0
    for line in text.splitlines(keepends=True):
        # A line break at a cut is dropped, so it need not fit.
        while measure(line.rstrip("\n")) > limit:
            fits = _fitting(line, limit, measure)
            pieces += [piece, line[:fits]]
            piece, size = "", 0
            line = line[fits:]
        if size + measure(line.rstrip("\n")) > limit:
            pieces.append(piece)
            piece, size = "", 0
        piece += line
        size += measure(line)
    pieces.append(piece)
    return [p.strip("\n") for p in pieces if p.strip()]


def _fitting(line: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many characters of the line fit within the limit."""
    return bisect_right(range(len(line)), limit, key=lambda n: measure(line[: n + 1]))
