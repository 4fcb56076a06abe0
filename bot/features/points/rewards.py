"""What a level-up looks like: an announcement and, where levels carry a
platform role, the role swap."""

from __future__ import annotations

from bot.core.actions import Action, GrantRole, RevokeRole, SendMessage
from bot.core.directory import display, user_of
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import MemberRecord
from bot.features.points.outcomes import LevelUp


def level_up_actions(kit: Kit, member: MemberRecord, chat: ChatRef, up: LevelUp) -> list[Action]:
    """A level reached is announced; one lost (a removed message's points, a
    moderator's take) only swaps the role back."""
    actions: list[Action] = []
    if not up.down:
        text = t(
            kit.locale_for(member), "levelup", name=display(member), level=up.level, title=up.title
        )
        actions.append(SendMessage(chat, text, kind="levelup"))
    user = user_of(member)
    if up.previous_role and up.previous_role != up.role:
        actions.append(RevokeRole(chat, user, up.previous_role, f"level {up.level}"))
    if up.role:
        actions.append(GrantRole(chat, user, up.role, f"level {up.level}"))
    return actions
