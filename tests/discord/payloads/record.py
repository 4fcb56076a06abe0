"""Regenerate the recorded gateway payloads in this folder.

    .venv/bin/python tests/discord/payloads/record.py

They are recorded from simcord's in-memory Discord (no token, no network):
its serializers produce Discord-shaped JSON, and discord.py parses them in
the tests exactly as it parses the real gateway. A plain discord.py bot is
used so the recording does not depend on groupkeeper.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import discord
import simcord
from discord.ext import commands
from simcord.backend import serializers
from simcord.backend.models.message import MessageSticker

HERE = Path(__file__).resolve().parent


async def record() -> dict[str, Any]:
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = True
    bot = commands.Bot(command_prefix="!", intents=wanted)
    async with simcord.run(bot) as env:
        backend = env.backend
        guild = env.create_guild("Green Energy")
        await env.settle()
        general = guild.create_text_channel("general", topic="Say hi")
        mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
        alice = guild.add_member(env.create_user("alice", global_name="Alice"))
        mia = guild.add_member(env.create_user("mia"), roles=[mods])
        hook = guild.create_webhook(general, "News feed")
        sticker = guild.create_sticker("wave")
        await env.settle()

        plain = await alice.send(general, "hello everyone, glad to be here")
        await mia.send(general, f"!ban {alice.mention} 1d spam")
        await mia.send(general, f"welcome {alice.mention}!", reply_to=plain)
        await alice.send(general, "", attachments=[("photo.png", b"\x89PNG\r\n\x1a\n")])
        backend.create_message(
            general.id,
            alice.id,
            "",
            stickers=[MessageSticker(sticker.id, sticker.name, 1, guild.id)],
        )
        await env.settle()
        await alice.forward(plain, general)
        await hook.send("release 1.2 is out")
        await alice.react(plain, "👍")
        await alice.edit(plain, "hello everyone, glad to be here (edited)")

        channel = bot.get_channel(general.id)
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Button(label="Resolve", custom_id="gk:resolve:42"))
        with env.time_context():
            posted = await channel.send("Report #42", view=view)
        await env.settle()
        await mia.click(posted, custom_id="gk:resolve:42")

        events: dict[str, list[Any]] = {}
        for kind, name, payload in backend.transcript:
            if kind == "GATEWAY":
                events.setdefault(name, []).append(payload)
        return {
            "guild_create": serializers.guild_create_payload(backend, backend.get_guild(guild.id)),
            "bot_user": serializers.user_payload(backend.bot_user),
            "message_create": events["MESSAGE_CREATE"],
            "message_update": events["MESSAGE_UPDATE"],
            "message_reaction_add": events["MESSAGE_REACTION_ADD"],
            "interaction_create": events["INTERACTION_CREATE"],
        }


def main() -> None:
    recorded = asyncio.run(record())
    for name, payload in recorded.items():
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=str) + "\n")
        print("wrote", path.relative_to(HERE.parent.parent.parent))


if __name__ == "__main__":
    main()
