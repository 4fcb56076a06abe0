"""One Discord server run as the community: Discord events in, the engine's
decision, the gateway's calls out.

The client (`adapters.discord.client`) forwards each discord.py event here;
this class translates it, asks the engine, and hands the actions to the
outbox (`adapters.discord.delivery`), which sends them once the event's
effects are stored. Each event is named by what Discord identifies it with
(`origin`): the same event handled again holds its actions once. Nothing
here decides anything: that is the engine's job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import discord
from discord.ext import commands

from adapters.admins import AdminsUnknown, as_admin, community_chats, private_staff_command
from adapters.app import App
from adapters.discord import origins, translate
from adapters.discord.admins import GuildAdmins
from adapters.discord.delivery import Delivery
from adapters.discord.gateway import DiscordGateway, Failure, Origin
from adapters.discord.invites import InviteTracker
from adapters.discord.server import cohort_role, main_channel
from adapters.gateway import Forward
from adapters.removed import RemovedMessages
from bot.core.actions import Action, GrantRole
from bot.core.events import (
    BotMembershipChanged,
    ChatFound,
    ChatRef,
    CommandIssued,
    Event,
    MessagePosted,
    UserRef,
)
from bot.core.i18n import t

log = logging.getLogger(__name__)

# Posts an answer; the id of the message it became in the channel (None
# for one only its invoker sees).
Respond = Callable[[str], Awaitable[int | None]]


class DiscordCommunity:
    def __init__(self, client: commands.Bot, app: App, *, forward: Forward | None = None) -> None:
        self.client = client
        self.app = app
        self.gateway = DiscordGateway(
            client,
            lambda: app.engine.config,
            forward=forward,
            on_event=self._told,
        )
        self.delivery = Delivery(
            app.config.community.slug, self.gateway, app.engine.writes, app.store, app.clock
        )
        self.invites = InviteTracker()
        # Every command name (and alias) the core answers.
        self._known = frozenset(app.engine.commands())
        # The channels this process has shown the core (`found`).
        self._found: set[str] = set()
        self.removed = RemovedMessages()

    async def _told(self, event: Event) -> None:
        await self.handle(event)

    @property
    def prefix(self) -> str:
        return self.app.engine.config.platforms.discord.prefix

    @property
    def _locale(self) -> Any:
        return self.app.engine.config.community.locale

    def serves(self, guild: discord.Guild | None) -> bool:
        """One bot process runs one community: with `guild_id` configured,
        other servers the bot was invited to are ignored. DMs are served."""
        configured = self.app.engine.config.platforms.discord.guild_id
        return guild is None or configured is None or guild.id == configured

    async def _decide(self, event: Event) -> list[Action] | None:
        """The engine's actions for the event; None when the engine itself
        failed (logged): a bad event must not stop the bot."""
        private = private_staff_command(self.app.engine, event)
        if private is not None and await self._server_admin(private.sender):
            event = as_admin(private)
        try:
            actions = await self.app.engine.handle(event)
        except Exception:
            log.exception("the engine failed on %s", type(event).__name__)
            return None
        if actions:
            self.removed.note(actions)
        return actions

    async def _server_admin(self, sender: UserRef) -> bool:
        """Whether the sender of a private moderators' command may manage
        messages on the community's server, asked live as the dashboard asks
        (`GuildAdmins`); a server Discord cannot answer for counts as no."""
        engine = self.app.engine
        admins = GuildAdmins(self.client, lambda: engine.config.platforms.discord.guild_id)
        try:
            return await admins.administers(
                sender.user_id, community_chats(engine, translate.PLATFORM)
            )
        except AdminsUnknown as exc:
            log.warning("cannot tell whether %s moderates on Discord: %s", sender.key, exc)
            return False

    async def handle(self, event: Event, origin: str | None = None) -> None:
        """The event's actions, sent once its effects are stored. Without an
        origin (what Discord answered an action: a message's id, the bot's
        rights) the event is not Discord's own, and its actions go out as
        soon as they are made."""
        actions = await self._decide(event)
        if actions is None:
            return
        if origin is None:
            self.gateway.submit(actions)
        else:
            self.delivery.hold(actions, origin)

    async def command_done(self, event: Event, origin: str, answer: Origin) -> list[Failure] | None:
        """A command's actions, stored, then carried out with its answer in
        place; what failed, or None when the engine failed."""
        actions = await self._decide(event)
        if actions is None:
            return None
        return await self.delivery.answer(actions, origin, answer)

    async def found(self, channel: Any, chat: ChatRef, at: datetime) -> None:
        """Show the core a channel, named after it, the first time this
        process sees it (the core would otherwise title its group with the
        channel id, and the welcome would read "Welcome to 1234567890"). A
        channel beside the server's main one is said to be one: the core
        keeps it part of that group."""
        if chat.private or chat.key in self._found:
            return
        self._found.add(chat.key)
        guild = getattr(channel, "guild", None)
        home = main_channel(guild) if isinstance(guild, discord.Guild) else None
        side = home is not None and home.id != channel.id
        named = replace(chat, title=getattr(channel, "name", "") or "")
        await self.handle(ChatFound(named, at, side), origins.found(chat, at))

    # -- events -------------------------------------------------------------

    async def on_guild(self, guild: discord.Guild) -> None:
        """The bot joined (or reconnected to) a server: remember its invites
        for join attribution and register its home channel as the first group."""
        if not self.serves(guild):
            log.warning("guild %s (%s) is not the configured server; ignored", guild.id, guild.name)
            return
        await self.invites.snapshot(guild)
        home = main_channel(guild)
        if home is not None:
            await self.found(home, translate.chat_ref(home), discord.utils.utcnow())

    async def on_guild_removed(self, guild: discord.Guild) -> None:
        """The bot was kicked from the server (or left it; an outage is no
        removal): the core hears it as from Telegram, and the owners learn it
        where the log chat still reaches them."""
        if not self.serves(guild):
            return
        home = main_channel(guild) or next(iter(guild.text_channels), None)
        if home is None:
            return
        chat = replace(translate.chat_ref(home), title=guild.name)
        await self.handle(BotMembershipChanged(chat, discord.utils.utcnow(), removed=True))

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not translate.is_post(message) or not self.serves(message.guild):
            return
        prefix = self.prefix
        # The command prefix is the only way into discord.py's commands (the
        # bot answers no mention prefix): a message that does not start with
        # it is not one, and most messages are chat.
        if message.content.startswith(prefix):
            ctx: commands.Context[Any] = await self.client.get_context(message)
            if ctx.valid:
                await self.client.invoke(ctx)
                return
        event = translate.message_event(message, prefix=prefix, commands=self._known)
        await self.found(message.channel, event.chat, event.at)
        await self.handle(event, origins.message(message))

    async def on_edit(self, update: discord.RawMessageUpdateEvent) -> None:
        """Edits are re-checked by the rules. Updates without an edit time are
        Discord unfurling a link preview, and an unchanged cached text is no
        edit either."""
        message = update.message
        if (
            message.author.bot
            or not translate.is_post(message)
            or message.edited_at is None
            or not self.serves(message.guild)
        ):
            return
        if update.cached_message is not None and update.cached_message.content == message.content:
            return
        event = translate.message_event(
            message, prefix=self.prefix, commands=self._known, edited=True
        )
        # The core would run a message edited into "/command" as a command:
        # an edit must not issue (or repeat) one, so those are left alone;
        # nor is a message the bot is deleting already judged again.
        if (
            isinstance(event, MessagePosted)
            and not event.text.startswith("/")
            and not self.removed.has(event.chat, event.message_id)
        ):
            await self.handle(event, origins.edit(message))

    async def on_join(self, member: discord.Member) -> None:
        if not self.serves(member.guild):
            return
        # Every join is diffed, bots too, so the counts stay in step.
        code, channel_id = await self.invites.joined(member.guild)
        channel = member.guild.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel):
            channel = main_channel(member.guild)
        if channel is None:
            log.warning("no channel to welcome %s in", member.id)
            return
        at = member.joined_at or discord.utils.utcnow()
        chat = translate.chat_ref(channel)
        await self.found(channel, chat, at)
        origin = origins.join(member, at)
        cohort = cohort_role(channel)
        if cohort is not None and cohort not in member.roles:
            # Their invite leads into a cloned group: its role lets them see it.
            who = translate.user_ref(member)
            self.delivery.hold([GrantRole(chat, who, str(cohort.id))], f"{origin}:cohort")
        await self.handle(translate.member_joined(member, chat, at, code), origin)

    async def on_leave(self, event: discord.RawMemberRemoveEvent) -> None:
        guild = self.client.get_guild(event.guild_id)
        if guild is None or not self.serves(guild) or event.user.bot:
            return
        home = main_channel(guild)
        if home is not None:
            chat = translate.chat_ref(home)
            at = discord.utils.utcnow()
            await self.handle(translate.member_left(event.user, chat, at), origins.leave(event, at))

    async def on_reaction(self, event: discord.RawReactionActionEvent) -> None:
        guild = self.client.get_guild(event.guild_id) if event.guild_id else None
        if not self.serves(guild):
            return
        user = event.member or self.client.get_user(event.user_id)
        ev = translate.reaction_added(event, user, discord.utils.utcnow())
        if ev is not None:
            await self.handle(ev, origins.reaction(event))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons and selects the bot posted; slash commands are the command
        tree's. A click is a press: the core's answer to it is the clicker's
        ephemeral message."""
        event = translate.component_command(interaction, discord.utils.utcnow())
        if event is None or not self.serves(interaction.guild):
            return
        await self._privately(interaction, event)

    async def message_command(
        self, interaction: discord.Interaction, message: discord.Message, name: str
    ) -> None:
        """A message's context menu: the core's command `name` given in reply
        to the message, answered to the clicker alone (a reporter is never
        pointed out, and the menu is the discreet way for moderators too);
        what it does to the message and its author (deletion, timeout, ban,
        the log channel's alert) happens as for the command typed as a reply."""
        if not self.serves(interaction.guild):
            return
        event = translate.message_command(interaction, message, name, interaction.created_at)
        if event is None:
            return
        await self.found(interaction.channel, event.chat, event.at)
        await self._privately(interaction, event)

    async def _privately(self, interaction: discord.Interaction, event: CommandIssued) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)

        async def respond(text: str) -> None:
            # Shown to the clicker alone: no message of the channel's.
            await interaction.followup.send(text, ephemeral=True)

        await self._answer(event, origins.interaction(interaction), respond, interactive=True)

    async def command(
        self,
        ctx: commands.Context[Any],
        name: str,
        *,
        target: discord.abc.User | None = None,
        args: Sequence[str | None] = (),
    ) -> None:
        """A command defined on Discord (prefix or slash) issued to the core."""
        if not self.serves(ctx.guild):
            return
        interaction = ctx.interaction
        words = [a for a in args if a]
        if interaction is not None:
            # Discord wants an answer within 3 seconds; moderation calls and
            # rate limits can take longer.
            await interaction.response.defer(thinking=True)
            at = interaction.created_at
            sender = translate.user_ref(ctx.author, locale=str(interaction.locale))
            reply = None
            shown = target.mention if target is not None else ""
            text = " ".join(p for p in ("/" + name, shown, *words) if p)
        else:
            at = ctx.message.created_at
            sender = translate.user_ref(ctx.author)
            reply = translate.reply_ref(ctx.message)
            text = ctx.message.content
        chat = translate.chat_ref(ctx.channel)
        await self.found(ctx.channel, chat, at)
        event = translate.command_issued(
            chat=chat,
            sender=sender,
            message_id=ctx.message.id,
            name=name,
            args=words,
            at=at,
            target=translate.user_ref(target) if target is not None else None,
            reply=reply,
            text=text,
            in_chat=interaction is None,
        )

        async def respond(message: str) -> int | None:
            if interaction is not None:
                sent = await ctx.send(message)
            else:
                sent = await ctx.reply(message, mention_author=False)
            return sent.id

        origin = origins.interaction(interaction) if interaction else origins.message(ctx.message)
        await self._answer(event, origin, respond, interactive=interaction is not None)

    async def _answer(
        self, event: CommandIssued, origin: str, respond: Respond, *, interactive: bool
    ) -> None:
        answered = False

        async def tracked(text: str) -> int | None:
            nonlocal answered
            answered = True
            return await respond(text)

        answer = Origin(event.chat, event.message_id, tracked, event.press)
        failures = await self.command_done(event, origin, answer)
        try:
            said = None
            if failures is None:
                said = await tracked(t(self._locale, "discord.error"))
            elif failures:
                said = await tracked(t(self._locale, "discord.partial"))
            elif interactive and not answered:
                # A deferred interaction shows "thinking..." until answered.
                said = await tracked(t(self._locale, "discord.done"))
            if said is not None:
                await self.gateway.sent(event.chat, [said], "", discord.utils.utcnow())
        except discord.HTTPException as exc:
            log.warning("could not answer /%s: %s", event.name, exc.text)
