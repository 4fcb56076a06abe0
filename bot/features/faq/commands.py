"""`/faq` for moderators: the entries, a question tried against them, and
the Send a suggestion's button presses (`/faq send ID ALERT`)."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.arguments import ident
from bot.core.commands import Context, Registry
from bot.features.faq.service import Faq

commands: Registry[Faq] = Registry()

_LISTED = 30


@commands.add("faq", "常见问题", staff=True, menu=False)
async def faq(ctx: Context, service: Faq) -> list[Action]:
    args = ctx.event.args
    if args[:1] == ("send",):
        return _send(ctx, service)
    if args:
        return _try(ctx, service, " ".join(args))
    lines = [ctx.text("faq.list_head", count=len(service.by_id))]
    for entry in list(service.by_id.values())[:_LISTED]:
        langs = "/".join(sorted(entry.answers))
        lines.append(
            ctx.text("faq.list_line", id=entry.id, count=len(entry.questions), langs=langs)
        )
    lines += [ctx.text("faq.problem", text=p) for p in service.problems]
    lines.append(ctx.text("faq.list_how"))
    return [ctx.say("\n".join(lines))]


def _try(ctx: Context, service: Faq, question: str) -> list[Action]:
    cfg = ctx.kit.config.faq
    found = service.matcher.best(question, 3, cfg.suggest_threshold)
    if not found:
        return [ctx.reply("faq.try_none")]
    lines = [ctx.text("faq.try_head", threshold=cfg.threshold)]
    for score, entry in found:
        key = "faq.try_answers" if score >= cfg.threshold else "faq.try_suggests"
        lines.append(ctx.text(key, id=entry.id, score=f"{score:.2f}"))
    return [ctx.say("\n".join(lines))]


def _send(ctx: Context, service: Faq) -> list[Action]:
    args = ctx.event.args
    if len(args) != 3:
        return [ctx.reply("faq.send_usage")]
    entry = service.by_id.get(args[1])
    alert_id = ident(args[2])
    asked = service.where(alert_id)
    if entry is None or asked is None:
        return [ctx.reply("faq.send_gone")]
    if (alert_id, entry.id) in service.sent:
        return [ctx.reply("faq.already_sent", id=entry.id)]
    service.sent.add((alert_id, entry.id))
    return [*service.send(entry, asked, ctx.now), ctx.reply("faq.sent", id=entry.id)]
