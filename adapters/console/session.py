"""A console chat session: script lines in, the bot's behaviour out."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.app import chart_renderer, sql_stores
from adapters.console.gateway import ConsoleGateway, Output
from adapters.console.script import (
    Bare,
    Join,
    Leave,
    Line,
    MoveClock,
    Pay,
    Post,
    Press,
    React,
    Restart,
    ScriptError,
    SetGroup,
    SetRole,
    SetRule,
    Vote,
    parse_line,
)
from adapters.scheduler import ConsoleOutlet, deliver
from bot.compose import open_engine
from bot.config import Config
from bot.core.actions import Action
from bot.core.clock import FakeClock
from bot.core.config_watch import ConfigWatcher, try_rule
from bot.core.engine import Engine
from bot.core.events import (
    ChatRef,
    CheckoutAsked,
    CommandIssued,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PaymentReceived,
    ReactionAdded,
    ReplyRef,
    TimerFired,
    UserRef,
)
from bot.core.ports import Store
from bot.features import Stores
from bot.features.schedule.feature import ScheduleFeature
from bot.features.schedule.store import ScheduleStore
from storage.schedule_store import SqlScheduleStore
from storage.sql_store import SqlStore

PLATFORM = "console"


def user(name: str) -> UserRef:
    return UserRef(PLATFORM, name, name, name)


def group_chat(name: str) -> ChatRef:
    return ChatRef(PLATFORM, name)


def dm_chat(name: str) -> ChatRef:
    return ChatRef(PLATFORM, f"dm:{name}", private=True)


# `alice: [picture path/to/file.png] caption`: a photo with its caption.
_PICTURE = re.compile(r"^\[picture\s+(?P<path>[^\]]+)\]\s*(?P<caption>.*)$", re.DOTALL)


class ConsoleSession:
    def __init__(
        self,
        config: Config,
        store: Store,
        clock: FakeClock,
        *,
        json_output: bool = False,
        background_flush: bool = False,
        config_path: Path | None = None,
        schedule_store: ScheduleStore | None = None,
        watch_config: bool = False,
        charts_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.store = store
        if schedule_store is None and isinstance(store, SqlStore):
            schedule_store = SqlScheduleStore(store.engine)
        self.schedule_store = schedule_store
        self.clock = clock
        self.json_output = json_output
        self.background_flush = background_flush
        # The log chat as configured now: a /reload may move it.
        self.gateway = ConsoleGateway(
            clock,
            lambda: self.live_config.community.log_chat,
            on_event=self._event,
            charts_dir=charts_dir,
        )
        self.group = "g1"
        # Groups the console said it opened (`_new_group`).
        self._announced: set[str] = set()
        # Who a line with no name speaks as: the last member to post or join.
        self.speaker = "you"
        self.config_path = config_path
        # The features' stores outlive the engine: shop, events, referrals,
        # spam samples and the entry gate's state survive !restart like the
        # main store (in memory without a database).
        if isinstance(store, SqlStore):
            self.stores = replace(sql_stores(store), schedule=schedule_store)
        else:
            self.stores = Stores(schedule=schedule_store)
        self.outlet = ConsoleOutlet(self.gateway)
        # Made by `start`, again by every !restart.
        self.engine: Engine
        # With `watch_config`, the config file is reloaded when it changes and
        # the log chat's report is handed to `on_output` (the runner prints it).
        self.watch_config = watch_config
        self.on_output: Callable[[list[str]], None] | None = None
        self._watcher: ConfigWatcher | None = None
        # A reload's report must not land in the middle of a line's output.
        self._busy = asyncio.Lock()
        self._payments = 0
        # Checkouts the bot agreed to whose payment has not come yet.
        self._agreed: dict[str, str] = {}

    @property
    def live_config(self) -> Config:
        """The running engine's config (a reload changes it), else the one given."""
        engine: Engine | None = getattr(self, "engine", None)
        return engine.config if engine is not None else self.config

    async def _open(self) -> Engine:
        return await open_engine(
            self.config,
            self.store,
            self.clock,
            stores=self.stores,
            charts=chart_renderer(),
            config_path=self.config_path,
            background_flush=self.background_flush,
        )

    async def start(self) -> None:
        self.engine = await self._open()
        self._watch()

    async def close(self) -> None:
        await self._unwatch()
        await self.engine.stop()

    def _watch(self) -> None:
        if self.watch_config and self.config_path is not None:
            self._watcher = ConfigWatcher(self.engine, self._report)
            self._watcher.start()

    async def _unwatch(self) -> None:
        if self._watcher is not None:
            await self._watcher.stop()
            self._watcher = None

    async def _report(self, actions: list[Action]) -> None:
        async with self._busy:
            start = len(self.gateway.outputs)
            await self.gateway.execute(actions)
            lines = [self._render(o) for o in self.gateway.outputs[start:]]
        if self.on_output is not None:
            self.on_output(lines)

    async def from_outside(
        self, event: Event, sort: Callable[[list[Action]], tuple[list[Action], list[Action]]]
    ) -> list[Action]:
        """An event that comes from beside the typed lines (the web
        dashboard): handled between two lines, what it does printed like a
        reload's report; `sort` keeps the answers its sender shows itself."""
        async with self._busy:
            start = len(self.gateway.outputs)
            held, send = sort(await self.engine.handle(event))
            await self.gateway.execute(send)
            lines = [self._render(o) for o in self.gateway.outputs[start:]]
        if self.on_output is not None and lines:
            self.on_output(lines)
        return held

    async def run(self, lines: Iterable[str]) -> list[str]:
        out: list[str] = []
        for n, line in enumerate(lines, 1):
            out += await self.feed(line, n)
        return out

    async def feed(self, line: str, lineno: int | None = None) -> list[str]:
        """Run one script line; returns the rendered output lines."""
        try:
            parsed = parse_line(line)
        except ScriptError as exc:
            where = f"line {lineno}: " if lineno is not None else ""
            return [self._render(Output("error", None, actor="console", text=f"{where}{exc}"))]
        if parsed is None:
            return []
        async with self._busy:
            start = len(self.gateway.outputs)
            await self._do(parsed)
            return [self._render(o) for o in self.gateway.outputs[start:]]

    async def _do(self, line: Line) -> None:
        gw = self.gateway
        if isinstance(line, Bare):
            await self._post(Post(self.speaker, line.text))
        elif isinstance(line, Post):
            await self._post(line)
        elif isinstance(line, Join | Leave):
            chat = group_chat(line.group or self.group)
            self._new_group(chat)
            who = user(line.user)
            if isinstance(line, Join):
                if gw.can_post(chat, who) == "banned":
                    gw.outputs.append(
                        Output("refused", chat.chat_id, actor=line.user, text="banned")
                    )
                    return
                invite = gw.invites.get(line.via) if line.via else None
                if line.via and invite is None:
                    text = f"{line.via} has no invite link yet (send `{line.via}: /invite` first)"
                    gw.outputs.append(Output("error", None, actor="console", text=text))
                    return
                self.speaker = line.user
                via = {"via": line.via} if line.via else {}
                gw.outputs.append(Output("join", chat.chat_id, actor=line.user, extra=via))
                await self._event(MemberJoined(chat, who, self.clock.now(), invite))
            else:
                gw.outputs.append(Output("leave", chat.chat_id, actor=line.user))
                await self._event(MemberLeft(chat, who, self.clock.now()))
        elif isinstance(line, SetGroup):
            self.group = line.group
            gw.outputs.append(Output("group", line.group, actor="console"))
            self._new_group(group_chat(line.group))
        elif isinstance(line, SetRole):
            directory = self.engine.kit.directory
            member = directory.member(user(line.user), self.clock.now())
            directory.set_role(member, line.role)
            gw.outputs.append(
                Output("role", None, actor="console", target=line.user, text=line.role)
            )
        elif isinstance(line, MoveClock):
            # Scheduled posts on the way go out each at its own time.
            target = self._clock_target(line)
            await self._run_schedule(target)
            if self.clock.now() != target:
                self.clock.set(target)
                self._show_clock()
            await self._event(TimerFired("tick", self.clock.now()))
        elif isinstance(line, React):
            chat = group_chat(self.group)
            if not self._exists(chat, line.message_id):
                return
            await self._event(
                ReactionAdded(chat, user(line.user), line.message_id, line.emoji, self.clock.now())
            )
        elif isinstance(line, Vote):
            self._vote(line)
        elif isinstance(line, Press):
            await self._press(line)
        elif isinstance(line, Pay):
            await self._pay(line)
        elif isinstance(line, Restart):
            await self._restart(crash=line.crash)
        elif isinstance(line, SetRule):
            self._set_rule(line.yaml)

    def _vote(self, line: Vote) -> None:
        chat = group_chat(self.group)
        problem = self.gateway.vote(chat, line.message_id, line.user, line.option)
        if problem:
            self.gateway.outputs.append(Output("error", None, actor="console", text=problem))

    def _new_group(self, chat: ChatRef) -> None:
        """A group the console has not spoken in yet becomes one of the
        community's groups, the next in the pool, stored like any other: said
        once, so a typo (`[g9]`) does not open a group unnoticed. The first
        group (g1) and the log chat go without saying."""
        kit = self.engine.kit
        if (
            chat.private
            or chat.chat_id == "g1"
            or chat.key in kit.directory.groups
            or chat.key in self._announced
            or kit.directory.is_log_chat(chat)
        ):
            return
        self._announced.add(chat.key)
        text = (
            f"{chat.chat_id} is new to the console: a group of the community from now on,"
            " kept in the database (`groupkeeper pool status` lists it)"
        )
        self.gateway.outputs.append(Output("note", None, actor="console", text=text))

    async def _post(self, line: Post) -> None:
        gw = self.gateway
        sender = user(line.user)
        chat = dm_chat(line.user) if line.private else group_chat(line.group or self.group)
        if line.reply_to is not None and not self._exists(chat, line.reply_to):
            return
        self._new_group(chat)
        refusal = gw.can_post(chat, sender)
        if refusal is not None:
            gw.outputs.append(Output("refused", gw.group_name(chat), actor=line.user, text=refusal))
            return
        reply = None
        if line.reply_to is not None:
            original = gw.messages.get((chat.key, line.reply_to))
            if original is not None:
                reply = ReplyRef(line.reply_to, original.author, original.text)
            else:
                reply = ReplyRef(line.reply_to)
        self.speaker = line.user
        mid = gw.record_post(chat, sender, line.text)
        gw.outputs.append(
            Output("post", gw.group_name(chat), actor=line.user, text=line.text, message_id=mid,
                   reply_to=line.reply_to)
        )  # fmt: skip
        text, image = line.text, None
        picture = _PICTURE.match(text)
        if picture is not None:
            image, text = picture["path"], picture["caption"]
        await self._event(
            MessagePosted(chat, sender, mid, text, self.clock.now(), reply,
                          "photo" if image else None, image=image)
        )  # fmt: skip

    def _exists(self, chat: ChatRef, message_id: int) -> bool:
        """A message never posted cannot be reacted or replied to: said, since
        the platforms would refuse it and a typo would otherwise pass silently.
        A deleted one can, as on the platforms a moderator's tools see it."""
        latest = self.gateway.latest(chat)
        if 0 < message_id <= latest:
            return True
        text = f"{self.gateway.group_name(chat)} has no message #{message_id}"
        text += f" (the latest is #{latest})" if latest else " (nothing posted yet)"
        self.gateway.outputs.append(Output("error", None, actor="console", text=text))
        return False

    async def _press(self, line: Press) -> None:
        """A button press is the button's command from whoever pressed it, in
        the chat the button was posted in (as on Telegram and Discord). The
        console has no private popups: it issues the command as typed, so
        its answer is shown like any other reply."""
        found = self.gateway.button(line.label)
        if found is None:
            text = f"!press: no button labelled {line.label!r} (the bot shows them in [brackets])"
            self.gateway.outputs.append(Output("error", None, actor="console", text=text))
            return
        chat, mid, button = found
        self.gateway.outputs.append(
            Output("press", self.gateway.group_name(chat) if chat.key != self.gateway.log_chat
                   else "log", actor=line.user, text=button.label)
        )  # fmt: skip
        await self._event(
            CommandIssued(chat, user(line.user), mid, button.command, button.args,
                          self.clock.now(), text=button.data)
        )  # fmt: skip

    async def _pay(self, line: Pay) -> None:
        """The member confirms the latest invoice: the platform asks the bot
        first (the checkout), and takes the payment only if it agreed. A
        checkout agreed earlier (`!checkout`) is not asked again."""
        gw = self.gateway
        invoice = gw.invoices.get(line.user)
        if invoice is None:
            text = f"!pay: the bot sent {line.user} no invoice"
            gw.outputs.append(Output("error", None, actor="console", text=text))
            return
        who, now = user(line.user), self.clock.now()
        query = self._agreed.pop(line.user, None)
        if query is None:
            where = gw.group_name(dm_chat(line.user))
            gw.outputs.append(Output("pay", where, actor=line.user, text=f"{invoice.stars} ⭐"))
            self._payments += 1
            query = f"checkout-{self._payments}"
            await self._event(CheckoutAsked(who, query, invoice.payload, invoice.stars, "XTR", now))
            if not gw.checkouts.get(query):
                return
        if line.checkout_only:
            self._agreed[line.user] = query
            return
        charge = "console-charge-" + query.removeprefix("checkout-")
        await self._event(PaymentReceived(who, invoice.payload, invoice.stars, "XTR", charge, now))

    async def _event(self, event: Event) -> None:
        actions = await self.engine.handle(event)
        await self.gateway.execute(actions)

    def _clock_target(self, line: MoveClock) -> datetime:
        if line.to_local is not None:
            return line.to_local.replace(tzinfo=self.config.community.tz).astimezone(UTC)
        return self.clock.now() + timedelta(seconds=line.by_seconds or 0)

    async def _run_schedule(self, until: datetime) -> None:
        feature = self.engine.find(ScheduleFeature)
        if feature is None:
            return
        schedule = feature.schedule
        last: datetime | None = None
        while (at := schedule.next_due(until)) is not None and at != last:
            last = at
            if at > self.clock.now():
                self.clock.set(at)
                self._show_clock()
            # Digests read the day counters from the database, where in
            # production the batcher's background flushes keep them.
            await self.engine.writes.flush(everything=True)
            deliveries = await schedule.due(self.clock.now())
            await deliver(schedule, deliveries, {PLATFORM: self.outlet})

    def _show_clock(self) -> None:
        tz = self.config.community.tz
        local = self.clock.now().astimezone(tz)
        text = f"{local:%Y-%m-%d %H:%M} {self.config.community.timezone}"
        self.gateway.outputs.append(Output("clock", None, actor="console", text=text))

    def _set_rule(self, text: str) -> None:
        """Add the rule, or replace the one with the same id, in the running
        config: owners try a rule before they write it into the file."""
        out = self.gateway.outputs
        try:
            rule = try_rule(text)
        except ValueError as exc:
            out.append(Output("error", None, actor="console", text=f"!rule: {exc}"))
            return
        config = self.engine.config
        rules = [r for r in config.rules if r.id != rule.id]
        replaced = len(rules) != len(config.rules)
        config = config.model_copy(update={"rules": [*rules, rule]})
        self.engine.reload(config)
        self.config = config
        what = "replaced" if replaced else "added"
        out.append(Output("rule", None, actor="console", text=f"rule {rule.id} {what}"))

    async def _restart(self, *, crash: bool) -> None:
        if crash:
            self.engine.writes.abandon()
        else:
            await self.engine.stop()
        await self._unwatch()
        self.config = self.engine.config
        self.engine = await self._open()
        self._watch()
        what = "crashed and restarted" if crash else "restarted"
        self.gateway.outputs.append(Output("restart", None, actor="console", text=what))

    def _render(self, o: Output) -> str:
        if self.json_output:
            return json.dumps(o.as_json(), ensure_ascii=False)
        return render_text(o)


def render_text(o: Output) -> str:
    line = _render_line(o)
    buttons = o.extra.get("buttons")
    return line + "\n    " + " ".join(f"[{b}]" for b in buttons) if buttons else line


def _render_line(o: Output) -> str:
    where = f"[{o.group}]" if o.group else ""
    text = (o.text or "").replace("\n", "\n    ")
    rule = f" (rule: {o.rule})" if o.rule else ""
    duration = o.extra.get("duration")
    span = f" for {duration}" if duration else ""
    match o.kind:
        case "post":
            return f"{where} #{o.message_id} {o.actor}: {text}"
        case "message" | "reply" | "dm":
            mid = f" #{o.message_id}" if o.message_id is not None else ""
            return f"{where}{mid} bot: {text}"
        case "log":
            return f"[log] bot: {text}"
        case "delete":
            return f"{where} bot deletes #{o.message_id}{rule}"
        case "read":
            return f"{where} bot reads the picture of #{o.message_id}: {text}"
        case "mute":
            return f"{where} bot mutes {o.target}{span}{rule}"
        case "unmute" | "unban":
            return f"{where} bot {o.kind}s {o.target}"
        case "kick":
            return f"{where} bot kicks {o.target}{rule}"
        case "ban":
            return f"{where} bot bans {o.target}{span}{rule}"
        case "join":
            via = f" via {o.extra['via']}'s invite" if o.extra.get("via") else ""
            return f"{where} {o.actor} joins{via}"
        case "leave":
            return f"{where} {o.actor} leaves"
        case "refused":
            outcome = "cannot join" if o.extra.get("attempt") == "join" else "not delivered"
            return f"{where} ({o.actor} is {o.text}: {outcome})"
        case "approve" | "decline":
            return f"{where} bot {o.kind}s {o.target}"
        case "photo":
            size = f"PNG {o.extra.get('width')}x{o.extra.get('height')}"
            if "path" in o.extra:
                size += f", saved as {o.extra['path']}"
            mid = f" #{o.message_id}" if o.message_id is not None else ""
            return f"{where}{mid} bot sends a chart ({size}): {text}"
        case "grant_role":
            return f"{where} bot gives {o.target} the role {text}"
        case "revoke_role":
            return f"{where} bot takes the role {text} from {o.target}"
        case "clone":
            return f"{where} bot opens a new group from this one: {text}"
        case "profile":
            template = o.extra.get("template")
            copied = f" (photo and permissions from {template})" if template else ""
            return f"{where} profile: {text}{copied}"
        case "pin":
            pinned = f"#{o.message_id}" if o.message_id is not None else "the message above"
            return f"{where} bot pins {pinned}"
        case "press":
            return f"{where} {o.actor} presses [{text}]"
        case "answer":
            return f"{where} bot answers the presser alone: {text}"
        case "unpin":
            return f"{where} bot unpins #{o.message_id}"
        case "poll":
            return f"{where} #{o.message_id} bot polls: {text} {o.extra.get('options')}"
        case "vote":
            return f"{where} {o.actor} votes {text} in poll #{o.message_id}"
        case "close_poll":
            return f"{where} bot closes poll #{o.message_id}: {text}"
        case "invite":
            return f"{where} bot invites {o.target or 'anyone'}: {text}"
        case "file":
            name, size, sections = o.extra["filename"], o.extra["bytes"], o.extra["sections"]
            listed = f"\n    sections: {sections}" if sections else ""
            return f"{where} bot sends a file {name} ({size} bytes): {text}{listed}"
        case "invoice":
            return f"{where} bot sends an invoice: {text}, {o.extra['stars']} ⭐"
        case "checkout":
            verdict = "agrees to the checkout" if o.extra["ok"] else f"refuses the checkout: {text}"
            return f"{where} bot {verdict}"
        case "pay":
            return f"{where} {o.actor} pays {text}"
        case "refund":
            return f"{where} bot refunds payment {text}"
        case "error":
            return f"! {text}"
        case "role":
            return f"[console] {o.target} is now {text}"
        case "group":
            return f"[console] current group: {o.group}"
        case _:
            return f"[console] {text}" if not o.group else f"{where} {o.kind}: {text}"
