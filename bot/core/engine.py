"""The engine: one entry point, `handle(event) -> list[Action]`.

It routes and decides nothing itself: it resolves the member and the group
once, parses a command once, refuses moderators' commands to members, and
hands the event to the features in their one order. The community lives in
memory (the kit's directory); every change is queued on the write-behind
batcher. It never touches a platform or a database driver.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Config
from bot.core.actions import Action, SendMessage
from bot.core.arguments import Refused
from bot.core.batcher import WriteBehind
from bot.core.commands import Command, Context, issued, parse_command, table
from bot.core.config_watch import compile_rules, reload_command
from bot.core.events import (
    CommandIssued,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    TimerFired,
)
from bot.core.feature import Arrival, Departure, Direct, Feature, Seen, overrides, stop_all
from bot.core.kit import Kit
from bot.core.ports import Clock
from bot.core.presses import answer_press
from rules.evaluate import RuleSet

F = TypeVar("F")


class Engine:
    def __init__(
        self, kit: Kit, features: Sequence[Feature], *, config_path: Path | None = None
    ) -> None:
        self.kit = kit
        self.features = tuple(features)
        # Where `/reload` and the watcher read the config again.
        self.config_path = config_path
        self.outbox: list[SendMessage] = []
        self._commands = table(
            [reload_command(self), *(c for f in self.features for c in f.commands)]
        )

        def having(hook: str) -> tuple[Any, ...]:
            return tuple(f for f in self.features if overrides(f, hook))

        self._on_message = having("on_message")
        self._inspect = having("inspect")
        self._on_direct = having("on_direct")
        self._on_join = having("on_join")
        self._on_leave = having("on_leave")
        self._on_event = having("on_event")
        self._tick = having("tick")
        self._observe = having("observe")
        self._after = having("after")
        self._words: dict[str, str] = {}
        self._collect_words()
        self._handlers: dict[type[Any], Callable[[Any], Awaitable[list[Action]]]] = {
            MessagePosted: self._message,
            CommandIssued: self._command,
            MemberJoined: self._join,
            MemberLeft: self._leave,
            TimerFired: self._timer,
        }

    @property
    def config(self) -> Config:
        return self.kit.config

    @property
    def rules(self) -> RuleSet:
        return self.kit.rules

    @property
    def clock(self) -> Clock:
        return self.kit.clock

    @property
    def writes(self) -> WriteBehind:
        return self.kit.writes

    def find(self, kind: type[F]) -> F | None:
        """The running feature of a kind, if this engine has one (adapters
        reach a feature's service so: the scheduler drives the schedule)."""
        return next((f for f in self.features if isinstance(f, kind)), None)

    def feature(self, kind: type[F]) -> F:
        found = self.find(kind)
        if found is None:
            raise LookupError(f"no {kind.__name__} in this engine")
        return found

    def commands(self) -> Mapping[str, Command]:
        return self._commands  # by each name; adapters build menus from it

    async def stop(self) -> None:
        """Flush everything pending, then stop every feature, each even when
        the flush or one before it fails; the store stays open (its owner closes it)."""
        await stop_all(self.kit.writes.close, *(f.stop for f in self.features))

    def reload(self, config: Config, rules: RuleSet | None = None) -> None:
        """Swap in a validated config, with its rules (and the features' word
        lists) compiled already when `rules` is given (`config_watch` does it
        in a thread). Rules that did not change keep their state (flood windows)."""
        kit = self.kit
        kit.rules = compile_rules(config, self.word_lists, kit.rules) if rules is None else rules
        kit.config = config
        kit.directory.reconfigure(config)
        for f in self.features:
            f.configure(config)
        self._collect_words()

    def word_lists(self, config: Config) -> dict[str, Sequence[str]]:
        return {k: v for f in self.features for k, v in f.word_lists(config).items()}

    def _collect_words(self) -> None:
        self._words = {w: name for f in self.features for w, name in f.words().items()}

    async def handle(self, event: Event) -> list[Action]:
        self.kit.history.saw(event)
        actions = await self._handlers.get(type(event), self._other)(event)
        now = self.kit.clock.now()
        for f in self._observe if actions else ():
            f.observe(actions, now)
        for f in self._after:
            if f.has_pending():
                await f.after(actions, now)
        if self.kit.writes.due():
            await self.kit.writes.maybe_flush()
        return actions + self._take_outbox(event) if self.outbox else actions

    def post(self, actions: list[SendMessage]) -> None:
        """Messages that answer no event (a reload's report to the log chat):
        they leave with the next event from their chat's platform, through
        whichever gateway carries that platform's actions."""
        self.outbox.extend(actions)

    def _take_outbox(self, event: Event) -> list[Action]:
        chat = getattr(event, "chat", None)
        if chat is None:
            return []
        mine = [a for a in self.outbox if a.chat.platform == chat.platform]
        self.outbox = [a for a in self.outbox if a.chat.platform != chat.platform]
        return list(mine)

    async def _message(self, ev: MessagePosted) -> list[Action]:
        if ev.sender.is_bot or ev.on_behalf_of_chat:
            return []
        # An edit never issues a command: editing an old message into /ban must
        # not act twice, or act at all.
        parsed = None if ev.edited or ev.for_another_bot else parse_command(ev.text)
        # Only our own commands skip the message path (what their text says
        # is still checked); an unknown one (`/加微信 领资料`) is a message the
        # rules and the spam check read first.
        if parsed is not None and (ev.chat.private or parsed[0] in self._commands):
            said, removed = await self._inspected(ev) if parsed[1] else ([], False)
            return said if removed else said + await self._command(issued(ev, *parsed))
        kit = self.kit
        now = ev.at
        member = kit.directory.member(ev.sender, now)
        if ev.chat.private:
            # The first feature to answer a private message has it (a captcha answer, no hint).
            out: list[Action] = []
            for f in () if ev.edited else self._on_direct:
                if out := await f.on_direct(Direct(ev, member)):
                    break
            return out
        if kit.directory.is_log_chat(ev.chat):
            # The moderators among themselves: nothing to count, rule on or pay.
            return []
        group = kit.directory.group(ev.chat, now, ev.chat.title)
        first = False
        if not ev.edited:
            member.message_count += 1
            member.last_seen = now
            kit.directory.touch(member, soft=True)
            first = kit.stats.message(group.chat_key, kit.calendar.local_date(now), member.key)
        word = self._words.get(ev.text.strip())
        if word is not None:
            return await self._command(issued(ev, word, ()))
        seen = Seen(ev, member, group, kit.directory.role(member, ev.sender))
        actions: list[Action] = []
        for f in self._on_message:
            step = await f.on_message(seen)
            if step.actions:
                actions += step.actions
            if step.stop:
                # Removed: no help for its command, its author not active.
                if first:
                    kit.stats.removed(group.chat_key, kit.calendar.local_date(now), member.key)
                return actions
        if parsed is not None:
            actions += await self._command(issued(ev, *parsed))
        return actions

    async def _inspected(self, ev: MessagePosted) -> tuple[list[Action], bool]:
        """What the checks of content say of a command's own text: their
        actions, and whether one removed the message."""
        kit = self.kit
        if ev.chat.private or kit.directory.is_log_chat(ev.chat):
            return [], False
        member = kit.directory.member(ev.sender, ev.at)
        group = kit.directory.group(ev.chat, ev.at, ev.chat.title)
        words = ev.text.split(None, 1)
        text = words[1] if len(words) > 1 else ""
        seen = Seen(replace(ev, text=text), member, group, kit.directory.role(member, ev.sender))
        actions: list[Action] = []
        for f in self._inspect:
            step = await f.inspect(seen)
            actions += step.actions
            if step.stop:
                return actions, True
        return actions, False

    async def _command(self, ev: CommandIssued) -> list[Action]:
        kit = self.kit
        member = kit.directory.member(ev.sender, ev.at)
        group = None if ev.chat.private else kit.directory.group(ev.chat, ev.at, ev.chat.title)
        if group is not None and not kit.directory.is_log_chat(ev.chat):
            kit.stats.seen(group.chat_key, kit.calendar.local_date(ev.at), member.key)
        ctx = Context(
            kit=kit,
            event=ev,
            member=member,
            group=group,
            role=kit.directory.role(member, ev.sender),
            locale=kit.locale_for(member),
        )
        return answer_press(ev, ctx.is_staff, await self._run(ctx))

    async def _run(self, ctx: Context) -> list[Action]:
        ev = ctx.event
        command = self._commands.get(ev.name)
        if command is None:
            text = ctx.text("unknown_command", command=ev.name) + "\n" + ctx.text("help.member")
            return [ctx.say(text)]
        if command.staff and not ctx.is_staff:
            return [ctx.reply("mod.not_allowed", command=ev.name)]
        try:
            return await command.handler(ctx)
        except Refused as refused:
            return [ctx.reply(refused.key, **refused.values)]

    async def _join(self, ev: MemberJoined) -> list[Action]:
        kit = self.kit
        # A moderator added to the log chat is no newcomer to the community.
        if ev.member.is_bot or kit.directory.is_log_chat(ev.chat):
            return []
        member = kit.directory.member(ev.member, ev.at)
        group = kit.directory.group(ev.chat, ev.at, ev.chat.title)
        kit.directory.joined(member, group, ev.at, ev.invite)
        day = kit.calendar.local_date(ev.at)
        kit.stats.add(group.chat_key, day, "joins")
        if ev.invite:
            kit.stats.add(group.chat_key, day, "invites_used")
        arrival = Arrival(ev, member, group, kit.directory.role(member, ev.member))
        actions: list[Action] = []
        for f in self._on_join:
            step = await f.on_join(arrival)
            actions += step.actions
            if step.stop:
                break
        return actions

    async def _leave(self, ev: MemberLeft) -> list[Action]:
        kit = self.kit
        if kit.directory.is_log_chat(ev.chat):
            return []
        member = kit.directory.member(ev.member, ev.at)
        group = kit.directory.group(ev.chat, ev.at)
        kit.directory.left(member, group, ev.at)
        kit.stats.add(group.chat_key, kit.calendar.local_date(ev.at), "leaves")
        departure = Departure(ev, member, group)
        actions: list[Action] = []
        for f in self._on_leave:
            actions += await f.on_leave(departure)
        return actions

    async def _timer(self, ev: TimerFired) -> list[Action]:
        actions: list[Action] = []
        for f in self._tick:
            actions += await f.tick(ev.at)
        return actions

    async def _other(self, ev: Event) -> list[Action]:
        actions: list[Action] = []
        for f in self._on_event:
            actions += await f.on_event(ev)
        return actions
