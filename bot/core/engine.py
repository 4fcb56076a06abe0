"""The engine: one entry point, `handle(event) -> list[Action]`.

It keeps the community in memory (loaded from the store at `start`), runs the
rule engine and the services, and queues every change on the write-behind
batcher. It never touches a platform or a database driver.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config, ConfigError, load_config
from bot.core.actions import Action, ApproveJoin, SendMessage
from bot.core.batcher import WriteBehind
from bot.core.commands import Command, Context, parse_command
from bot.core.config_watch import reload_command
from bot.core.directory import Directory, display
from bot.core.events import (
    BotRightsReported,
    CommandIssued,
    Event,
    GroupOpened,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MembersCounted,
    MessagePosted,
    ReactionAdded,
    TimerFired,
)
from bot.core.explanations import Explanations
from bot.core.i18n import t
from bot.core.ports import Clock, Store
from bot.core.services import Services
from bot.core.stats import Stats
from bot.features.analytics.analytics import Analytics, CountingEconomyStore, MemoryAnalyticsStore
from bot.features.analytics.commands import commands as stats_commands
from bot.features.analytics.store import AnalyticsStore, ChartRenderer
from bot.features.economy import hooks as economy_hooks
from bot.features.economy.commands import commands as economy_commands
from bot.features.economy.economy import Economy, MemoryEconomyStore, load_economy
from bot.features.economy.store import EconomyStore
from bot.features.moderation.cases import Moderation
from bot.features.moderation.commands import commands as mod_commands
from bot.features.moderation.enforcement import Enforcer
from bot.features.moderation.why import why_command
from bot.features.overflow.commands import commands as overflow_commands
from bot.features.overflow.entry import EntryGate
from bot.features.overflow.entry_commands import commands as entry_commands
from bot.features.overflow.planner import OPEN, Overflow
from bot.features.overflow.store import OverflowStore
from bot.features.points.points import Points
from bot.features.points.rewards import level_up_actions
from bot.features.risk.commands import commands as risk_commands
from bot.features.risk.report_commands import commands as report_commands
from bot.features.risk.risk import Risk
from bot.features.risk.spam.commands import commands as spam_commands
from bot.features.risk.spam.guard import MemorySpamStore
from bot.features.risk.store import SpamStore
from bot.features.schedule.commands import commands as schedule_commands
from bot.features.schedule.schedule import Schedule
from bot.features.schedule.store import ScheduleStore
from bot.features.welcome.commands import commands as member_commands
from rules.evaluate import RuleSet
from rules.message import MessageView

log = logging.getLogger(__name__)

_COMMANDS: dict[str, Command] = {
    **member_commands.commands,
    **mod_commands.commands,
    **economy_commands.commands,
    **schedule_commands.commands,
    **spam_commands.commands,
    **report_commands.commands,
    **risk_commands.commands,
    **overflow_commands.commands,
    **entry_commands.commands,
    **stats_commands.commands,
}


def command_names() -> frozenset[str]:
    """Every command name and alias the engine answers (adapters route prefix
    commands and build menus from it)."""
    return frozenset(_COMMANDS)


class Engine:
    def __init__(
        self,
        config: Config,
        store: Store,
        clock: Clock,
        *,
        max_batch: int = 500,
        flush_interval: float = 0.1,
        config_path: Path | None = None,
        economy_store: EconomyStore | None = None,
        schedule_store: ScheduleStore | None = None,
        spam_store: SpamStore | None = None,
        analytics_store: AnalyticsStore | None = None,
        charts: ChartRenderer | None = None,
        overflow_store: OverflowStore | None = None,
    ) -> None:
        self.config = config
        # Shop, events and referrals; in memory only when no store is given.
        self.economy_store: EconomyStore = economy_store or MemoryEconomyStore()
        self.config_path = config_path
        self.schedule_store = schedule_store
        # Spam samples, reports and alerts; in memory only when no store is given.
        self.spam_store: SpamStore = spam_store or MemorySpamStore()
        # Activity days; kept in memory when no store is given.
        self.analytics_store: AnalyticsStore = analytics_store or MemoryAnalyticsStore(store)
        self.charts = charts
        # Entry invites, captchas and the approval queue; in memory only when
        # no store is given.
        self.overflow_store = overflow_store
        self.store = store
        self.clock = clock
        self._max_batch = max_batch
        self._flush_interval = flush_interval
        self.rules = RuleSet(config.rules, timezone=config.community.timezone)
        # What the rules did, for /why.
        self.explanations = Explanations()
        self.outbox: list[SendMessage] = []
        self._commands: dict[str, Command] = {
            **_COMMANDS,
            "why": why_command(self.explanations),
            # Reads and compiles the file off the event loop.
            "reload": reload_command(self),
        }
        self._services: Services | None = None
        self.writes: WriteBehind | None = None
        self._handlers: dict[type[Any], Callable[[Any], Awaitable[list[Action]]]] = {
            MessagePosted: self._on_message,
            CommandIssued: self._on_command,
            MemberJoined: self._on_join,
            MemberLeft: self._on_leave,
            JoinRequested: self._on_join_request,
            ReactionAdded: self._on_reaction,
            TimerFired: self._on_timer,
            MembersCounted: self._on_members_counted,
            GroupOpened: self._on_group_opened,
            BotRightsReported: self._on_bot_rights,
        }
        # Services that have periodic duties (reminders, expiries) register
        # here by timer name; "tick" fires at least once a minute, and every
        # time the console's clock moves.
        self.timers: dict[str, list[Callable[[TimerFired], Awaitable[list[Action]]]]] = {}

    @property
    def s(self) -> Services:
        if self._services is None:
            raise RuntimeError("Engine.start() has not been awaited")
        return self._services

    async def start(self, *, background_flush: bool = True) -> None:
        """Load the community into memory; with `background_flush`, flush
        pending writes every `flush_interval` seconds."""
        cfg = self.config
        community = cfg.community
        await self.store.ensure_community(community.slug, community.name, community.timezone)
        now = self.clock.now()
        local = now.astimezone(community.tz)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        snapshot = await self.store.load(community.slug, day_start)
        stats = Stats(community.slug, snapshot)
        writes = WriteBehind(
            self.store,
            max_batch=self._max_batch,
            interval=self._flush_interval,
            collect=stats.collect,
        )
        # Counts RSVPs, attendance and points spent into the daily stats.
        economy_store = CountingEconomyStore(self.economy_store, stats, _local_date(community.tz))
        economy_snapshot = await load_economy(economy_store, community.slug, community.tz, now)
        points = Points(
            cfg.points, community.slug, community.tz, snapshot, writes, local.date(),
            economy_snapshot,
        )  # fmt: skip
        writes.on_duplicates = points.undo
        self.writes = writes
        self._services = Services(
            config=cfg,
            store=self.store,
            clock=self.clock,
            directory=Directory(cfg, snapshot, writes),
            points=points,
            moderation=Moderation(community.slug, cfg.escalation, snapshot, writes),
            stats=stats,
            config_path=self.config_path,
            apply_config=self.reload,
            economy=Economy(community.slug, points, economy_store, economy_snapshot),
        )
        analytics = Analytics(
            community.slug, community.timezone, stats, self.analytics_store, self.charts
        )
        await analytics.start(local.date())
        self._services.analytics = analytics
        self.on_timer("tick", analytics.tick)
        self._enforcer = Enforcer(self._services, self.explanations)
        risk = await Risk.start(self._services, self.spam_store, self.explanations)
        self._services.risk = risk
        self.on_timer("tick", risk.tick)
        if self.schedule_store is not None:
            self._services.schedule = Schedule(self._services, self.schedule_store)
            await self._services.schedule.start(now)
        self.on_timer("tick", self._economy_tick)
        saved = (
            await self.overflow_store.load_overflow(community.slug)
            if self.overflow_store is not None
            else None
        )
        overflow = Overflow(self._services, saved)
        self._services.overflow = overflow
        self._services.entry = EntryGate(self._services, overflow, self.overflow_store, saved)
        self.on_timer("tick", self._entry_tick)
        if background_flush:
            writes.start()

    async def stop(self) -> None:
        """Flush everything pending; the store stays open (its owner closes it)."""
        if self.writes is not None:
            await self.writes.close()
        if self._services is not None and self._services.analytics is not None:
            await self._services.analytics.flush()

    def reload(self, config: Config, rules: RuleSet | None = None) -> None:
        """Swap in a validated config, with its rules compiled already when
        `rules` is given (`bot.config_watch` compiles them in a thread).
        Rules that did not change keep their state (flood windows)."""
        if rules is None:
            rules = RuleSet(config.rules, timezone=config.community.timezone, previous=self.rules)
        self.rules = rules
        self.config = config
        s = self.s
        s.config = config
        s.directory.reconfigure(config)
        s.points.configure(config.points)
        s.moderation.escalation = config.escalation
        if s.risk is not None:
            s.risk.configure(config.risk)
        if s.schedule is not None:
            s.schedule.reconfigure(config, self.clock.now())

    def reload_file(self) -> tuple[str, ...]:
        """Read the config file again. On any error the running config stays
        and the errors (`path.to.key: reason`) are returned."""
        if self.config_path is None:
            return ("(file): this bot was not started from a config file",)
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            log.warning("config %s rejected, keeping the last good one:\n%s", self.config_path, exc)
            return exc.errors
        self.reload(config)
        return ()

    async def handle(self, event: Event) -> list[Action]:
        actions = await self._handlers[type(event)](event)
        if actions and self._services is not None:
            economy_hooks.take_back_deleted(self._services, actions, self.clock.now())
            if self._services.analytics is not None:
                now = self.clock.now()
                self._services.analytics.observe(actions, self._services.points.local_date(now))
        if self._services is not None and self._services.entry is not None:
            # Saved before the actions leave: an invite never goes out
            # without the place it holds being on record.
            await self._services.entry.save(self.clock.now())
        if self.writes is not None:
            await self.writes.maybe_flush()
        if self.outbox:
            actions = actions + self._take_outbox(event)
        return actions

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

    async def _on_reaction(self, ev: ReactionAdded) -> list[Action]:
        return await economy_hooks.on_reaction(self.s, ev)

    async def _economy_tick(self, ev: TimerFired) -> list[Action]:
        return await economy_hooks.on_tick(self.s, ev)

    async def _entry_tick(self, ev: TimerFired) -> list[Action]:
        entry = self.s.entry
        return await entry.tick(ev.at) if entry is not None else []

    def on_timer(self, name: str, handler: Callable[[TimerFired], Awaitable[list[Action]]]) -> None:
        self.timers.setdefault(name, []).append(handler)

    async def _on_timer(self, ev: TimerFired) -> list[Action]:
        actions: list[Action] = []
        for handler in self.timers.get(ev.name, ()):
            actions += await handler(ev)
        return actions

    async def _on_message(self, ev: MessagePosted) -> list[Action]:
        if ev.sender.is_bot or ev.on_behalf_of_chat:
            return []
        s = self.s
        # An edit never issues a command: editing an old message into /ban must
        # not act twice, or act at all.
        parsed = None if ev.edited else parse_command(ev.text)
        if parsed is not None:
            name, args = parsed
            return await self._on_command(
                CommandIssued(
                    ev.chat, ev.sender, ev.message_id, name, args, ev.at, ev.reply_to, ev.text
                )
            )
        now = ev.at
        member = s.directory.member(ev.sender, now)
        if ev.chat.private:
            # A newcomer answering the entry gate's captcha.
            if s.entry is not None and not ev.edited:
                return await s.entry.answer(member, ev.text, now) or []
            return []
        group = s.directory.group(ev.chat, now, ev.chat.title)
        if not ev.edited:
            member.message_count += 1
            member.last_seen = now
            s.directory.touch(member, soft=True)
            s.stats.message(group.chat_key, s.points.local_date(now), member.key)
        text = ev.text
        if text.strip() in s.points.checkin_words:
            return await self._on_command(
                CommandIssued(
                    ev.chat, ev.sender, ev.message_id, "checkin", (), now, ev.reply_to, text
                )
            )
        role = s.directory.role(member, ev.sender)
        rules = self.rules
        level = s.points.level(s.points.balance(member.key))[0] if rules.uses_level else 0
        joined = member.joined_at
        view = MessageView(
            text=text,
            group=group.chat_key,
            sender=member.key,
            at=now.timestamp(),
            role=role,
            level=level,
            member_age=(now - joined).total_seconds() if joined is not None else None,
            message_count=member.message_count,
            media=ev.media,
            forwarded=ev.forwarded,
            forward_origin=ev.forward_origin,
        )
        verdict = rules.evaluate(view)
        if verdict.hit:
            return self._enforcer.apply(verdict, ev, member, group)
        # The spam guard and the risk monitors see what the rules let through.
        risky: list[Action] = []
        if s.risk is not None:
            risky, removed = await s.risk.on_message(ev, member, group, role, view)
            if removed:
                return risky
        if ev.edited:
            return risky
        up = s.points.for_message(member, text, now, group.chat_key, ev.message_id)
        if up is None:
            return risky
        return risky + level_up_actions(s, member, ev.chat, up)

    async def _on_command(self, ev: CommandIssued) -> list[Action]:
        s = self.s
        member = s.directory.member(ev.sender, ev.at)
        group = None if ev.chat.private else s.directory.group(ev.chat, ev.at, ev.chat.title)
        if group is not None:
            s.stats.seen(group.chat_key, s.points.local_date(ev.at), member.key)
        ctx = Context(
            s=s,
            event=ev,
            member=member,
            group=group,
            role=s.directory.role(member, ev.sender),
            locale=s.locale_for(member),
        )
        command = self._commands.get(ev.name)
        if command is None:
            text = ctx.text("unknown_command", command=ev.name) + "\n" + ctx.text("help.member")
            return [ctx.say(text)]
        return await command.handler(ctx)

    async def _on_join(self, ev: MemberJoined) -> list[Action]:
        s = self.s
        if ev.member.is_bot:
            return []
        member = s.directory.member(ev.member, ev.at)
        group = s.directory.group(ev.chat, ev.at, ev.chat.title)
        s.directory.joined(member, group, ev.at, ev.invite)
        s.stats.add(group.chat_key, s.points.local_date(ev.at), "joins")
        # Without an entry invite (to any group: they passed the gate), a
        # newcomer still owes the captcha.
        direct = (
            s.overflow is not None
            and s.entry is not None
            and group.state == OPEN
            and member.key not in s.overflow.pending
            and not s.directory.is_staff(member, ev.member)
        )
        # The next group readied (or the owner warned) as this one fills.
        prepared = s.overflow.joined(member, group, ev.at) if s.overflow is not None else []
        if direct and s.entry is not None:
            prepared += s.entry.joined_directly(member, ev.member, group, ev.at)
        if s.risk is not None:
            prepared += await s.risk.member_moved(True, member, group, ev.at)
        if ev.invite:
            s.stats.add(group.chat_key, s.points.local_date(ev.at), "invites_used")
        # A rule in dry run only reports; the member is welcomed as usual.
        reported: list[Action] = []
        if self.rules.checks_names:
            verdict = self.rules.evaluate_name(
                MessageView(
                    text=f"{ev.member.name} {ev.member.username or ''}",
                    group=group.chat_key,
                    sender=member.key,
                    at=ev.at.timestamp(),
                    role=s.directory.role(member, ev.member),
                )
            )
            if verdict.hit:
                reported = self._enforcer.apply_join(verdict, ev, member, group)
                if verdict.rule is not None and not verdict.rule.dry_run:
                    return reported
        await economy_hooks.on_join(s, member, group, ev)
        reported = [*reported, *prepared]
        welcome = self.config.welcome
        if not welcome.enabled:
            return reported
        name = display(member)
        values = {"name": name, "group": group.title, "community": self.config.community.name}
        if welcome.text:
            text = welcome.text
            for k, v in values.items():
                text = text.replace("{" + k + "}", v)
        else:
            text = t(s.locale_for(member), "welcome", **values)
        return [*reported, SendMessage(ev.chat, text, kind="welcome")]

    async def _on_leave(self, ev: MemberLeft) -> list[Action]:
        s = self.s
        member = s.directory.member(ev.member, ev.at)
        group = s.directory.group(ev.chat, ev.at)
        s.directory.left(member, group, ev.at)
        if s.overflow is not None:
            s.overflow.left(member, group)
        s.stats.add(group.chat_key, s.points.local_date(ev.at), "leaves")
        await economy_hooks.on_leave(s, member, ev.at)
        return await s.risk.member_moved(False, member, group, ev.at) if s.risk is not None else []

    async def _on_members_counted(self, ev: MembersCounted) -> list[Action]:
        s = self.s
        group = s.directory.groups.get(ev.chat.key)
        if group is None or s.overflow is None:
            return []
        return s.overflow.counted(group, ev.count, ev.at)

    async def _on_group_opened(self, ev: GroupOpened) -> list[Action]:
        s = self.s
        if s.overflow is None:
            return []
        return s.overflow.opened(ev.chat, ev.title, ev.serial, ev.at, ev.template)

    async def _on_bot_rights(self, ev: BotRightsReported) -> list[Action]:
        if self.s.overflow is not None:
            self.s.overflow.missing_rights[ev.chat.key] = ev.missing
        return []

    async def _on_join_request(self, ev: JoinRequested) -> list[Action]:
        # Join-request links go through the same entry gate as the entry
        # link; with no gate configured every request is let in.
        s = self.s
        if not self.config.entry.gated or s.entry is None:
            return [ApproveJoin(ev.chat, ev.member)]
        member = s.directory.member(ev.member, ev.at)
        s.directory.group(ev.chat, ev.at, ev.chat.title)
        return await s.entry.begin(member, ev.member, ev.at, request=ev.chat)


def _local_date(tz: ZoneInfo) -> Callable[[datetime], date]:
    def local(at: datetime) -> date:
        return at.astimezone(tz).date()

    return local
