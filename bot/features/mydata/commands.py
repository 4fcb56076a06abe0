"""`/mydata` and `/forgetme`, in a private chat only: what is stored about a
member is nobody else's business."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import Action, SendFile
from bot.core.buttons import Button
from bot.core.commands import Context, Registry
from bot.features.mydata.service import MyData

commands: Registry[MyData] = Registry()

CONFIRM = ("confirm", "确认")


@commands.add("mydata", "我的数据", scope="private", menu=True)
async def mydata(ctx: Context, data: MyData) -> list[Action]:
    if not ctx.kit.config.mydata.enabled:
        return [ctx.reply("mydata.disabled")]
    if not ctx.event.chat.private:
        return [ctx.reply("mydata.private")]
    wait = data.export_wait(ctx.member.key, ctx.now)
    if wait:
        return [ctx.reply("mydata.too_soon", minutes=wait)]
    body = await data.export(ctx.member, ctx.now)
    slug = ctx.kit.config.community.slug
    name = f"mydata-{slug}-{ctx.now:%Y%m%d}.json"
    return [SendFile(ctx.event.sender, name, body, ctx.text("mydata.caption"))]


@commands.add("forgetme", "删除我的数据", scope="private", menu=True)
async def forgetme(ctx: Context, data: MyData) -> list[Action]:
    if not ctx.kit.config.mydata.enabled:
        return [ctx.reply("mydata.disabled")]
    if not ctx.event.chat.private:
        return [ctx.reply("mydata.private")]
    args = [a.lower() for a in ctx.event.args]
    key = ctx.member.key
    if args[:1] and args[0] in CONFIRM:
        until = data.asked.get(key)
        if until is None or until < ctx.now:
            data.asked.pop(key, None)
            return [ctx.reply("mydata.confirm_first")]
        erased, reasons, follow = await data.forget(ctx.member, ctx.now, ctx.locale)
        done = sum(erased.deleted.values()) + sum(erased.anonymised.values())
        lines = [ctx.text("mydata.erased", count=done), ctx.text("mydata.kept_head")]
        lines += [f"• {r}" for r in reasons]
        lines.append(ctx.text("mydata.after"))
        return [ctx.say("\n".join(lines)), *follow]
    within = ctx.kit.config.mydata.confirm_within
    data.asked[key] = ctx.now + within
    _, reasons = await data.kept(ctx.member, ctx.now, ctx.locale)
    minutes = max(1, int(within.total_seconds() // 60))
    lines = [ctx.text("mydata.ask", minutes=minutes), ctx.text("mydata.would_keep")]
    lines += [f"• {r}" for r in reasons]
    button = Button(ctx.text("mydata.button"), "forgetme", ("confirm",))
    return [replace(ctx.say("\n".join(lines)), buttons=(button,))]
