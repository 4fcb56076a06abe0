"""The virtual server the Discord scenarios run in, and helpers to read it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import simcord

from adapters.app import App
from adapters.discord.client import GroupkeeperBot
from bot.core.i18n import t
from bot.features.points.feature import PointsFeature

CONFIG = Path(__file__).with_name("community.yaml")
EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"


@dataclass
class World:
    env: simcord.Env
    bot: GroupkeeperBot
    app: App
    guild: simcord.GuildHandle
    general: simcord.ChannelHandle
    modlog: simcord.ChannelHandle
    mods: simcord.RoleHandle
    mod: simcord.MemberActor
    alice: simcord.MemberActor
    bob: simcord.MemberActor

    def key(self, who: simcord.MemberActor) -> str:
        return f"discord:{who.id}"

    def balance(self, who: simcord.MemberActor) -> int:
        return self.app.engine.feature(PointsFeature).points.balance(self.key(who))

    def texts(self, channel: simcord.ChannelHandle) -> list[str]:
        return [m.content for m in channel.history()]


def en(key: str, **values: object) -> str:
    return t("en", key, **values)


def answers(result: simcord.InteractionResult) -> list[str]:
    """What the invoker saw: a deferred slash command answers in follow-ups."""
    shown = [result.response] if result.response is not None else []
    return [m.content for m in [*shown, *result.followups] if m.content]
