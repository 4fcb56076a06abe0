"""What every member can ask the bot."""

from __future__ import annotations

from bot.config import Locale, locale_of
from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.features.overflow.entry import EntryGate
from bot.features.overflow.entry_commands import JOIN_PREFIX, enter

commands: Registry[EntryGate] = Registry()


@commands.add("start", scope="private", menu=True)
async def start(ctx: Context, gate: EntryGate) -> list[Action]:
    payload = ctx.event.args[0] if ctx.event.args else ""
    if payload.startswith(JOIN_PREFIX):
        # The community's entry link: t.me/<bot>?start=join-<slug>.
        return await enter(ctx, gate, payload.removeprefix(JOIN_PREFIX))
    community = ctx.kit.config.community.name
    return [ctx.reply("start", name=ctx.member.name or display(ctx.member), community=community)]


# Each feature's part of /help, in the order members read it.
HELP_MEMBER = (
    "help.member",
    "help.economy",
    "help.community",
    "help.overflow",
    "help.risk",
    "help.appeals",
    "help.mydata",
)
HELP_STAFF = (
    "help.moderator",
    "help.purge_mod",
    "help.economy_mod",
    "help.risk_mod",
    "help.schedule_mod",
    "help.overflow_mod",
    "help.community_mod",
    "help.appeals_mod",
    "help.faq_mod",
    "help.fee_mod",
)


@commands.add("help", menu=True)
async def help_(ctx: Context, _gate: EntryGate) -> list[Action]:
    text = "\n".join(ctx.text(key) for key in HELP_MEMBER)
    if ctx.is_staff:
        text += "\n\n" + "\n".join(ctx.text(key) for key in HELP_STAFF)
    return [ctx.say(text)]


@commands.add("lang", "language", menu=True)
async def lang(ctx: Context, _gate: EntryGate) -> list[Action]:
    wanted = _language(ctx.event.args[0]) if ctx.event.args else None
    if wanted is None:
        return [ctx.reply("lang.usage")]
    ctx.member.language = wanted
    ctx.kit.directory.touch(ctx.member)
    ctx.locale = wanted
    return [ctx.reply("lang.set")]


# Languages named as members name them, in either language.
_NAMED: dict[str, Locale] = {
    "english": "en", "英文": "en", "英语": "en",
    "chinese": "zh", "中文": "zh", "简体中文": "zh", "汉语": "zh", "简体": "zh",
}  # fmt: skip


def _language(word: str) -> Locale | None:
    return locale_of(word) or _NAMED.get(word.lower())
