"""`Risk` ties the spam guard, the reports, the monitors and the lockdowns
to the message path and the timer, and sends the moderators' daily summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.config.risk import LockdownConfig, RiskConfig
from bot.core.actions import Action, SendMessage
from bot.core.buttons import Button
from bot.core.events import ImageRead, MessagePosted, OpinionGiven
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord, MemberRecord
from bot.features.moderation.enforcement import Enforcer
from bot.features.points.points import Points
from bot.features.risk.lockdown import Lockdowns
from bot.features.risk.monitors import Monitors, ack_buttons
from bot.features.risk.records import RiskAlertRecord, SpamSnapshot
from bot.features.risk.reports import Reports
from bot.features.risk.spam.checks import SpamVerdict
from bot.features.risk.spam.guard import SpamGuard
from bot.features.risk.spam.images import with_reason
from bot.features.risk.store import SpamStore
from rules.message import MessageView

# A daily summary missed while the bot was down is still posted this late.
_SUMMARY_GRACE = timedelta(hours=3)


class Risk:
    """The spam guard, the reports, the monitors and the lockdowns, as one
    service."""

    def __init__(
        self,
        kit: Kit,
        store: SpamStore,
        config: RiskConfig,
        snapshot: SpamSnapshot,
        enforcer: Enforcer,
        points: Points,
    ) -> None:
        self.kit = kit
        self.store = store
        self.config = config
        self.spam = SpamGuard(kit, store, config.spam, snapshot, enforcer, points)
        self.reports = Reports(kit, store, config.reports, snapshot, self.spam)
        self.monitors = Monitors(kit, config.monitors, snapshot.last_alert_id)
        self.monitors.open = {a.id: a for a in snapshot.open_alerts}
        self.lockdowns = Lockdowns(kit, store, snapshot)
        self._summarised: date | None = None

    @classmethod
    async def start(cls, kit: Kit, store: SpamStore, enforcer: Enforcer, points: Points) -> Risk:
        snapshot = await store.load_spam(kit.config.community.slug)
        return cls(kit, store, kit.config.risk, snapshot, enforcer, points)

    def configure(self, config: RiskConfig) -> None:
        self.config = config
        self.spam.configure(config.spam)
        self.reports.config = config.reports
        self.monitors.configure(config.monitors)

    @property
    def lockdown_spec(self) -> LockdownConfig:
        """The raid monitor's lockdown settings; a moderator's /lockdown uses
        the defaults when the monitor has none."""
        raid = self.config.monitors.raid
        return raid.lockdown if raid is not None and raid.lockdown is not None else LockdownConfig()

    async def on_message(
        self,
        ev: MessagePosted,
        member: MemberRecord,
        group: GroupRecord,
        role: str,
        view: MessageView,
    ) -> tuple[list[Action], bool]:
        """After the rules let a message through: a lockdown's slow mode, the
        spam guard, then the monitors. Returns the actions and whether the
        message was removed."""
        actions: list[Action] = []
        if role == "member":
            if self.lockdowns.active and not ev.edited:
                slowed = self.lockdowns.check(ev, member, group)
                if slowed:
                    return slowed, True
            spam = self.spam
            newcomer = spam.scrutiny(view, member, role)
            verdict = spam.verdict(view, newcomer) if newcomer is not None else None
            if verdict is not None:
                actions, removed = await self._caught(verdict, ev, member, group)
                if removed:
                    return actions, True
            elif not ev.edited:
                spam.remember(ev, member)
                # Only a picture is read, and only someone checked is asked about.
                if ev.image is not None:
                    read = spam.pictures.ask(spam.config.ocr, ev, view, newcomer)
                    if read is not None:
                        actions.append(read)
                if newcomer is not None and spam.asks_opinions:
                    actions += spam.second_opinions(ev, member, view, newcomer)
        actions += self.monitors.on_message(ev, member, group, role, view)
        if self.monitors.pending:
            await self.store_alerts()
        return actions, False

    async def _caught(
        self, verdict: SpamVerdict, ev: MessagePosted, member: MemberRecord, group: GroupRecord
    ) -> tuple[list[Action], bool]:
        """What a detected message gets, and whether it was removed (not
        when it is only flagged for review)."""
        actions, flag = self.spam.act(verdict, ev, member, group)
        actions += self.monitors.spam_caught(group, ev.at, ev.message_id)
        if flag is None:
            await self.store_alerts()
            return actions, True
        flag = await self.reports.new_flag(flag)
        actions += self.reports.alert(flag, member, group)
        return actions, False

    async def image_read(self, ev: ImageRead) -> list[Action]:
        """The text of a picture the guard asked about: checked with its
        caption, as the member's standing was when they posted it."""
        found = self.spam.pictures.answer(ev)
        if found is None:
            return []
        asked, view, posted = found
        verdict = self.spam.detector.check(view, newcomer=asked.newcomer)
        if not verdict.spam:
            return []
        directory = self.kit.directory
        member = directory.member(ev.sender, ev.at)
        group = directory.group(ev.chat, ev.at)
        actions, _ = await self._caught(with_reason(verdict, ev.text), posted, member, group)
        return actions

    async def opinion(self, ev: OpinionGiven) -> list[Action]:
        """A second opinion came back: "spam" removes the message as the
        detector would have."""
        found = self.spam.opinions.answer(ev)
        if found is None:
            return []
        asked, verdict = found
        directory = self.kit.directory
        member = directory.member(ev.sender, ev.at)
        group = directory.group(ev.chat, ev.at)
        self.spam.suspects.add(member.key)
        actions, _ = await self._caught(verdict, asked.event, member, group)
        return actions

    async def inspect(
        self,
        ev: MessagePosted,
        member: MemberRecord,
        group: GroupRecord,
        role: str,
        view: MessageView,
    ) -> tuple[list[Action], bool]:
        """A command's own text through the spam guard: the actions, and
        whether the message was removed (one flagged for review stays, and
        its command runs)."""
        if role != "member":
            return [], False
        spam = self.spam
        verdict = spam.check(view, member, role)
        if verdict is None:
            return [], False
        actions, flag = spam.act(verdict, ev, member, group)
        if flag is not None:
            flag = await self.reports.new_flag(flag)
            return actions + self.reports.alert(flag, member, group), False
        actions += self.monitors.spam_caught(group, ev.at, ev.message_id)
        await self.store_alerts()
        return actions, True

    async def member_moved(
        self, joined: bool, member: MemberRecord, group: GroupRecord, now: datetime
    ) -> list[Action]:
        """Joins and leaves feed the raid and leave-spike monitors; a raid
        may lock the group down, and a locked-down group mutes newcomers."""
        monitors = self.monitors
        if not joined:
            actions = monitors.left(group, member, now)
            if monitors.pending:
                await self.store_alerts()
            return actions
        lockdowns = self.lockdowns
        lockdowns.joined(member, group, now)
        actions = monitors.joined(group, member, now)
        if group.chat_key in lockdowns.active:
            actions += await lockdowns.newcomer(member, group, now, self.lockdown_spec)
        if not monitors.pending:
            # No alert raised: nothing to store, and no raid to lock down for.
            return actions
        raid = self.config.monitors.raid
        alert = next(
            (a for a in monitors.pending if a.kind == "raid" and a.group_key == group.chat_key),
            None,
        )
        await self.store_alerts()
        if alert is not None and raid is not None and raid.lockdown is not None:
            actions += await lockdowns.start(
                group, now, raid.lockdown, alert_id=alert.id, newcomers_since=now - raid.window
            )
        return actions

    async def tick(self, now: datetime) -> list[Action]:
        actions = self.monitors.tick(now)
        actions += await self.monitors.activity_drop(now)
        await self.store_alerts()
        actions += await self._remind(now)
        actions += await self.lockdowns.tick(now)
        actions += await self._daily_summary(now)
        return actions

    async def store_alerts(self) -> None:
        pending = self.monitors.pending
        self.monitors.pending = []
        for alert in pending:
            await self.store.save_alert(alert)

    # -- acknowledgements ------------------------------------------------------

    async def acknowledge(
        self, alerts: list[RiskAlertRecord], by: MemberRecord, now: datetime
    ) -> None:
        for alert in alerts:
            alert.acked_at, alert.acked_by = now, by.key
            self.monitors.open.pop(alert.id, None)
            await self.store.save_alert(alert)

    async def _remind(self, now: datetime) -> list[Action]:
        monitors = self.monitors
        spec = self.config.monitors.remind
        chat = self.kit.log_chat
        if spec is None or chat is None:
            return []
        loc = self.kit.config.community.locale
        actions: list[Action] = []
        for alert in monitors.due_reminders(now):
            alert.reminders += 1
            alert.reminded_at = now
            await self.store.save_alert(alert)
            text = t(
                loc, "risk.reminder", n=alert.reminders, times=spec.times, id=alert.id,
                alert=monitors.text(alert),
            )  # fmt: skip
            actions.append(SendMessage(chat, text, kind="alert", buttons=ack_buttons(loc, alert)))
        return actions

    # -- the daily summary -----------------------------------------------------

    async def _daily_summary(self, now: datetime) -> list[Action]:
        kit = self.kit
        at = self.config.monitors.daily_summary
        chat = kit.log_chat
        if at is None or chat is None:
            return []
        tz = kit.config.community.tz
        local = now.astimezone(tz)
        due = local.replace(hour=at // 60, minute=at % 60, second=0, microsecond=0)
        if local < due or local - due > _SUMMARY_GRACE or self._summarised == local.date():
            return []
        self._summarised = local.date()
        # Taken in the database first: a restart never posts it twice.
        if not await self.store.claim_summary(kit.config.community.slug, local.date(), now):
            return []
        text = await self.summary(now)
        loc = kit.config.community.locale
        buttons = (
            (Button(t(loc, "risk.button.ack_all"), "ack", ("all",)),) if self.monitors.open else ()
        )
        return [SendMessage(chat, text, kind="summary", buttons=buttons)]

    async def summary(self, now: datetime) -> str:
        """The last 24 hours: alerts by kind, those nobody acknowledged, the
        review queue and the lockdowns in force."""
        kit = self.kit
        loc = kit.config.community.locale
        since = now - timedelta(days=1)
        alerts = await self.store.alerts_since(kit.config.community.slug, since)
        local = now.astimezone(kit.config.community.tz)
        lines = [t(loc, "risk.daily.header", time=f"{local:%Y-%m-%d %H:%M}")]
        waiting = self.reports.waiting()
        unacked = sorted(self.monitors.open.values(), key=lambda a: a.id)
        if not alerts and not waiting and not unacked and not self.lockdowns.active:
            lines.append(t(loc, "risk.daily.quiet"))
            return "\n".join(lines)
        if alerts:
            kinds: dict[str, int] = {}
            for a in alerts:
                kinds[a.kind] = kinds.get(a.kind, 0) + 1
            by_kind = ", ".join(
                f"{n} × {t(loc, f'risk.kind.{k}')}"
                for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            lines.append(t(loc, "risk.daily.alerts", count=len(alerts), kinds=by_kind))
        else:
            lines.append(t(loc, "risk.daily.no_alerts"))
        if unacked:
            shown = ", ".join(
                f"#{a.id} {t(loc, f'risk.kind.{a.kind}')} ({t(loc, f'risk.severity.{a.severity}')})"
                for a in unacked[:10]
            )
            lines.append(t(loc, "risk.daily.unacked", count=len(unacked), alerts=shown))
        if waiting:
            lines.append(t(loc, "risk.daily.flags", count=len(waiting)))
        if self.lockdowns.active:
            names = ", ".join(
                f"#{k.id} {self._title(k.group_key)}" for k in self.lockdowns.active.values()
            )
            lines.append(t(loc, "risk.daily.lockdowns", groups=names))
        return "\n".join(lines)

    def _title(self, group_key: str) -> str:
        group = self.kit.directory.groups.get(group_key)
        return group.title if group is not None and group.title else group_key
