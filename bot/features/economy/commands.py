"""Chat commands of the points economy: the shop, events, referrals and the
moderators' `/points give|take`. They parse, call the services in
economy.py, and render through the catalogue."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.actions import Action, CreateInvite, SendDirect, SendMessage
from bot.core.arguments import Refused, ident, whole
from bot.core.commands import Context, Registry
from bot.core.directory import display, user_of
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.records import MemberRecord
from bot.features.economy.economy import Economy
from bot.features.economy.event_args import read_event_words
from bot.features.points.rewards import level_up_actions

commands: Registry[Economy] = Registry()

# Bounds a typo cannot pass: a moderator's extra zeros are refused, not paid.
MOST_POINTS = 1_000_000
MOST_SEATS = 100_000
# `/points take @name all`: the member's whole balance.
_ALL = ("all", "全部")
# Events are planned within a year; a date past it is a typo (and the year
# 9999 leaves no room to compute a reminder).
EVENT_HORIZON = timedelta(days=366)


def _log(ctx: Context, text: str) -> list[Action]:
    chat = ctx.kit.log_chat
    return [SendMessage(chat, text, kind="log")] if chat is not None else []


def _name(ctx: Context, member_key: str) -> str:
    m = ctx.kit.directory.members.get(member_key)
    return display(m) if m else member_key


# --- Shop ---------------------------------------------------------------


@commands.add("shop", "商城")
async def shop(ctx: Context, eco: Economy) -> list[Action]:
    items = eco.shop.items
    if not items:
        return [ctx.reply("shop.empty")]
    lines = [ctx.text("shop.header", balance=eco.points.balance(ctx.member.key))]
    for item in items:
        left = eco.shop.left(item)
        stock = ctx.text("shop.left", left=left) if left is not None else ""
        lines.append(ctx.text("shop.line", id=item.id, name=item.name, cost=item.cost, left=stock))
    lines.append(ctx.text("shop.footer"))
    return [ctx.say("\n".join(lines))]


@commands.add("redeem", "兑换")
async def redeem(ctx: Context, eco: Economy) -> list[Action]:
    if not ctx.event.args:
        return [ctx.reply("shop.redeem_usage")]
    item_id = ctx.event.args[0]
    done = await eco.shop.redeem(ctx.member.key, item_id, ctx.now)
    balance = eco.points.balance(ctx.member.key)
    item = done.item
    if done.refusal == "unknown" or item is None:
        ids = ", ".join(i.id for i in eco.shop.items) or "-"
        return [ctx.reply("shop.unknown", item=item_id, ids=ids)]
    if done.refusal == "sold_out":
        return [ctx.reply("shop.sold_out", name=item.name)]
    if done.refusal == "limit":
        return [ctx.reply("shop.limit", name=item.name, limit=item.per_member)]
    if done.refusal == "balance":
        cost = eco.shop.price(ctx.member.key, item.cost)
        return [ctx.reply("shop.balance", name=item.name, cost=cost, balance=balance)]
    r = done.redemption
    assert r is not None
    name = display(ctx.member)
    if item.effect is not None:
        return [ctx.reply(f"shop.effect.{item.effect}", name=name, cost=r.cost, balance=balance)]
    loc = ctx.kit.config.community.locale
    note = t(loc, "shop.log", id=r.id, name=name, item=item.name, cost=r.cost)
    return [
        ctx.reply("shop.redeemed", id=r.id, name=name, item=item.name, cost=r.cost,
                  balance=balance),
        *_log(ctx, note),
    ]  # fmt: skip


async def _resolve(ctx: Context, eco: Economy, *, fulfil: bool) -> list[Action]:
    if not ctx.event.args:
        return [ctx.reply("shop.resolve_usage", command=ctx.event.name)]
    rid = ident(ctx.event.args[0])
    r = await eco.shop.resolve(rid, ctx.member.key, ctx.now, fulfil=fulfil)
    if r is None:
        return [ctx.reply("shop.no_pending", id=rid)]
    item = eco.shop.item(r.item)
    values = {"id": r.id, "item": item.name if item else r.item, "name": _name(ctx, r.member_key)}
    if fulfil:
        return [ctx.reply("shop.fulfilled", **values)]
    return [ctx.reply("shop.rejected", cost=r.cost, **values)]


@commands.add("fulfill", "fulfil", staff=True)
async def fulfill(ctx: Context, eco: Economy) -> list[Action]:
    return await _resolve(ctx, eco, fulfil=True)


@commands.add("reject", staff=True)
async def reject(ctx: Context, eco: Economy) -> list[Action]:
    return await _resolve(ctx, eco, fulfil=False)


@commands.add("redemptions", staff=True)
async def redemptions(ctx: Context, eco: Economy) -> list[Action]:
    pending = eco.shop.pending()
    if not pending:
        return [ctx.reply("shop.none_pending")]
    lines = [ctx.text("shop.pending_header")]
    for r in pending:
        item = eco.shop.item(r.item)
        lines.append(
            ctx.text("shop.pending_line", id=r.id, name=_name(ctx, r.member_key),
                     item=item.name if item else r.item)
        )  # fmt: skip
    return [ctx.say("\n".join(lines))]


# --- Events ---------------------------------------------------------------


def _when(ctx: Context, day: str, clock: str) -> datetime | None:
    try:
        local = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return local.replace(tzinfo=ctx.kit.config.community.tz)


def _show_time(ctx: Context, at: datetime) -> str:
    return f"{at.astimezone(ctx.kit.config.community.tz):%Y-%m-%d %H:%M}"


@commands.add("event", "活动")
async def event(ctx: Context, eco: Economy) -> list[Action]:
    args = list(ctx.event.args)
    if not args or args[0] != "new":
        return await events(ctx, eco)
    if not ctx.is_staff:
        return [ctx.reply("mod.not_allowed", command="event new")]
    words = read_event_words(args[1:])
    starts = _when(ctx, words.day, words.clock)
    if starts is None:
        return [ctx.reply("event.bad_time", value=f"{words.day} {words.clock}")]
    if starts <= ctx.now:
        return [ctx.reply("event.in_past", time=_show_time(ctx, starts))]
    if starts > ctx.now + EVENT_HORIZON:
        last = _show_time(ctx, ctx.now + EVENT_HORIZON)
        raise Refused(
            "args.out_of_range",
            value=_show_time(ctx, starts),
            low=_show_time(ctx, ctx.now),
            high=last,
        )
    points = whole(words.points, 0, MOST_POINTS)
    capacity = None if words.capacity is None else whole(words.capacity, 1, MOST_SEATS)
    title = words.title
    group_key = ctx.group.chat_key if ctx.group else None
    e = await eco.gatherings.create(title, starts, points, capacity, ctx.member.key, group_key)
    when = _show_time(ctx, e.starts_at)
    code = ctx.text("event.code", id=e.id, title=e.title, code=e.code)
    return [
        ctx.reply("event.created", id=e.id, title=e.title, time=when, points=e.points),
        SendDirect(user_of(ctx.member), code, fallback_chat=None),
    ]


@commands.add("events", "活动列表")
async def events(ctx: Context, eco: Economy) -> list[Action]:
    g = eco.gatherings
    upcoming = g.upcoming(ctx.now)
    if not upcoming:
        return [ctx.reply("event.none")]
    lines = [ctx.text("event.header")]
    for e in upcoming:
        cap = ctx.text("event.capacity", capacity=e.capacity) if e.capacity is not None else ""
        lines.append(
            ctx.text("event.line", id=e.id, title=e.title, time=_show_time(ctx, e.starts_at),
                     points=e.points, going=g.going(e.id), capacity=cap)
        )  # fmt: skip
    lines.append(ctx.text("event.footer"))
    return [ctx.say("\n".join(lines))]


@commands.add("rsvp", "报名")
async def rsvp(ctx: Context, eco: Economy) -> list[Action]:
    if not ctx.event.args:
        return [ctx.reply("event.rsvp_usage")]
    eid = ident(ctx.event.args[0])
    g = eco.gatherings
    refusal = await g.rsvp(eid, ctx.member.key, ctx.now)
    if refusal is not None:
        return [ctx.reply(f"event.rsvp_{refusal}", id=eid)]
    e = g.events[eid]
    return [
        ctx.reply("event.rsvp_ok", name=display(ctx.member), id=eid, title=e.title,
                  time=_show_time(ctx, e.starts_at), going=g.going(eid))
    ]  # fmt: skip


@commands.add("attend", "签到码")
async def attend(ctx: Context, eco: Economy) -> list[Action]:
    if not ctx.event.args:
        return [ctx.reply("event.attend_usage")]
    done = await eco.gatherings.attend(ctx.event.args[0], ctx.member.key, ctx.now)
    e = done.event
    if done.refusal is not None or e is None:
        return [ctx.reply(f"event.attend_{done.refusal or 'unknown'}", code=ctx.event.args[0])]
    actions: list[Action] = [
        ctx.reply("event.attended", name=display(ctx.member), title=e.title, points=e.points,
                  balance=eco.points.balance(ctx.member.key))
    ]  # fmt: skip
    if done.level_up is not None:
        actions += level_up_actions(ctx.kit, ctx.member, ctx.event.chat, done.level_up)
    return actions


# --- Referrals ------------------------------------------------------------


@commands.add("invite", "邀请")
async def invite(ctx: Context, eco: Economy) -> list[Action]:
    if not ctx.kit.config.points.referrals.enabled:
        return [ctx.reply("invite.disabled")]
    chat: ChatRef | None = ctx.event.chat if ctx.group is not None else None
    if chat is None:
        # Asked privately: the member's platform's first open group.
        groups = sorted(
            (g for g in ctx.kit.directory.groups.values()
             if g.state == "open" and g.platform == ctx.member.platform),
            key=lambda g: g.serial,
        )  # fmt: skip
        if not groups:
            return [ctx.reply("invite.no_group")]
        chat = ChatRef.parse(groups[0].chat_key)
    cfg = ctx.kit.config.points.referrals
    return [
        CreateInvite(chat, for_user=user_of(ctx.member)),
        ctx.reply("invite.sent", name=display(ctx.member), points=cfg.points,
                  days=cfg.days.days, messages=cfg.messages),
    ]  # fmt: skip


@commands.add("invites", "邀请记录")
async def invites(ctx: Context, eco: Economy) -> list[Action]:
    mine = eco.referrals.of(ctx.member.key)
    if not mine:
        return [ctx.reply("invite.none")]
    cfg = ctx.kit.config.points.referrals
    lines = [ctx.text("invite.header")]
    for r in mine:
        invitee = ctx.kit.directory.members.get(r.invitee_key)
        posted = (invitee.message_count - r.base_messages) if invitee else 0
        days = (ctx.now - r.joined_at).days
        lines.append(
            ctx.text(f"invite.status_{r.status}", name=_name(ctx, r.invitee_key),
                     days=min(days, cfg.days.days), need_days=cfg.days.days,
                     messages=min(posted, cfg.messages), need_messages=cfg.messages)
        )  # fmt: skip
    earned = sum(1 for r in mine if r.status == "qualified") * cfg.points
    lines.append(ctx.text("invite.total", points=earned))
    return [ctx.say("\n".join(lines))]


# --- Administration -----------------------------------------------------


def _points_target(ctx: Context, args: list[str]) -> MemberRecord | None:
    reply = ctx.event.reply_to
    if ctx.event.target is not None:
        return ctx.kit.directory.member(ctx.event.target, ctx.now)
    if args and (args[0].startswith("@") or ":" in args[0]):
        return ctx.kit.directory.find(args.pop(0))
    if reply is not None and reply.sender is not None:
        return ctx.kit.directory.member(reply.sender, ctx.now)
    return None


@commands.add("points", "积分", staff=True)
async def points(ctx: Context, eco: Economy) -> list[Action]:
    args = list(ctx.event.args)
    if not args or args[0] not in ("give", "take"):
        return [ctx.reply("points.usage")]
    verb = args.pop(0)
    who = args[0] if args else ""
    member = _points_target(ctx, args)
    if member is None:
        if who.startswith("@"):
            return [ctx.reply("mod.unknown_member", who=who)]
        return [ctx.reply("points.usage")]
    if not args:
        return [ctx.reply("points.bad_amount", value="")]
    word = args.pop(0)
    has = eco.points.balance(member.key)
    if verb == "take" and has <= 0:
        return [ctx.reply("points.none_to_take", name=display(member), balance=has)]
    if verb == "take" and word.lower() in _ALL:
        word = str(has)
    amount = whole(word, 1, MOST_POINTS)
    if verb == "take" and amount > has:
        # A balance never goes below zero: the moderator hears what there is.
        return [ctx.reply("points.take_over", name=display(member), points=amount, balance=has)]
    why = " ".join(args)
    delta = amount if verb == "give" else -amount
    chat = ctx.event.chat.key
    # Keyed by the command message: a redelivered command changes nothing.
    key = f"{verb}:{chat}:{ctx.event.message_id}"
    reason = f"{verb} by {ctx.member.key}" + (f": {why}" if why else "")
    group_key = ctx.group.chat_key if ctx.group else None
    up = eco.points.award(member.key, delta, reason[:200], key, ctx.now, group_key)
    balance = eco.points.balance(member.key)
    suffix = ctx.text("mod.reason", reason=why) if why else ""
    name = display(member)
    if verb == "give":
        text = ctx.text("points.given", name=name, points=amount, balance=balance, reason=suffix)
        log = ctx.text("points.log_give", by=display(ctx.member), name=name, points=amount,
                       reason=suffix)  # fmt: skip
    else:
        text = ctx.text("points.taken", name=name, points=amount, balance=balance, reason=suffix)
        log = ctx.text("points.log_take", by=display(ctx.member), name=name, points=amount,
                       reason=suffix)  # fmt: skip
    actions: list[Action] = [ctx.say(text), *_log(ctx, log)]
    if up is not None:
        actions += level_up_actions(ctx.kit, member, ctx.event.chat, up)
    return actions
