"""`SqlScheduleStore`: scheduled posts and their runs, on the bot's own database.

Schedule writes are rare (a few per fire time), so each is its own awaited
transaction rather than a trip through the write-behind batcher: a claim must
be decided before anything is posted.

Exactly once rests on two things in one transaction: a compare-and-set on the
post's cursor (`UPDATE ... WHERE cursor < fire_time`), which only one process
can win for a given fire time, and the runs' primary key (post, group, fire
time), which refuses a second row whatever happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import Table, and_, delete, or_, select, update

from bot.features.schedule.records import PostRunRecord, ScheduledPostRecord
from storage.engine_store import EngineStore, dialect_insert
from storage.models.base import Base
from storage.models.schedule import PostRun, ScheduledPost

_POSTS: Table = Base.metadata.tables[ScheduledPost.__tablename__]
_RUNS: Table = Base.metadata.tables[PostRun.__tablename__]
_POST_FIELDS = tuple(f.name for f in fields(ScheduledPostRecord))
_RUN_FIELDS = tuple(f.name for f in fields(PostRunRecord))
# What `save_post` may change on an existing row: never the progress.
_DEFINITION = ("source", "paused", "cron", "text", "groups", "created_by", "created_at")


class SqlScheduleStore(EngineStore):
    async def scheduled_posts(self, community: str) -> list[ScheduledPostRecord]:
        query = select(*(_POSTS.c[n] for n in _POST_FIELDS)).where(_POSTS.c.community == community)
        async with self._reading() as conn:
            rows = (await conn.execute(query.order_by(_POSTS.c.id))).all()
        return [ScheduledPostRecord(**row._mapping) for row in rows]

    async def save_post(self, post: ScheduledPostRecord) -> None:
        values = {n: getattr(post, n) for n in _POST_FIELDS}
        async with self._writing() as conn:
            stmt = dialect_insert(conn.dialect.name, _POSTS).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["community", "id"],
                set_={n: stmt.excluded[n] for n in _DEFINITION},
            )
            await conn.execute(stmt)

    async def delete_post(self, community: str, post_id: str) -> bool:
        async with self._writing() as conn:
            result = await conn.execute(
                delete(_POSTS).where(_POSTS.c.community == community, _POSTS.c.id == post_id)
            )
        return bool(result.rowcount)

    async def claim_run(
        self,
        community: str,
        post_id: str,
        fire_time: datetime,
        group_keys: Sequence[str],
        *,
        since: datetime,
        missed: bool,
        at: datetime,
    ) -> int | None:
        inc = 0 if missed else 1
        async with self._writing() as conn:
            await conn.execute(
                dialect_insert(conn.dialect.name, _POSTS)
                .values(
                    community=community,
                    id=post_id,
                    source="config",
                    cursor=since,
                    fired=0,
                    paused=False,
                )
                .on_conflict_do_nothing(index_elements=["community", "id"])
            )
            mine = and_(_POSTS.c.community == community, _POSTS.c.id == post_id)
            won = await conn.execute(
                update(_POSTS)
                .where(mine, or_(_POSTS.c.cursor.is_(None), _POSTS.c.cursor < fire_time))
                .values(cursor=fire_time, fired=_POSTS.c.fired + inc)
            )
            if won.rowcount != 1:
                return None
            fired = (await conn.execute(select(_POSTS.c.fired).where(mine))).scalar_one()
            status = "missed" if missed else "sending"
            if group_keys:
                await conn.execute(
                    dialect_insert(conn.dialect.name, _RUNS)
                    .values(
                        [
                            {
                                "community": community,
                                "post_id": post_id,
                                "group_key": key,
                                "fire_time": fire_time,
                                "status": status,
                                "message_id": None,
                                "at": at,
                            }
                            for key in group_keys
                        ]
                    )
                    .on_conflict_do_nothing()
                )
        return int(fired) - inc

    async def finish_run(
        self,
        community: str,
        post_id: str,
        group_key: str,
        fire_time: datetime,
        status: str,
        message_id: int | None,
    ) -> None:
        async with self._writing() as conn:
            await conn.execute(
                update(_RUNS)
                .where(
                    _RUNS.c.community == community,
                    _RUNS.c.post_id == post_id,
                    _RUNS.c.group_key == group_key,
                    _RUNS.c.fire_time == fire_time,
                )
                .values(status=status, message_id=message_id)
            )

    async def last_pinned(
        self, community: str, post_id: str, group_key: str, before: datetime
    ) -> int | None:
        query = (
            select(_RUNS.c.message_id)
            .where(
                _RUNS.c.community == community,
                _RUNS.c.post_id == post_id,
                _RUNS.c.group_key == group_key,
                _RUNS.c.fire_time < before,
                _RUNS.c.status == "pinned",
                _RUNS.c.message_id.is_not(None),
            )
            .order_by(_RUNS.c.fire_time.desc())
            .limit(1)
        )
        async with self._reading() as conn:
            value = (await conn.execute(query)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def post_runs(self, community: str, post_id: str | None = None) -> list[PostRunRecord]:
        query = select(*(_RUNS.c[n] for n in _RUN_FIELDS)).where(_RUNS.c.community == community)
        if post_id is not None:
            query = query.where(_RUNS.c.post_id == post_id)
        query = query.order_by(_RUNS.c.fire_time, _RUNS.c.post_id, _RUNS.c.group_key)
        async with self._reading() as conn:
            rows = (await conn.execute(query)).all()
        return [PostRunRecord(**row._mapping) for row in rows]
