"""Discord handlers that post, delete and pin messages and polls, and the
components and parts a message is sent in."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import discord

from adapters.discord.reach import Reach
from adapters.gateway import handles, split_text
from bot.core import actions as act
from bot.core.buttons import Button, button_rows
from bot.core.events import PollClosed
from bot.core.i18n import t

log = logging.getLogger(__name__)

# Discord's own limits.
MESSAGE_LIMIT = 2000
BULK_DELETE_LIMIT = 100
# A message holds five rows of five buttons.
MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
# Bulk deletes take messages younger than 14 days; a minute's margin keeps
# one from ageing past it between the check and the call.
BULK_DELETE_AGE = timedelta(days=14) - timedelta(minutes=1)
POLL_DURATION = timedelta(hours=24)
# Discord keeps a poll open for whole hours, at most 32 days.
MAX_POLL_DURATION = timedelta(hours=768)


class MessageCalls(Reach):
    @handles(act.SendMessage)
    async def _send(self, a: act.SendMessage) -> str | None:
        channel = await self._channel(a.chat)
        reference = (
            discord.MessageReference(
                message_id=a.reply_to, channel_id=channel.id, fail_if_not_exists=False
            )
            if a.reply_to
            else None
        )
        # Log lines name members by mention; moderators should not be pinged
        # for every case, nor members for every notice that names them.
        mentions = (
            discord.AllowedMentions.none()
            if a.kind == "log"
            else discord.AllowedMentions(
                everyone=False, roles=False, users=True, replied_user=False
            )
        )
        chunks = _chunks(a.text)
        parts: list[discord.Message] = []
        for n, chunk in enumerate(chunks, 1):
            extra: dict[str, Any] = {"allowed_mentions": mentions}
            if reference is not None:
                extra["reference"] = reference
                reference = None
            if n == len(chunks) and a.buttons:
                extra["view"] = _buttons(a.buttons)
            parts.append(await channel.send(chunk, **extra))
        # Told before the pin: a pin Discord refuses leaves the message sent.
        await self.sent(a.chat, [m.id for m in parts], a.ref, discord.utils.utcnow())
        if a.pin and parts:
            await parts[0].pin(reason=self._audit())
        return None

    @handles(act.SendDirect)
    async def _direct(self, a: act.SendDirect) -> str | None:
        uid = int(a.user.user_id)
        user = self.client.get_user(uid) or await self.client.fetch_user(uid)
        try:
            chunks = _chunks(a.text)
            for n, chunk in enumerate(chunks, 1):
                if n == len(chunks) and a.buttons:
                    await user.send(chunk, view=_buttons(a.buttons))
                else:
                    await user.send(chunk)
        except discord.Forbidden:
            # Members who close DMs from server members still get the text.
            if a.fallback_chat is None:
                raise
            text = t(self._locale, "discord.dm_fallback", mention=f"<@{uid}>", text=a.text)
            await self._send(act.SendMessage(a.fallback_chat, text, buttons=a.buttons))
        return None

    @handles(act.SendFile)
    async def _file(self, a: act.SendFile) -> str | None:
        uid = int(a.user.user_id)
        user = self.client.get_user(uid) or await self.client.fetch_user(uid)
        attached = discord.File(io.BytesIO(a.data), filename=a.filename)
        await user.send(a.caption[:MESSAGE_LIMIT] or None, file=attached)
        return None

    @handles(act.DeleteMessage)
    async def _delete(self, a: act.DeleteMessage) -> str | None:
        """Messages younger than Discord's 14 days go in bulk deletes of up
        to 100; older ones (and a bulk delete Discord refuses) one by one. A
        message already gone is skipped; a refusal does not stop the rest,
        and the first is raised once all were tried."""
        channel = await self._channel(a.chat)
        reason = self._audit(a.case_id, a.rule)
        ids = [*a.message_ids, *await _listed(channel, a)]
        bulk, single = _by_age(ids, discord.utils.utcnow())
        if len(bulk) < 2 or not hasattr(channel, "delete_messages"):
            bulk, single = [], [*bulk, *single]
        failed: discord.HTTPException | None = None
        for start in range(0, len(bulk), BULK_DELETE_LIMIT):
            batch = bulk[start : start + BULK_DELETE_LIMIT]
            try:
                await channel.delete_messages([discord.Object(i) for i in batch], reason=reason)
            except discord.HTTPException as exc:
                if exc.status != 400:
                    failed = failed or exc
                    continue
                # Refused whole (a message turned 14 days old on the way).
                single += batch
        failed = await self._delete_each(channel, single) or failed
        if failed is not None:
            raise failed
        return None

    @staticmethod
    async def _delete_each(channel: Any, ids: Sequence[int]) -> discord.HTTPException | None:
        """Each message on its own; the first refusal is returned."""
        failed: discord.HTTPException | None = None
        for mid in ids:
            try:
                await channel.get_partial_message(mid).delete()
            except discord.NotFound:
                continue
            except discord.HTTPException as exc:
                failed = failed or exc
        return failed

    @handles(act.PinMessage)
    async def _pin(self, a: act.PinMessage) -> str | None:
        channel = await self._channel(a.chat)
        await channel.get_partial_message(a.message_id).pin(reason=self._audit())
        return None

    @handles(act.UnpinMessage)
    async def _unpin(self, a: act.UnpinMessage) -> str | None:
        channel = await self._channel(a.chat)
        await channel.get_partial_message(a.message_id).unpin(reason=self._audit())
        return None

    @handles(act.SendPhoto, op="send")
    async def _photo(self, a: act.SendPhoto) -> str | None:
        channel = await self._channel(a.chat)
        extra: dict[str, Any] = {}
        if a.reply_to:
            extra["reference"] = discord.MessageReference(
                message_id=a.reply_to, channel_id=channel.id, fail_if_not_exists=False
            )
        chart = discord.File(io.BytesIO(a.png), filename="chart.png")
        sent = await channel.send(
            content=a.caption[:MESSAGE_LIMIT] or None,
            file=chart,
            allowed_mentions=discord.AllowedMentions.none(),
            **extra,
        )
        await self.sent(a.chat, [sent.id], "", discord.utils.utcnow())
        return None

    @handles(act.SendPoll)
    async def _poll(self, a: act.SendPoll) -> str | None:
        channel = await self._channel(a.chat)
        duration = POLL_DURATION
        if a.closes is not None:
            # Whole hours, rounded up: Discord's own end never comes first.
            left = a.closes - discord.utils.utcnow()
            hours = -(-int(left.total_seconds()) // 3600)
            duration = min(timedelta(hours=max(1, hours)), MAX_POLL_DURATION)
        poll = discord.Poll(a.question, duration, multiple=a.multiple)
        for option in a.options:
            poll.add_answer(text=option)
        if a.anonymous:
            log.info("Discord polls show who voted; poll %r is not anonymous", a.question)
        sent = await channel.send(poll=poll)
        await self.sent(a.chat, [sent.id], a.ref, discord.utils.utcnow())
        return None

    @handles(act.ClosePoll)
    async def _close_poll(self, a: act.ClosePoll) -> str | None:
        """End the poll now and tell its final counts. Discord counts votes,
        not voters: for a single-choice poll (the core's) they are the same."""
        channel = await self._channel(a.chat)
        message = await channel.fetch_message(a.message_id)
        poll = message.poll
        if poll is None:
            return "not a poll"
        if not poll.is_finalised():
            message = await message.end_poll()
            poll = message.poll or poll
        counts = tuple(answer.vote_count for answer in poll.answers)
        now = discord.utils.utcnow()
        await self.tell(PollClosed(a.chat, a.message_id, a.ref, counts, sum(counts), now))
        return None


def _buttons(buttons: Sequence[Button]) -> discord.ui.View:
    """The buttons as message component rows, a row for each thing they are
    about (discord.py lays them out itself past Discord's five rows). The
    view is stopped before it is sent so discord.py does not keep it: a press
    reaches the community's `on_interaction` by its `gk:` custom id, after a
    restart as well."""
    view = discord.ui.View(timeout=None)
    rows = button_rows(buttons, MAX_BUTTONS_PER_ROW)
    for n, row in enumerate(rows):
        for b in row:
            place = n if len(rows) <= MAX_ROWS else None
            view.add_item(discord.ui.Button(label=b.label[:80], custom_id=b.data, row=place))
    view.stop()
    return view


def _chunks(text: str) -> list[str]:
    """Discord refuses messages over 2000 characters; long replies (a full
    leaderboard, the help) go out in parts."""
    return split_text(text, MESSAGE_LIMIT)


async def _listed(channel: Any, a: act.DeleteMessage) -> list[int]:
    """The messages a purge asks for beyond the ids it knows (`older`: how
    many, and the id they come before): the channel's newest before it, as
    Discord lists them."""
    if len(a.older) != 2 or not a.older[0] or not hasattr(channel, "history"):
        return []
    count, before_id = a.older
    known = set(a.message_ids)
    before = discord.Object(before_id) if before_id else None
    try:
        listed = [m.id async for m in channel.history(limit=count, before=before)]
    except discord.HTTPException as exc:
        # The ids the core knows still go.
        log.warning("could not list %s's messages to purge: %s", channel, exc)
        return []
    return [mid for mid in listed if mid not in known]


def _by_age(ids: Sequence[int], now: datetime) -> tuple[list[int], list[int]]:
    """Ids young enough for a bulk delete, and the rest; a snowflake carries
    the time its message was sent."""
    oldest = now - BULK_DELETE_AGE
    young = [i for i in ids if discord.utils.snowflake_time(i) > oldest]
    return young, [i for i in ids if discord.utils.snowflake_time(i) <= oldest]
