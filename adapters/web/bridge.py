"""The dashboard's one port to the running bot.

It reads the engine (the community in memory, the features' services) and
the store, and it acts only by handing the engine an event, as a platform
does: the engine checks who may, records the case, and the actions go out
through the platforms' own gateways. The console and `groupkeeper run` each
provide one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from adapters.admins import AdminDesk
from adapters.console.session import ConsoleSession
from bot.core.actions import Action
from bot.core.engine import Engine
from bot.core.events import Event
from storage.sql_store import SqlStore

# Splits an event's actions into those the dashboard keeps to show (the
# answers to its own command) and those to carry out.
Sort = Callable[[list[Action]], tuple[list[Action], list[Action]]]


class Bot(Protocol):
    @property
    def engine(self) -> Engine:
        """The running engine; the console's `!restart` makes a new one."""
        ...

    @property
    def store(self) -> SqlStore: ...

    @property
    def telegram_token(self) -> str | None:
        """Checks the Telegram Login Widget's hash; never rendered."""
        ...

    @property
    def admins(self) -> AdminDesk | None:
        """Asks the platforms up now who administers their groups; None
        where no platform runs (the console)."""
        ...

    async def submit(self, event: Event, sort: Sort) -> list[Action]:
        """Run the event through the engine and carry out what `sort`
        sends; returns what it keeps."""
        ...


Execute = Callable[[list[Action]], Awaitable[None]]


class EngineBot:
    """A bot whose actions go out through `execute` (the platforms' router
    under `groupkeeper run`)."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        store: SqlStore,
        execute: Execute,
        telegram_token: str | None = None,
        admins: AdminDesk | None = None,
    ) -> None:
        self._engine = engine
        self._store = store
        self._execute = execute
        self._token = telegram_token
        self._admins = admins

    @property
    def engine(self) -> Engine:
        return self._engine()

    @property
    def store(self) -> SqlStore:
        return self._store

    @property
    def telegram_token(self) -> str | None:
        return self._token

    @property
    def admins(self) -> AdminDesk | None:
        return self._admins

    async def submit(self, event: Event, sort: Sort) -> list[Action]:
        held, send = sort(await self.engine.handle(event))
        await self._execute(send)
        return held


class ConsoleBot:
    """The console's community: the dashboard's commands are handled between
    two typed lines and what they do is printed with the chat."""

    def __init__(self, session: ConsoleSession) -> None:
        self._session = session

    @property
    def engine(self) -> Engine:
        return self._session.engine

    @property
    def store(self) -> SqlStore:
        store = self._session.store
        if not isinstance(store, SqlStore):
            raise TypeError("the dashboard needs the console's database")
        return store

    @property
    def telegram_token(self) -> str | None:
        return self.engine.config.platforms.telegram.token

    @property
    def admins(self) -> AdminDesk | None:
        return None

    async def submit(self, event: Event, sort: Sort) -> list[Action]:
        return await self._session.from_outside(event, sort)
