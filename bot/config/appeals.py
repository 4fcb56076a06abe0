"""`appeals:` how a sanctioned member asks the moderators to think again."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.config.base import Strict
from rules.schema import Duration


class AppealsConfig(Strict):
    enabled: bool = True
    # A case older than this can no longer be appealed.
    window: Duration = timedelta(days=30)
    # One appeal per member within this span, whatever the case: a member
    # cannot flood the moderators' review queue.
    every: Duration = timedelta(hours=1)
    # The shortest reason taken, in characters: "please" is no appeal.
    min_length: int = Field(default=10, ge=1, le=500)
    # Tell a member who is kicked or banned, privately and before the
    # sanction takes effect, how to appeal (on Discord the message must
    # leave while they still share the server with the bot). Off by
    # default: on Telegram the bot cannot write first to a member who never
    # started it, and each such try is reported to the log chat.
    notify: bool = False
    # Where a member banned from a Discord server appeals, since Discord
    # lets nobody message a bot they share no server with: a form (the
    # dashboard's, an owner's) or an invite to an appeals server the bot is
    # in. Told to them in the ban's private notice (`notify`).
    discord_link: str | None = None
