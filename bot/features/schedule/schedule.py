"""Scheduled content: which posts are due, what they say, and that each goes
out once.

The schedule knows the posts (the config's `schedule:` list and the ones
moderators add from chat), works out fire times (`bot.schedule_timing`), and
for each fire time claims it in the store before anything is posted: a
restart, a reload or a second process asking again gets nothing. A fire time
that passed while the bot was down is still sent within the post's `grace`,
else recorded as missed.

It returns `Delivery` values rather than sending: the driver in `adapters/`
posts each one, then reports the message id back (`delivered`) so a pinned
post can replace the previous pin of the same schedule.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.config import Config, Locale
from bot.config.schedule import PollSpec, PostSpec
from bot.config.timing import fire_times
from bot.core.actions import Action, PinMessage, SendDirect, SendMessage, SendPoll, UnpinMessage
from bot.core.directory import chat_of, display, user_of
from bot.core.i18n import t
from bot.core.records import GroupRecord, MemberRecord
from bot.core.services import Services
from bot.features.analytics.commands import community_summary
from bot.features.overflow.planner import SPARE
from bot.features.schedule.records import ScheduledPostRecord
from bot.features.schedule.store import ScheduleStore

log = logging.getLogger(__name__)

# Fire times a catch-up considers: missed ones further back than the grace
# period and this are neither sent nor recorded.
_LOOK_BACK = timedelta(days=2)
_CATCH_UP_CAP = 100
# {new_members}: who joined in the last week.
_NEW_MEMBER_WINDOW = timedelta(days=7)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?", re.DOTALL)
_VARIABLES = ("community", "group", "member_count", "date", "top_members", "new_members")
# Groups that hear no scheduled post: a spare waits in the pool, empty, until
# it opens (then every post for all groups reaches it from its next run).
_SILENT = frozenset({SPARE, "archived"})

Sendable = SendMessage | SendPoll | SendDirect


@dataclass(frozen=True, slots=True)
class Post:
    spec: PostSpec
    # "config" or "chat".
    source: str
    created_by: str | None = None

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True, slots=True)
class Delivery:
    """One post for one group (or one member) at one fire time."""

    post_id: str
    group_key: str
    fire_time: datetime
    action: Sendable
    pin: bool = False


@dataclass(frozen=True, slots=True)
class Content:
    text: str | None = None
    poll: PollSpec | None = None
    pin: bool = False


@dataclass(slots=True)
class _Progress:
    cursor: datetime
    fired: int = 0
    paused: bool = False
    # Not yet stored: written with the first claim, or at the next pass.
    stored: bool = True


@dataclass(slots=True)
class _Pass:
    """What one look at the clock found due, oldest fire time first."""

    items: list[tuple[datetime, Post]] = field(default_factory=list)


class Schedule:
    def __init__(self, s: Services, store: ScheduleStore) -> None:
        self.s = s
        self.store = store
        self.community = s.config.community.slug
        self._config_posts: dict[str, Post] = {}
        self._chat_posts: dict[str, Post] = {}
        self._progress: dict[str, _Progress] = {}

    # -- the set of posts ------------------------------------------------------

    async def start(self, now: datetime) -> None:
        """Load progress and the chat posts; config posts seen for the first
        time start counting from now (no back-fill)."""
        for row in await self.store.scheduled_posts(self.community):
            self._progress[row.id] = _Progress(row.cursor or now, row.fired, row.paused)
            if row.source == "chat" and row.cron and row.text:
                self._chat_posts[row.id] = Post(
                    PostSpec(
                        id=row.id,
                        cron=row.cron,
                        text=row.text,
                        groups=row.groups.split(",") if row.groups else None,
                    ),
                    "chat",
                    row.created_by,
                )
        self.reconfigure(self.s.config, now)
        await self._store_new()

    def reconfigure(self, config: Config, now: datetime) -> None:
        """Take the config's posts: added ones start now, removed ones stop,
        changed ones keep their place (a rotation goes on where it was)."""
        self._config_posts = {p.id: Post(p, "config") for p in config.schedule}
        for post_id in self._config_posts:
            if post_id not in self._progress:
                self._progress[post_id] = _Progress(now, stored=False)

    async def _store_new(self) -> None:
        for post_id, progress in self._progress.items():
            if not progress.stored and post_id in self._config_posts:
                await self.store.save_post(
                    ScheduledPostRecord(self.community, post_id, "config", progress.cursor)
                )
                progress.stored = True

    @property
    def posts(self) -> list[Post]:
        """Every post, config ones first (in file order)."""
        chat = sorted(self._chat_posts.values(), key=lambda p: _chat_number(p.id))
        return [*self._config_posts.values(), *chat]

    def get(self, post_id: str) -> Post | None:
        return self._config_posts.get(post_id) or self._chat_posts.get(post_id)

    def paused(self, post_id: str) -> bool:
        progress = self._progress.get(post_id)
        return progress is not None and progress.paused

    def _active(self) -> list[Post]:
        return [p for p in self.posts if p.spec.enabled and not self.paused(p.id)]

    def next_fire(self, post: Post, now: datetime) -> datetime | None:
        progress = self._progress.get(post.id)
        after = max(progress.cursor, now) if progress else now
        return post.spec.timing(self.s.config.community.timezone).next_after(after)

    def next_due(self, until: datetime) -> datetime | None:
        """The earliest fire time not yet handled, if it is not after `until`."""
        tz = self.s.config.community.timezone
        best: datetime | None = None
        for post in self._active():
            at = post.spec.timing(tz).next_after(self._progress[post.id].cursor)
            if at is not None and at <= until and (best is None or at < best):
                best = at
        return best

    # -- from chat -------------------------------------------------------------

    async def add(
        self, cron: str, text: str, groups: list[str] | None, by: str, now: datetime
    ) -> Post:
        """A post made from chat. Raises ValueError for a bad cron expression."""
        number = max((_chat_number(i) for i in self._chat_posts), default=0) + 1
        spec = PostSpec(id=f"c{number}", cron=cron, text=text, groups=groups)
        post = Post(spec, "chat", by)
        await self.store.save_post(
            ScheduledPostRecord(
                self.community,
                spec.id,
                "chat",
                cursor=now,
                cron=cron,
                text=text,
                groups=",".join(groups) if groups else None,
                created_by=by,
                created_at=now,
            )
        )
        self._chat_posts[spec.id] = post
        self._progress[spec.id] = _Progress(now)
        return post

    async def remove(self, post_id: str) -> bool:
        """Delete a post made from chat (config posts live in the file)."""
        if post_id not in self._chat_posts:
            return False
        await self.store.delete_post(self.community, post_id)
        del self._chat_posts[post_id]
        self._progress.pop(post_id, None)
        return True

    async def set_paused(self, post: Post, paused: bool, now: datetime) -> None:
        progress = self._progress.setdefault(post.id, _Progress(now, stored=False))
        if not progress.stored:
            await self.store.save_post(
                ScheduledPostRecord(self.community, post.id, post.source, progress.cursor)
            )
            progress.stored = True
        await self.store.save_post(
            ScheduledPostRecord(
                self.community,
                post.id,
                post.source,
                progress.cursor,
                paused=paused,
                cron=post.spec.cron if post.source == "chat" else None,
                text=post.spec.text if post.source == "chat" else None,
                groups=",".join(post.spec.groups)
                if post.source == "chat" and post.spec.groups
                else None,
                created_by=post.created_by,
            )
        )
        progress.paused = paused
        if not paused and progress.cursor < now:
            # What fell due while paused is skipped, not caught up.
            await self.store.claim_run(
                self.community, post.id, now, (), since=now, missed=True, at=now
            )
            progress.cursor = now

    async def run_now(self, post: Post, now: datetime) -> list[Action]:
        """`/schedule run`: post at once, as a run of its own (no pinning:
        the reply cannot wait for the message ids)."""
        return [d.action for d in await self._fire(post, now, now)]

    # -- due posts -------------------------------------------------------------

    async def due(self, now: datetime) -> list[Delivery]:
        """Claim every fire time up to now and return what to post."""
        await self._store_new()
        tz = self.s.config.community.timezone
        found = _Pass()
        for post in self._active():
            progress = self._progress[post.id]
            start = max(progress.cursor, now - post.spec.grace - _LOOK_BACK)
            # Fire times further back are past saving: look no further next time.
            progress.cursor = start
            timing = post.spec.timing(tz)
            for at in fire_times(timing, start, now, _CATCH_UP_CAP):
                found.items.append((at, post))
        found.items.sort(key=lambda item: item[0])
        out: list[Delivery] = []
        for at, post in found.items:
            out += await self._fire(post, at, now)
        return out

    async def _fire(self, post: Post, at: datetime, now: datetime) -> list[Delivery]:
        progress = self._progress[post.id]
        previous = progress.cursor
        missed = now - at > post.spec.grace
        targets = self._targets(post, at, previous)
        seq = await self.store.claim_run(
            self.community,
            post.id,
            at,
            list(targets),
            since=progress.cursor,
            missed=missed,
            at=now,
        )
        progress.cursor = max(progress.cursor, at)
        progress.stored = True
        if seq is None:
            return []
        if missed:
            log.warning("schedule %s: the run of %s was missed (bot down?)", post.id, at)
            return []
        progress.fired = seq + 1
        return [
            Delivery(post.id, key, at, action, pin)
            for key, (action, pin) in (await self._render(post, at, targets, seq)).items()
        ]

    async def delivered(self, d: Delivery, message_id: int | None) -> list[Action]:
        """Record the post as sent; a pinned one replaces the previous pin of
        its schedule in that group."""
        actions: list[Action] = []
        status = "sent"
        if d.pin and message_id is not None and not isinstance(d.action, SendDirect):
            chat = d.action.chat
            before = await self.store.last_pinned(
                self.community, d.post_id, d.group_key, d.fire_time
            )
            if before is not None:
                actions.append(UnpinMessage(chat, before))
            actions.append(PinMessage(chat, message_id))
            status = "pinned"
        await self.store.finish_run(
            self.community, d.post_id, d.group_key, d.fire_time, status, message_id
        )
        return actions

    async def failed(self, d: Delivery) -> None:
        await self.store.finish_run(
            self.community, d.post_id, d.group_key, d.fire_time, "failed", None
        )

    # -- targets and content -----------------------------------------------------

    def _groups(self, post: Post) -> list[GroupRecord]:
        log_chat = self.s.config.community.log_chat
        groups = [
            g
            for g in self.s.directory.groups.values()
            if g.state not in _SILENT and g.chat_key != log_chat
        ]
        wanted = post.spec.groups
        if wanted is None:
            return sorted(groups, key=lambda g: g.serial)
        names = set(wanted)
        return sorted(
            (g for g in groups if g.chat_key in names or g.title in names), key=lambda g: g.serial
        )

    def _targets(self, post: Post, at: datetime, previous: datetime) -> dict[str, Any]:
        """Run keys -> what they go to: a group, or for a nudge a member."""
        if post.spec.builtin == "inactive_nudge":
            days = timedelta(days=post.spec.days)
            return {f"dm:{m.key}": m for m in self._newly_inactive(previous - days, at - days)}
        if post.spec.builtin == "owner_digest":
            return {f"dm:{m.key}": m for m in self._owners()}
        return {g.chat_key: g for g in self._groups(post)}

    def _owners(self) -> list[MemberRecord]:
        d = self.s.directory
        owners = [d.members[k] for k in self.s.config.community.owners if k in d.members]
        owners += [m for m in d.members.values() if m.role == "owner" and m not in owners]
        return sorted(owners, key=lambda m: m.key)

    def _newly_inactive(self, since: datetime, until: datetime) -> list[MemberRecord]:
        """Members whose last message falls in (since, until]: silent for the
        full period since this run, and not nudged before for it."""
        return sorted(
            (
                m
                for m in self.s.directory.members.values()
                if m.last_seen is not None and since < m.last_seen <= until
            ),
            key=lambda m: m.key,
        )

    async def _render(
        self, post: Post, at: datetime, targets: dict[str, Any], seq: int
    ) -> dict[str, tuple[Sendable, bool]]:
        spec = post.spec
        locale = self.s.config.community.locale
        out: dict[str, tuple[Sendable, bool]] = {}
        if spec.builtin == "inactive_nudge":
            for key, member in targets.items():
                text = t(
                    self.s.locale_for(member),
                    "schedule.nudge",
                    name=display(member),
                    community=self.s.config.community.name,
                    days=spec.days,
                )
                out[key] = (SendDirect(user_of(member), text), False)
            return out
        if spec.builtin == "owner_digest":
            for key, owner in targets.items():
                loc = self.s.locale_for(owner)
                summary = await community_summary(self.s, loc, at, 7)
                if summary is not None:
                    text = t(loc, "schedule.owner_digest", summary=summary)
                    out[key] = (SendDirect(user_of(owner), text), False)
            return out
        content = self._content(post, seq)
        if content is None:
            return out
        for key, group in targets.items():
            chat = chat_of(group)
            if spec.builtin is not None:
                text = await self._builtin(spec, group, at, locale)
                out[key] = (SendMessage(chat, text, kind="schedule"), spec.pin)
            elif content.poll is not None:
                poll = content.poll
                question = self._fill(poll.question, group, at, spec)
                action = SendPoll(
                    chat, question, tuple(poll.options), poll.anonymous, poll.multiple
                )
                out[key] = (action, content.pin)
            elif content.text is not None:
                text = self._fill(content.text, group, at, spec)
                out[key] = (SendMessage(chat, text, kind="schedule"), content.pin)
        return out

    def _content(self, post: Post, seq: int) -> Content | None:
        spec = post.spec
        if spec.text is not None:
            return Content(text=spec.text, pin=spec.pin)
        if spec.texts is not None:
            return Content(text=pick(spec.texts, seq, spec.order, spec.id), pin=spec.pin)
        if spec.poll is not None:
            return Content(poll=spec.poll, pin=spec.pin)
        if spec.content_dir is not None:
            folder = self._folder(spec.content_dir)
            files = sorted(folder.glob("*.md")) if folder.is_dir() else []
            if not files:
                log.warning("schedule %s: no Markdown files in %s", spec.id, folder)
                return None
            return read_markdown(pick(files, seq, spec.order, spec.id), spec.pin)
        return Content(pin=spec.pin)

    def _folder(self, name: str) -> Path:
        path = Path(name)
        base = self.s.config_path.parent if self.s.config_path is not None else Path.cwd()
        return path if path.is_absolute() else base / path

    def _fill(self, text: str, group: GroupRecord, at: datetime, spec: PostSpec) -> str:
        if "{" not in text:
            return text
        values: dict[str, Callable[[], str]] = {
            "community": lambda: self.s.config.community.name,
            "group": lambda: group.title,
            "member_count": lambda: str(group.member_count),
            "date": lambda: self._local_date(at, spec).isoformat(),
            "top_members": lambda: self._top_names(spec.top),
            "new_members": lambda: self._new_names(at),
        }
        for name in _VARIABLES:
            token = "{" + name + "}"
            if token in text:
                text = text.replace(token, values[name]())
        return text

    def _local_date(self, at: datetime, spec: PostSpec) -> date:
        return at.astimezone(spec.zone(self.s.config.community.timezone)).date()

    def _top_names(self, n: int) -> str:
        board = self.s.points.top(n)
        members = self.s.directory.members
        names = [f"{display(members[k]) if k in members else k} ({points})" for k, points in board]
        return ", ".join(names) or t(self.s.config.community.locale, "schedule.nobody")

    def _new_names(self, at: datetime) -> str:
        since = at - _NEW_MEMBER_WINDOW
        newcomers = sorted(
            (
                m
                for m in self.s.directory.members.values()
                if m.joined_at is not None and since <= m.joined_at <= at
            ),
            key=lambda m: (m.joined_at or at, m.key),
        )
        names = [display(m) for m in newcomers]
        return ", ".join(names) or t(self.s.config.community.locale, "schedule.nobody")

    async def _builtin(self, spec: PostSpec, group: GroupRecord, at: datetime, loc: Locale) -> str:
        if spec.builtin == "leaderboard":
            board = self.s.points.top(spec.top)
            if not board:
                return t(loc, "top.empty")
            members = self.s.directory.members
            lines = [t(loc, "schedule.leaderboard", community=self.s.config.community.name)]
            for i, (key, points) in enumerate(board, 1):
                name = display(members[key]) if key in members else key
                lines.append(t(loc, "top.line", rank=i, name=name, points=points))
            return "\n".join(lines)
        totals = await self._week(group.chat_key, self._local_date(at, spec))
        return t(
            loc,
            "schedule.digest",
            group=group.title,
            messages=totals["messages"],
            joins=totals["joins"],
            leaves=totals["leaves"],
            checkins=totals["checkins"],
            top=self._top_names(spec.top),
            new=self._new_names(at),
        )

    async def _week(self, group_key: str, today: date) -> dict[str, int]:
        """The group's counters over the seven days up to today: stored days,
        with the ones still in memory taking precedence."""
        since = today - timedelta(days=6)
        days = {
            r.day: r
            for r in await self.s.store.daily_stats(self.community, since, today)
            if r.group_key == group_key
        }
        for n in range(7):
            day = since + timedelta(days=n)
            live = self.s.stats.get(group_key, day)
            if live is not None:
                days[day] = live
        names = ("messages", "joins", "leaves", "checkins")
        return {name: sum(getattr(r, name) for r in days.values()) for name in names}


def pick(items: list[Any], seq: int, order: str, key: str) -> Any:
    """The item for the `seq`-th run: in order, or shuffled without repeats
    (each item once per round, a new order each round, never the same item
    twice in a row across rounds). Deterministic: every process agrees."""
    n = len(items)
    if order == "in_order" or n == 1:
        return items[seq % n]
    cycle, index = divmod(seq, n)
    return items[_round(n, cycle, key)[index]]


def _shuffled(n: int, cycle: int, key: str) -> list[int]:
    order = list(range(n))
    random.Random(f"{key}:{cycle}").shuffle(order)
    return order


def _round(n: int, cycle: int, key: str) -> list[int]:
    if n == 2:
        # Two items can only alternate.
        return _shuffled(n, 0, key)
    order = _shuffled(n, cycle, key)
    # Swapping the first two leaves the last in place, so the previous
    # round's last item is its unswapped shuffle's.
    if cycle > 0 and order[0] == _shuffled(n, cycle - 1, key)[-1]:
        order[0], order[1] = order[1], order[0]
    return order


def read_markdown(path: Path, pin: bool) -> Content:
    """A post file: optional front matter (`title`, `pin`, `image`), then the body."""
    raw = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    m = _FRONT_MATTER.match(raw)
    if m:
        loaded = yaml.safe_load(m.group(1))
        meta = loaded if isinstance(loaded, dict) else {}
        raw = raw[m.end() :]
    parts = [str(meta["title"])] if meta.get("title") else []
    parts.append(raw.strip())
    if meta.get("image"):
        # Posts go out as text: the image travels as a link under it.
        parts.append(str(meta["image"]))
    return Content(text="\n\n".join(p for p in parts if p), pin=bool(meta.get("pin", pin)))


def _chat_number(post_id: str) -> int:
    return int(post_id[1:]) if post_id[1:].isdigit() else 0
