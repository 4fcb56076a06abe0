"""The rule engine's view of a message, built once and shared by the rules
and the spam guard."""

from __future__ import annotations

from bot.core.feature import Seen
from bot.core.kit import Kit
from bot.features.points.points import Points
from rules.message import MessageView


class Views:
    def __init__(self, kit: Kit, points: Points) -> None:
        self.kit = kit
        # Rules may depend on a member's level.
        self.points = points

    def of(self, seen: Seen) -> MessageView:
        """The rule engine's view of the message, built once per message."""
        if seen.view is not None:
            return seen.view
        ev, member = seen.event, seen.member
        points = self.points
        level = points.level_of(member.key) if self.kit.rules.uses_level else 0
        joined = member.joined_at
        started = seen.group.created_at
        # The bot counted every message of theirs only if it was in the group
        # when they joined; a member who predates it has posted an unknown
        # number (0: treated as many), whatever the bot has seen so far.
        counted = joined is not None and (started is None or joined >= started)
        seen.view = view = MessageView(
            text=ev.text,
            group=seen.group.chat_key,
            sender=member.key,
            at=ev.at.timestamp(),
            role=seen.role,
            level=level,
            member_age=(ev.at - joined).total_seconds() if joined is not None else None,
            message_count=member.message_count if counted else 0,
            media=ev.media,
            forwarded=ev.forwarded,
            forward_origin=ev.forward_origin,
        )
        return view
