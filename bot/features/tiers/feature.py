"""Tiers: the member's tier in /me, `/tiers`, and the members-only groups (a
member below the group's tier who joins it is shown out, told why by DM)."""

from __future__ import annotations

from bot.config import Config
from bot.core.actions import Action, KickMember, SendDirect
from bot.core.commands import Context, Registry
from bot.core.directory import display, user_of
from bot.core.feature import PASS, Arrival, Base, Step
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.tiers.tiers import Standing, Tiers

commands: Registry[Tiers] = Registry()


def _privileges(ctx: Context, standing: Standing) -> str:
    names = standing.privileges.names()
    if not names:
        return ctx.text("tiers.privilege.none")
    parts = (ctx.text(f"tiers.privilege.{key}", **values) for key, values in names)
    return ctx.text("tiers.separator").join(parts)


@commands.add("tiers", "等级权益", menu=False)
async def tiers_(ctx: Context, tiers: Tiers) -> list[Action]:
    if not tiers.tiers:
        return [ctx.reply("tiers.none")]
    lines = [ctx.text("tiers.header")]
    for tier in tiers.tiers:
        standing = tiers.at(tier.level)
        lines.append(
            ctx.text("tiers.line", level=tier.level, name=tier.name,
                     privileges=_privileges(ctx, standing))
        )  # fmt: skip
    mine = tiers.of(ctx.member.key)
    if mine.tier is not None:
        lines.append(ctx.text("tiers.yours", name=mine.tier.name))
    return [ctx.say("\n".join(lines))]


async def me_lines(ctx: Context, tiers: Tiers) -> list[str]:
    """The member's tier, what it allows and what the next one brings."""
    if not tiers.tiers:
        return []
    mine = tiers.of(ctx.member.key)
    lines: list[str] = []
    if mine.tier is not None:
        lines.append(ctx.text("tiers.me", name=mine.tier.name, privileges=_privileges(ctx, mine)))
    nxt = mine.following
    if nxt is not None:
        brings = _privileges(ctx, tiers.at(nxt.level))
        lines.append(ctx.text("tiers.me_next", level=nxt.level, name=nxt.name, privileges=brings))
    return lines


class TiersFeature(Base):
    name = "tiers"

    def __init__(self, kit: Kit, tiers: Tiers) -> None:
        self.kit = kit
        self.tiers = tiers
        self.commands = commands.bind(tiers)

    def configure(self, config: Config) -> None:
        self.tiers.configure(config)

    async def me(self, ctx: Context) -> list[str]:
        return await me_lines(ctx, self.tiers)

    async def on_join(self, arrival: Arrival) -> Step:
        need = self.tiers.gates.get(arrival.group.chat_key)
        if need is None or arrival.role != "member" or arrival.event.member.is_bot:
            return PASS
        level = self.tiers.points.level_of(arrival.member.key)
        if level >= need:
            return PASS
        member, chat = arrival.member, arrival.event.chat
        loc = self.kit.locale_for(member)
        tier = self.tiers.at(need).tier
        text = t(loc, "tiers.members_only", name=display(member),
                 tier=tier.name if tier else "", level=need)  # fmt: skip
        user = user_of(member)
        actions: list[Action] = [
            KickMember(chat, user, rule="tiers"),
            SendDirect(user, text),
        ]
        return Step(actions, stop=True)
