"""What a scheduled post says and to whom: its groups (or the members a
nudge or digest goes to), its text, poll, Markdown file or built-in board,
with the `{variables}` filled in."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.config import Locale
from bot.config.schedule import PollSpec, PostSpec
from bot.core.actions import SendDirect, SendMessage, SendPoll
from bot.core.directory import chat_of, display, user_of
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import SPARE, GroupRecord, MemberRecord
from bot.features.analytics.analytics import Analytics
from bot.features.analytics.summary import community_summary
from bot.features.points.points import Points

log = logging.getLogger(__name__)

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
class Content:
    text: str | None = None
    poll: PollSpec | None = None
    pin: bool = False


# Another feature's part of the owners' digest (the week's feedback).
DigestPart = Callable[[Locale, datetime], Awaitable[str]]


def missing_content(posts: Sequence[PostSpec], base: Path) -> list[str]:
    """The posts whose `content_dir` holds no Markdown file, as check-config
    says them: at run time such a post is only a logged warning."""
    problems = []
    for i, spec in enumerate(posts, 1):
        if spec.content_dir is None:
            continue
        folder = Path(spec.content_dir)
        folder = folder if folder.is_absolute() else base / folder
        if not (folder.is_dir() and any(folder.glob("*.md"))):
            problems.append(f"schedule.{i}.content_dir: no Markdown files in {folder}")
    return problems


class Composer:
    def __init__(
        self,
        kit: Kit,
        points: Points,
        analytics: Analytics,
        base: Path,
        digest: Sequence[DigestPart] = (),
    ) -> None:
        self.kit = kit
        self.digest = tuple(digest)
        # Boards ({top_members}, the leaderboard) and the owners' digest.
        self.points = points
        self.analytics = analytics
        # Where relative `content_dir`s are found: beside the config file.
        self.base = base

    def groups(self, post: Post) -> list[GroupRecord]:
        groups = [g for g in self.kit.directory.groups.values() if g.state not in _SILENT]
        wanted = post.spec.groups
        if wanted is None:
            return sorted(groups, key=lambda g: g.serial)
        names = set(wanted)
        return sorted(
            (g for g in groups if g.chat_key in names or g.title in names), key=lambda g: g.serial
        )

    def targets(self, post: Post, at: datetime, previous: datetime) -> dict[str, Any]:
        """Run keys -> what they go to: a group, or for a nudge a member."""
        if post.spec.builtin == "inactive_nudge":
            days = timedelta(days=post.spec.days)
            return {f"dm:{m.key}": m for m in self._newly_inactive(previous - days, at - days)}
        if post.spec.builtin == "owner_digest":
            return {f"dm:{m.key}": m for m in self._owners()}
        return {g.chat_key: g for g in self.groups(post)}

    def _owners(self) -> list[MemberRecord]:
        d = self.kit.directory
        owners = [d.members[k] for k in self.kit.config.community.owners if k in d.members]
        owners += [m for m in d.members.values() if m.role == "owner" and m not in owners]
        return sorted(owners, key=lambda m: m.key)

    def _newly_inactive(self, since: datetime, until: datetime) -> list[MemberRecord]:
        """Members whose last message falls in (since, until]: silent for the
        full period since this run, and not nudged before for it."""
        return sorted(
            (
                m
                for m in self.kit.directory.members.values()
                if m.last_seen is not None and since < m.last_seen <= until
            ),
            key=lambda m: m.key,
        )

    async def render(
        self, post: Post, at: datetime, targets: dict[str, Any], seq: int
    ) -> dict[str, tuple[Sendable, bool]]:
        spec = post.spec
        locale = self.kit.config.community.locale
        out: dict[str, tuple[Sendable, bool]] = {}
        if spec.builtin == "inactive_nudge":
            for key, member in targets.items():
                text = t(
                    self.kit.locale_for(member),
                    "schedule.nudge",
                    name=display(member),
                    community=self.kit.config.community.name,
                    days=spec.days,
                )
                out[key] = (SendDirect(user_of(member), text), False)
            return out
        if spec.builtin == "owner_digest":
            for key, owner in targets.items():
                loc = self.kit.locale_for(owner)
                summary = await community_summary(self.kit, self.analytics, loc, at, 7)
                text = t(loc, "schedule.owner_digest", summary=summary)
                for part in self.digest:
                    text += "\n\n" + await part(loc, at)
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
        return path if path.is_absolute() else self.base / path

    def _fill(self, text: str, group: GroupRecord, at: datetime, spec: PostSpec) -> str:
        if "{" not in text:
            return text
        values: dict[str, Callable[[], str]] = {
            "community": lambda: self.kit.config.community.name,
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
        return at.astimezone(spec.zone(self.kit.config.community.timezone)).date()

    def _top_names(self, n: int) -> str:
        board = self.points.top(n)
        members = self.kit.directory.members
        names = [f"{display(members[k]) if k in members else k} ({points})" for k, points in board]
        return ", ".join(names) or t(self.kit.config.community.locale, "schedule.nobody")

    def _new_names(self, at: datetime) -> str:
        since = at - _NEW_MEMBER_WINDOW
        newcomers = sorted(
            (
                m
                for m in self.kit.directory.members.values()
                if m.joined_at is not None and since <= m.joined_at <= at
            ),
            key=lambda m: (m.joined_at or at, m.key),
        )
        names = [display(m) for m in newcomers]
        return ", ".join(names) or t(self.kit.config.community.locale, "schedule.nobody")

    async def _builtin(self, spec: PostSpec, group: GroupRecord, at: datetime, loc: Locale) -> str:
        if spec.builtin == "leaderboard":
            board = self.points.top(spec.top)
            if not board:
                return t(loc, "top.empty")
            members = self.kit.directory.members
            lines = [t(loc, "schedule.leaderboard", community=self.kit.config.community.name)]
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
            for r in await self.kit.store.daily_stats(self.kit.config.community.slug, since, today)
            if r.group_key == group_key
        }
        for n in range(7):
            day = since + timedelta(days=n)
            live = self.kit.stats.get(group_key, day)
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
