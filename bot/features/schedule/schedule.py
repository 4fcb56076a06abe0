"""Scheduled content: which posts are due, what they say, and that each goes
out once.

The schedule knows the posts (the config's `schedule:` list and the ones
moderators add from chat), works out fire times (`bot.config.timing`), and
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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.config import Config
from bot.config.schedule import PostSpec
from bot.config.timing import fire_times
from bot.core.actions import Action, PinMessage, SendDirect, UnpinMessage
from bot.core.kit import Kit
from bot.features.schedule.content import Composer, Post, Sendable
from bot.features.schedule.records import ScheduledPostRecord
from bot.features.schedule.store import ScheduleStore

log = logging.getLogger(__name__)

# Fire times a catch-up considers: missed ones further back than the grace
# period and this are neither sent nor recorded.
_LOOK_BACK = timedelta(days=2)
_CATCH_UP_CAP = 100


@dataclass(frozen=True, slots=True)
class Delivery:
    """One post for one group (or one member) at one fire time."""

    post_id: str
    group_key: str
    fire_time: datetime
    action: Sendable
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
    def __init__(self, kit: Kit, store: ScheduleStore, compose: Composer) -> None:
        self.kit = kit
        self.store = store
        self.compose = compose
        self.community = kit.config.community.slug
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
        self.reconfigure(self.kit.config, now)
        await self._store_new()

    def moved(self, old: str, new: str) -> None:
        """A group's chat moved (`ChatMoved`): the posts made in the chat for
        it go on there. Their stored rows follow with the move's batch
        (`storage.chat_move`); the config's posts follow the config, which
        the owners are told to edit."""
        for post_id, post in self._chat_posts.items():
            groups = post.spec.groups
            if groups and old in groups:
                keys = list(dict.fromkeys(new if k == old else k for k in groups))
                spec = post.spec.model_copy(update={"groups": keys})
                self._chat_posts[post_id] = replace(post, spec=spec)

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
        return post.spec.timing(self.kit.config.community.timezone).next_after(after)

    def next_due(self, until: datetime) -> datetime | None:
        """The earliest fire time not yet handled, if it is not after `until`."""
        tz = self.kit.config.community.timezone
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
        tz = self.kit.config.community.timezone
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
        targets = self.compose.targets(post, at, previous)
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
            for key, (action, pin) in (await self.compose.render(post, at, targets, seq)).items()
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


def _chat_number(post_id: str) -> int:
    return int(post_id[1:]) if post_id[1:].isdigit() else 0
