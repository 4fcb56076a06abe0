"""The features, each a package; `build` makes them and lists them in the
one order every hook runs in.

Services are made first, in the order they need each other; the features
that wrap them are then listed in the order events reach them. A message:
moderation's rules, then the spam guard and monitors (risk), then points.
A join: the overflow planner counts and places (one without an entry
invite owes the gate's captcha), the raid monitor watches, the newcomer's
name is judged (a refusal ends the join there), then the referral and the
welcome. The timer: the platforms' member counts (overflow), risk's
monitors, the economy's reminders, the entry gate's deadlines, then the
seasons' closes, the notice's refresh and the polls' closing. What the
platforms report of the bot itself (its membership in a group, a channel
first seen) goes to presence. A member below a members-only group's tier is
shown out (tiers) before points and the welcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.feature import Feature
from bot.core.kit import Kit
from bot.core.records import Snapshot
from bot.features.analytics.analytics import Analytics, CountingEconomyStore, MemoryAnalyticsStore
from bot.features.analytics.feature import AnalyticsFeature
from bot.features.analytics.store import AnalyticsStore, ChartRenderer
from bot.features.appeals.feature import AppealsFeature
from bot.features.appeals.service import Appeals
from bot.features.appeals.store import AppealsStore, MemoryAppealsStore
from bot.features.economy.economy import Economy, MemoryEconomyStore, load_economy
from bot.features.economy.feature import EconomyFeature
from bot.features.economy.store import EconomyStore
from bot.features.faq.feature import FaqFeature
from bot.features.faq.service import Faq
from bot.features.fee.feature import FeeFeature
from bot.features.fee.service import EntryFee
from bot.features.fee.store import MemoryPaymentsStore, PaymentsStore
from bot.features.feedback.feature import FeedbackFeature
from bot.features.feedback.feedback import FeedbackBox
from bot.features.moderation.cases import Moderation
from bot.features.moderation.enforcement import Enforcer
from bot.features.moderation.feature import ModerationFeature
from bot.features.moderation.names import NamesFeature
from bot.features.moderation.views import Views
from bot.features.mydata.feature import MyDataFeature
from bot.features.mydata.service import MyData
from bot.features.mydata.store import MemberDataStore, MemoryMemberDataStore
from bot.features.notes.store import MemoryNoteStore, NoteStore
from bot.features.notice.feature import NoticeFeature
from bot.features.notice.notice import Notice
from bot.features.overflow.entry import EntryGate
from bot.features.overflow.entry_feature import EntryFeature
from bot.features.overflow.feature import OverflowFeature
from bot.features.overflow.planner import Overflow
from bot.features.overflow.store import OverflowStore
from bot.features.points.feature import PointsFeature
from bot.features.points.points import Points
from bot.features.points.service import PointsService
from bot.features.polls.feature import PollsFeature
from bot.features.polls.polls import Polls
from bot.features.presence.feature import PresenceFeature
from bot.features.purge.feature import PurgeFeature
from bot.features.risk.feature import RiskFeature
from bot.features.risk.risk import Risk
from bot.features.risk.spam.guard import MemorySpamStore
from bot.features.risk.store import SpamStore
from bot.features.schedule.content import Composer
from bot.features.schedule.feature import ScheduleFeature
from bot.features.schedule.schedule import Schedule
from bot.features.schedule.store import ScheduleStore
from bot.features.seasons.feature import SeasonsFeature
from bot.features.seasons.seasons import Seasons
from bot.features.thanks.feature import ThanksFeature
from bot.features.tiers.feature import TiersFeature
from bot.features.tiers.tiers import Tiers
from bot.features.welcome.feature import WelcomeFeature
from bot.features.welcome.hint import PrivateHint


@dataclass(frozen=True, slots=True)
class Stores:
    """The features' own store ports. Without a database (unit tests) the
    economy and the spam samples live in memory; activity days go through
    the core store's daily stats."""

    economy: EconomyStore = field(default_factory=MemoryEconomyStore)
    spam: SpamStore = field(default_factory=MemorySpamStore)
    analytics: AnalyticsStore | None = None
    # Without one there is no schedule.
    schedule: ScheduleStore | None = None
    # Without one the entry gate's captchas and invites live in memory only.
    overflow: OverflowStore | None = None
    # Seasons, the notice's pins, polls and feedback.
    notes: NoteStore = field(default_factory=MemoryNoteStore)
    appeals: AppealsStore = field(default_factory=MemoryAppealsStore)
    payments: PaymentsStore = field(default_factory=MemoryPaymentsStore)
    member_data: MemberDataStore = field(default_factory=MemoryMemberDataStore)


async def build(
    kit: Kit,
    snapshot: Snapshot,
    stores: Stores,
    *,
    charts: ChartRenderer | None = None,
    base: Path | None = None,
) -> tuple[Feature, ...]:
    """Every feature, started, in the order hooks run. `base` is the config
    file's folder (scheduled content is found beside it)."""
    config = kit.config
    slug, tz = config.community.slug, config.community.tz
    now = kit.clock.now()
    today = kit.calendar.local_date(now)

    # Counts RSVPs, attendance and points spent into the daily stats.
    economy_store = CountingEconomyStore(stores.economy, kit.stats, kit.calendar.local_date)
    economy_snapshot = await load_economy(economy_store, slug, tz, now)
    points = Points(
        config.points, slug, kit.calendar, snapshot, kit.writes, today, economy_snapshot
    )
    kit.writes.on_duplicates = points.undo
    economy = Economy(slug, points, economy_store, economy_snapshot)
    cases = Moderation(slug, config.escalation, snapshot, kit.writes)
    enforcer = Enforcer(kit, cases)
    analytics = Analytics(
        slug,
        config.community.timezone,
        kit.stats,
        stores.analytics or MemoryAnalyticsStore(kit.store),
        points,
        charts,
    )
    await analytics.start(today)
    saved = await stores.overflow.load_overflow(slug) if stores.overflow is not None else None
    overflow = Overflow(kit, saved)
    entry = EntryGate(kit, overflow, points, stores.overflow, saved)
    fee = EntryFee(kit, stores.payments)
    await fee.start()
    entry.fee, fee.gate = fee, entry

    views = Views(kit, points)
    risk = RiskFeature(await Risk.start(kit, stores.spam, enforcer, points), views.of)
    # Tiers lend their privileges: the shop's price, a report's weight (the
    # rules read theirs from the config).
    tiers = TiersFeature(kit, Tiers(config, points))
    economy.shop.price = tiers.tiers.price
    risk.risk.reports.tier_weight = tiers.tiers.report_weight
    seasons = Seasons(kit, stores.notes, points, economy.shop)
    await seasons.start(now)
    seasons_feature = SeasonsFeature(kit, seasons)
    notice = Notice(kit, stores.notes, base or Path.cwd())
    await notice.start()
    polls = Polls(kit, stores.notes)
    await polls.start()
    feedback = FeedbackBox(kit, stores.notes)
    await feedback.start()
    points_service = PointsService(
        points,
        economy.shop,
        cases,
        extras=(tiers.me, seasons_feature.me),
        boards={"season": seasons_feature.board, "赛季": seasons_feature.board},
        badge=seasons.badge,
    )
    moderation = ModerationFeature(kit, cases, enforcer, views, unban_hooks=(risk.forgive,))
    purge = PurgeFeature(kit, enforcer, stores.notes)
    await purge.start()
    appeals = Appeals(
        kit,
        stores.appeals,
        cases,
        enforcer,
        await stores.appeals.load_appeals(slug),
        learn_ham=risk.learn_ham,
    )
    enforcer.notifiers.append(appeals.notify)
    monitors = risk.risk.monitors
    faq = Faq(kit, base or Path.cwd(), monitors.open.get, monitors.answered)
    monitors.suggest = faq.suggest
    hint = PrivateHint(kit, stores.notes)
    await hint.start()
    presence = PresenceFeature(kit, stores.notes)
    await presence.start()
    features: list[Feature] = [
        moderation,
        purge,
        presence,
        OverflowFeature(kit, overflow, entry),
        risk,
        NamesFeature(kit, moderation.verdicts),
        tiers,
        PointsFeature(kit, points_service),
        ThanksFeature(kit, points),
        FaqFeature(kit, faq),
        EconomyFeature(kit, economy),
        EntryFeature(kit, entry),
        FeeFeature(kit, fee),
        AnalyticsFeature(kit, analytics),
        seasons_feature,
        NoticeFeature(kit, notice),
        PollsFeature(kit, polls),
        FeedbackFeature(kit, feedback),
        AppealsFeature(kit, appeals),
        MyDataFeature(
            kit,
            MyData(
                kit,
                stores.member_data,
                points,
                cases,
                appeals,
                risk.waiting_flags,
                flushes=(analytics.flush,),
                forgets=(seasons.forget, risk.forget, purge.forget),
                muting=risk.muting,
                erasers=(hint.forget,),
            ),
        ),
    ]
    if stores.schedule is not None:
        compose = Composer(kit, points, analytics, base or Path.cwd(), digest=(feedback.digest,))
        schedule = Schedule(kit, stores.schedule, compose)
        await schedule.start(now)
        features.append(ScheduleFeature(kit, schedule))
    features.append(WelcomeFeature(kit, entry, hint))
    return tuple(features)
