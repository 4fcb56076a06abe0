"""Running the bot on Telegram with python-telegram-bot.

Public interface:

``await build_application(config_path, db_url=None, *, clock=None,
background_flush=True, **options) -> (Application, App)``
    The one factory: loads the config, opens the store, starts the engine
    (`adapters.app.build_app`) and returns python-telegram-bot's fully wired
    `Application` with the `App` it feeds. Any harness can drive the real bot
    with it; the caller closes the `App`. `options` are `Options` fields.

``application_for(app, **options) -> Application``
    The same wiring around an `App` that is already running.

``async with running(application) as runner: ...``
    Initializes the Application, registers the command menus (setMyCommands
    per scope and language), starts polling or the webhook, and on exit stops
    in the order that loses nothing: stop fetching (polling confirms the
    offset of every update fetched), handle the updates already fetched, run
    every queued action, shut down.

``await serve(app)``
    What `groupkeeper run` starts (`adapters.runners`): `running` until the
    task is cancelled.

``runner_of(application) -> TelegramRunner``
    The wiring behind an Application: its gateway, admin cache, engine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from adapters.admins import as_admin, community_chats, private_staff_command
from adapters.app import App, build_app
from adapters.ops.context import handling_update
from adapters.outbox import Outbox
from adapters.removed import RemovedMessages
from adapters.telegram.admins import AdminCache, Fetch, fetch_with
from adapters.telegram.gateway import RetryPolicy, TelegramGateway, retry_seconds
from adapters.telegram.joins import JoinReports
from adapters.telegram.limiter import Limits, RateLimiter
from adapters.telegram.menus import command_menus
from adapters.telegram.provision import Provisioner, provisioner_from_env
from adapters.telegram.standing import StandingReader
from adapters.telegram.translate import (
    PLATFORM,
    UPDATE_KINDS,
    AdminsChanged,
    BotIdentity,
    BotStatusChanged,
    ButtonPressed,
    Json,
    PollAnswered,
    admin_chat,
    translate,
)
from adapters.telegram.webhook import WebhookServer, register
from bot.config import Locale
from bot.core.actions import Action
from bot.core.buttons import pressed
from bot.core.events import (
    BotMembershipChanged,
    ChatMoved,
    ChatRef,
    CommandIssued,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    UserRef,
)
from bot.core.i18n import LOCALES
from bot.core.ports import Clock
from bot.core.records import CursorRecord

log = logging.getLogger(__name__)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]

_BOT_DATA_KEY = "groupkeeper"
# Seconds between attempts when Telegram or the database fails: doubling.
_FIRST_WAIT = 1.0
_LAST_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class Options:
    limits: Limits = field(default_factory=Limits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # How long a group's admin list is trusted without reading it again.
    admin_ttl: float = 300.0
    # Long-polling timeout of getUpdates, in seconds.
    poll_timeout: int = 30
    # How long shutting down waits for queued actions.
    drain_timeout: float = 30.0
    # Waits for 429s and network backoff (tests record them instead).
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    # Makes the next group when the pool is empty; with
    # platforms.telegram.provision and none given, one from the environment.
    provisioner: Provisioner | None = None


class TelegramRunner:
    """Updates in (translate -> engine), actions out (gateway)."""

    def __init__(self, app: App, application: TelegramApplication, options: Options) -> None:
        self.app = app
        self.application = application
        self.options = options
        bot = application.bot
        self.gateway = TelegramGateway(
            bot,
            lambda: app.engine.config,
            app.clock,
            limiter=RateLimiter(options.limits),
            retry=options.retry,
            sleep=options.sleep,
            chat_name=self.chat_name,
            provisioner=options.provisioner,
            on_event=self._event,
        )
        self.standing = StandingReader(bot, app.clock, self._event, self.chat_name)
        self.admins = AdminCache(self._fetch_admins(fetch_with(bot)), ttl=options.admin_ttl)
        community = app.config.community.slug
        self.outbox = Outbox(
            community, PLATFORM, app.engine.writes, app.store, app.clock, self.gateway.submit
        )
        self.gateway.on_done = self.outbox.done
        self.gateway.on_refused = self.standing.doubt
        # The actions of the update being handled, held for its commit.
        self._made: list[Action] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._webhook: WebhookServer | None = None
        # Updates come in update_id order (polling), not so over a webhook.
        self.in_order = True
        self._stopping = asyncio.Event()
        self.me = BotIdentity()
        self.removed = RemovedMessages()
        self.handled = 0
        # The last update_id whose effects are stored (or queued with them):
        # one Telegram sends again after a crash is skipped.
        self.cursor: int | None = None
        self.skipped = 0
        self._signals: dict[type[Any], Callable[[Any], Awaitable[None]]] = {
            BotStatusChanged: self._bot_status,
            AdminsChanged: self._admins_changed,
            ButtonPressed: self._button,
            PollAnswered: self._poll_answer,
            ChatMoved: self._chat_moved,
            MemberJoined: self._membership,
            MemberLeft: self._membership,
        }
        self.joins = JoinReports()
        # The update being handled: where its membership changes came from.
        self._update: Json = {}

    def _fetch_admins(self, fetch: Fetch) -> Fetch:
        """A group's admins, read (every `admin_ttl` at most): the first
        read in a group also reads the bot's own standing there."""

        async def fetched(chat_id: int) -> frozenset[int]:
            admins = await fetch(chat_id)
            chat = ChatRef(PLATFORM, str(chat_id))
            if not self.app.engine.kit.directory.is_log_chat(chat):
                self.standing.seen(chat)
            return admins

        return fetched

    @property
    def idle(self) -> bool:
        """Nothing held for a commit, queued or being carried out, and no
        read of the bot's standing under way."""
        return self.outbox.waiting == 0 and self.gateway.idle and not self.standing.busy

    def chat_name(self, chat: ChatRef) -> str:
        group = self.app.engine.kit.directory.groups.get(chat.key)
        return group.title if group is not None and group.title else chat.chat_id

    async def load_cursor(self) -> None:
        self.cursor = await self.app.store.cursor(self.app.config.community.slug, PLATFORM)

    async def handle(self, data: Json) -> None:
        """One update, start to finish; a failure is logged and the next
        update is handled as usual. An update at or below the stored cursor
        was handled before a restart and its effects stored: it is skipped,
        so nothing is said or counted twice."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int):
            update_id = None
        elif self.in_order and self.cursor is not None and update_id <= self.cursor:
            # Polling only: a webhook's updates come over several
            # connections, not in order (the webhook server skips resends).
            log.info("update %s was handled before the restart: skipped", update_id)
            self.skipped += 1
            return
        try:
            chat_id = admin_chat(data)
            admins = await self.admins.get(chat_id) if chat_id is not None else frozenset()
            items = translate(data, me=self.me, admins=admins)
        except Exception:
            log.exception("cannot read update %s", data.get("update_id"))
            items = []
        made: list[Action] | None = [] if update_id is not None else None
        self._made = made
        self._update = data
        try:
            with self.app.engine.writes.whole() if len(items) > 1 else nullcontext():
                for item in items:
                    if (
                        type(item) is MessagePosted
                        and item.edited
                        and self.removed.has(item.chat, item.message_id)
                    ):
                        continue  # an edit of a message on its way out
                    try:
                        await self._signals.get(type(item), self._event)(item)
                    except Exception:
                        log.exception("handling %s failed", type(item).__name__)
        finally:
            self._made = None
            self.handled += 1
            if update_id is not None and made is not None:
                # The actions and the cursor join the write-behind batch
                # together (nothing awaited between): one transaction.
                self.outbox.hold(made, f"{PLATFORM}:{update_id}")
                self._advance(update_id)

    def _advance(self, update_id: int) -> None:
        """The cursor goes with the next batch of writes, in its transaction.
        It only moves forward: a webhook's updates may come out of order."""
        if self.cursor is not None and update_id < self.cursor:
            return
        self.cursor = update_id
        self.app.engine.writes.cursor(
            CursorRecord(self.app.config.community.slug, PLATFORM, update_id)
        )

    async def _event(self, event: Event) -> None:
        private = private_staff_command(self.app.engine, event)
        if private is not None and await self._group_admin(private.sender):
            event = as_admin(private)
        actions = await self.app.engine.handle(event)
        if actions:
            self.removed.note(actions)
        made = self._made
        if made is not None:
            made.extend(actions)
        else:
            # Not an update's (what the platform answered an action): sent
            # as soon as it is made.
            self.gateway.submit(actions)

    async def _membership(self, event: MemberJoined | MemberLeft) -> None:
        """A join or leave, unless it is the second report of one already
        counted (a service message and a `chat_member` update)."""
        if self.joins.first(event, service="message" in self._update):
            await self._event(event)

    async def _chat_moved(self, event: ChatMoved) -> None:
        """A group upgraded to a supergroup: what goes to its old id goes to
        the new one, and the core moves the group there."""
        self.admins.invalidate(int(event.old.chat_id))
        if self.gateway.follow(event.old, event.new):
            await self._event(event)

    async def _group_admin(self, sender: UserRef) -> bool:
        """Whether the sender of a private moderators' command administers
        one of the community's Telegram groups (read as for a group's own
        messages: cached, and a group that cannot be read counts as no)."""
        chats = community_chats(self.app.engine, PLATFORM)
        found = await asyncio.gather(*(self.admins.get(int(c.chat_id)) for c in chats))
        return any(int(sender.user_id) in admins for admins in found)

    async def _admins_changed(self, signal: AdminsChanged) -> None:
        self.admins.invalidate(int(signal.chat.chat_id))

    async def _bot_status(self, signal: BotStatusChanged) -> None:
        """The bot's own membership, reported to the core as it stands now,
        with the group's member count read as the bot arrives."""
        chat = signal.chat
        self.admins.invalidate(int(chat.chat_id))
        if not signal.present and signal.was == signal.status:
            return  # still out of the group: nothing happened
        count = await self.gateway.member_count(chat) if signal.arrived else None
        await self._event(
            BotMembershipChanged(
                chat,
                signal.at,
                removed=not signal.present,
                admin=signal.admin,
                missing=signal.missing_rights,
                by=signal.by,
                members=count,
            )
        )

    async def _button(self, signal: ButtonPressed) -> None:
        """A press on one of the bot's buttons is its command, issued by the
        member who pressed it (with their admin status in that chat); the
        core answers the press. One it cannot read (not the bot's data, or
        on a message Telegram no longer names) is answered empty: a query
        left unanswered keeps the presser's client spinning."""
        command = pressed(signal.data)
        if command is None or signal.chat is None or signal.message_id is None:
            await self.gateway.answer_press(signal.query_id)
            return
        sender = signal.user
        if not signal.chat.private:
            admins = await self.admins.get(int(signal.chat.chat_id))
            sender = replace(sender, is_admin=int(sender.user_id) in admins)
        name, args = command
        await self._event(
            CommandIssued(
                signal.chat, sender, signal.message_id, name, args, self.app.clock.now(),
                text=signal.data or "", press=signal.query_id,
            )
        )  # fmt: skip

    async def _poll_answer(self, signal: PollAnswered) -> None:
        log.debug("poll %s answered: %s", signal.poll_id, signal.option_ids)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)

    async def register_commands(self) -> None:
        """setMyCommands per scope, for the default and each language."""
        bot = self.application.bot
        default = self.app.config.community.locale
        languages: list[tuple[str | None, Locale]] = [(None, default)]
        languages += [(loc, loc) for loc in LOCALES]
        for language, loc in languages:
            for scope, commands in command_menus(self.app.engine.commands(), loc):
                try:
                    await bot.set_my_commands(commands, scope=scope, language_code=language)
                except TelegramError as exc:
                    log.warning("setMyCommands (%s, %s) failed: %s", scope.type, language, exc)

    async def start_updates(self) -> None:
        bot = self.application.bot
        self.me = BotIdentity(bot.id, bot.username)
        cfg = self.app.config.platforms.telegram
        if cfg.mode == "webhook":
            url = cfg.webhook_url or ""
            # Telegram sends this header with every update; a request
            # without it is refused, so nobody else can feed the bot updates.
            secret = cfg.secret_token or secrets.token_urlsafe(32)
            self.in_order = False
            self._webhook = WebhookServer(
                cfg.listen, cfg.port, urlsplit(url).path, secret, self.handle, self._store
            )
            await self._webhook.start()
            try:
                await register(bot, url, secret, UPDATE_KINDS, self.options.sleep)
            except BaseException:
                await self._webhook.stop()
                self._webhook = None
                raise
        else:
            # Polling and a webhook exclude each other (PTB's bootstrap does
            # the same); a refused token or no network fails the start here.
            await bot.delete_webhook()
            self._stopping.clear()
            self._poller = asyncio.get_running_loop().create_task(self._poll())
        log.info("Telegram: @%s is up (%s)", bot.username, cfg.mode)
        self.standing.read_all(self._groups())

    def _groups(self) -> list[ChatRef]:
        """The community's Telegram groups the bot is meant to be in."""
        directory = self.app.engine.kit.directory
        return [
            chat
            for chat in community_chats(self.app.engine, PLATFORM)
            if not directory.is_log_chat(chat)
        ]

    async def _poll(self) -> None:
        """getUpdates, confirming an update to Telegram (the next call's
        offset) only once its effects and its actions are stored: PTB's own
        Updater confirms a batch as soon as it has fetched it, so updates
        fetched before a crash were never handled. Fetched updates are read
        as JSON, as the replay reads them (no PTB objects made and unmade).
        Returns when `stop` is called, after the updates in hand are handled
        and stored; a refused token ends it with InvalidToken."""
        offset = None if self.cursor is None else self.cursor + 1
        wait = _FIRST_WAIT
        while not self._stopping.is_set():
            try:
                updates = await self._fetch(offset)
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await self.options.sleep(retry_seconds(exc))
                continue
            except (TelegramError, OSError) as exc:
                log.warning("Telegram: getUpdates failed (%s): again in %.0fs", exc, wait)
                await self.options.sleep(wait)
                wait = min(wait * 2, _LAST_WAIT)
                continue
            if updates is None:
                break  # stopped while waiting
            wait = _FIRST_WAIT
            for data in updates:
                if isinstance(data, dict):
                    # Log lines written meanwhile carry its id (adapters.ops.context).
                    with handling_update(data.get("update_id")):
                        await self.handle(data)
            last = [
                u["update_id"]
                for u in updates
                if isinstance(u, dict) and isinstance(u.get("update_id"), int)
            ]
            if last:
                await self._store()
                offset = max(last) + 1

    async def _fetch(self, offset: int | None) -> list[Json] | None:
        """One long poll; None when `stop` ends the wait."""
        params: dict[str, Any] = {
            "timeout": self.options.poll_timeout,
            "allowed_updates": list(UPDATE_KINDS),
        }
        if offset is not None:
            params["offset"] = offset
        # Bot._post, not get_updates: that one parses the batch into PTB
        # objects and raises on one it cannot parse, which would hold the
        # bot at that offset for good; translate reads the JSON itself.
        call = asyncio.ensure_future(
            self.application.bot._post(
                "getUpdates", params, read_timeout=self.options.poll_timeout + 10
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({call, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not call.done():
            call.cancel()
            return None
        result = call.result()
        return result if isinstance(result, list) else []

    async def _store(self) -> None:
        """Commit what the updates in hand did; until the database takes it
        the updates stay unconfirmed (Telegram sends them again)."""
        wait = _FIRST_WAIT
        while True:
            try:
                await self.app.engine.writes.flush()
                return
            except Exception as exc:
                log.error("Telegram: cannot store handled updates (%s): again in %.0fs", exc, wait)
                await self.options.sleep(wait)
                wait = min(wait * 2, _LAST_WAIT)

    async def resend(self) -> int:
        """The actions stored before a restart and never sent."""
        return await self.outbox.resend()

    async def wait(self) -> None:
        """Until the bot stops on its own: polling ended by a refused token
        raises here; a webhook serves until cancelled."""
        if self._poller is None:
            await asyncio.Event().wait()
        else:
            await asyncio.shield(self._poller)

    async def stop_updates(self) -> None:
        """Stop fetching; the updates in hand are handled and stored first."""
        await self.standing.stop()
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        poller, self._poller = self._poller, None
        if poller is not None:
            self._stopping.set()
            try:
                await poller
            except Exception:
                log.exception("Telegram: polling ended with an error")
        # Whatever an update made and the batch did not take yet (a webhook's
        # updates are stored by the background flush) is stored, and sent.
        await self._store()

    async def drain(self) -> None:
        try:
            # On timeout wait_for cancels the gather inside drain, and with it
            # the lane workers: nothing runs after the HTTP client is closed.
            await asyncio.wait_for(self.gateway.drain(), self.options.drain_timeout)
        except TimeoutError:
            log.error("Telegram: queued actions did not finish within the drain timeout")


def runner_of(application: TelegramApplication) -> TelegramRunner:
    runner = application.bot_data.get(_BOT_DATA_KEY)
    if not isinstance(runner, TelegramRunner):
        raise LookupError("this Application was not built by adapters.telegram.runner")
    return runner


def options_from(values: Mapping[str, Any]) -> Options:
    known = {f.name for f in fields(Options)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise TypeError(f"unknown Telegram options: {', '.join(unknown)}")
    return Options(**values)


def file_url(base_url: str) -> str:
    """Where files are downloaded from, beside the Bot API: Telegram serves
    `<host>/bot<token>/<method>` and `<host>/file/bot<token>/<path>`, and so
    does a Bot API server of one's own."""
    head, bot, tail = base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if bot else base_url.rstrip("/") + "/file/bot"


def application_for(app: App, **options: Any) -> TelegramApplication:
    cfg = app.config.platforms.telegram
    if not cfg.token:
        raise ValueError("platforms.telegram.token is not set")
    opts = options_from(options)
    if cfg.provision and opts.provisioner is None:
        opts = replace(opts, provisioner=provisioner_from_env(os.environ))
    application: TelegramApplication = (
        ApplicationBuilder()
        .token(cfg.token)
        .base_url(cfg.base_url)
        .base_file_url(file_url(cfg.base_url))
        # Scheduling is the core's job; PTB's JobQueue stays off.
        .job_queue(None)
        # Updates are fetched (polling) or served (webhook) by the runner.
        .updater(None)
        .build()
    )
    runner = TelegramRunner(app, application, opts)
    application.bot_data[_BOT_DATA_KEY] = runner
    application.add_error_handler(runner.on_error)
    return application


async def build_application(
    config_path: str | Path,
    db_url: str | None = None,
    *,
    clock: Clock | None = None,
    background_flush: bool = True,
    **options: Any,
) -> tuple[TelegramApplication, App]:
    app = await build_app(config_path, db_url, clock=clock, background_flush=background_flush)
    try:
        return application_for(app, **options), app
    except BaseException:
        await app.close()
        raise


@asynccontextmanager
async def running(application: TelegramApplication) -> AsyncIterator[TelegramRunner]:
    runner = runner_of(application)
    async with application:
        await runner.load_cursor()
        await runner.register_commands()
        await application.start()
        await runner.resend()
        try:
            await runner.start_updates()
            yield runner
        finally:
            await runner.stop_updates()
            await application.stop()
            await runner.drain()
            if runner.options.provisioner is not None:
                await runner.options.provisioner.close()


async def serve(app: App, **options: Any) -> None:
    """Run the bot on Telegram until cancelled."""
    async with running(application_for(app, **options)) as runner:
        await runner.wait()
