"""`/schedule list|add|remove|pause|resume|run` for moderators: parse, call
the schedule, render the reply."""

from __future__ import annotations

import re
from datetime import datetime

from bot.config.timing import CronError, parse_cron
from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.features.schedule.content import Post
from bot.features.schedule.schedule import Schedule
from rules.durations import format_duration

commands: Registry[Schedule] = Registry()

# The cron expression in straight or typographic quotes (phones and Chinese
# keyboards type “ ” and 「 」), then the text.
_ADD = re.compile(
    r"^\S+\s+add\s+[\"“”「『](?P<cron>[^\"“”」』]+)[\"“”」』]\s*(?P<text>.*)$",
    re.DOTALL | re.IGNORECASE,
)
_NEEDS_ID = ("remove", "pause", "resume", "run")


@commands.add("schedule", "sched", staff=True)
async def schedule(ctx: Context, sched: Schedule) -> list[Action]:
    args = ctx.event.args
    sub = args[0].lower() if args else ""
    if sub not in ("list", "add", *_NEEDS_ID):
        return [ctx.say(ctx.text("schedule.usage"))]
    if sub == "list":
        return [_list(ctx, sched)]
    if sub == "add":
        return [await _add(ctx, sched)]
    if len(args) < 2:
        return [ctx.reply("schedule.needs_id", sub=sub)]
    post_id = args[1]
    post = sched.get(post_id)
    if post is None:
        return [ctx.reply("schedule.unknown", id=post_id)]
    if sub == "remove":
        if post.source != "chat":
            return [ctx.reply("schedule.config_post", id=post.id)]
        await sched.remove(post.id)
        return [ctx.reply("schedule.removed", id=post.id)]
    if sub in ("pause", "resume"):
        await sched.set_paused(post, sub == "pause", ctx.now)
        if sub == "pause":
            return [ctx.reply("schedule.paused", id=post.id)]
        return [ctx.reply("schedule.resumed", id=post.id, next=_next(ctx, sched, post))]
    actions = await sched.run_now(post, ctx.now)
    if not actions:
        return [ctx.reply("schedule.ran_none", id=post.id)]
    return [*actions, ctx.reply("schedule.ran", id=post.id, count=len(actions))]


async def _add(ctx: Context, sched: Schedule) -> Action:
    m = _ADD.match(ctx.event.text.strip())
    if m is not None:
        cron, text = m["cron"].strip(), m["text"].strip()
    else:
        # Unquoted: the first five words are the cron fields.
        words = ctx.event.text.split(None, 7)[2:]
        if len(words) < 5:
            return ctx.reply("schedule.no_text")
        cron = " ".join(words[:5])
        text = words[5] if len(words) > 5 else ""
    try:
        parse_cron(cron)
    except CronError as exc:
        return ctx.reply("schedule.bad_cron", reason=_cron_reason(ctx, exc))
    if not text:
        return ctx.reply("schedule.no_text")
    groups = [ctx.group.chat_key] if ctx.group is not None else None
    post = await sched.add(cron, text, groups, ctx.member.key, ctx.now)
    return ctx.reply(
        "schedule.added",
        id=post.id,
        when=cron,
        where=_where(ctx, post),
        next=_next(ctx, sched, post),
    )


def _list(ctx: Context, sched: Schedule) -> Action:
    posts = sched.posts
    if not posts:
        return ctx.reply("schedule.empty")
    lines = [ctx.text("schedule.header")]
    for post in posts:
        paused = sched.paused(post.id) or not post.spec.enabled
        lines.append(
            ctx.text(
                "schedule.line",
                id=post.id,
                when=_when(ctx, post),
                what=_what(ctx, post),
                where=_where(ctx, post),
                state=ctx.text("schedule.paused_state" if paused else "schedule.active"),
                next=ctx.text("schedule.never") if paused else _next(ctx, sched, post),
            )
        )
    return ctx.say("\n".join(lines))


def _when(ctx: Context, post: Post) -> str:
    spec = post.spec
    if spec.cron is not None:
        return spec.cron
    if spec.every is not None:
        return ctx.text("schedule.every", every=format_duration(spec.every))
    at = spec.at.strftime("%Y-%m-%d %H:%M") if spec.at is not None else "?"
    return ctx.text("schedule.once", at=at)


def _what(ctx: Context, post: Post) -> str:
    spec = post.spec
    if spec.builtin is not None:
        return ctx.text(f"schedule.what.{spec.builtin}", days=spec.days)
    if spec.texts is not None:
        return ctx.text("schedule.what.texts", count=len(spec.texts))
    if spec.content_dir is not None:
        return ctx.text("schedule.what.content_dir", dir=spec.content_dir)
    if spec.poll is not None:
        return ctx.text("schedule.what.poll") + f" “{spec.poll.question}”"
    text = (spec.text or "").replace("\n", " ")
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _where(ctx: Context, post: Post) -> str:
    if post.spec.groups is None:
        return ctx.text("schedule.all_groups")
    groups = ctx.kit.directory.groups
    return ", ".join(groups[k].title if k in groups else k for k in post.spec.groups)


def _next(ctx: Context, sched: Schedule, post: Post) -> str:
    at = sched.next_fire(post, ctx.now)
    if at is None:
        return ctx.text("schedule.never")
    local: datetime = at.astimezone(post.spec.zone(ctx.kit.config.community.timezone))
    return f"{local:%Y-%m-%d %H:%M} ({local:%a})"


def _cron_reason(ctx: Context, exc: CronError) -> str:
    """Why a cron expression does not parse, in the reader's language."""
    values = dict(exc.values)
    if "field" in values:
        values["field"] = ctx.text(f"schedule.cron_field.{values['field']}")
    return ctx.text(f"schedule.cron.{exc.kind}", **values)
