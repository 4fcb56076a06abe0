"""The community's groups a feature posts to."""

from __future__ import annotations

from bot.core.kit import Kit
from bot.core.records import OPEN, GroupRecord


def community_groups(kit: Kit, wanted: list[str] | None = None) -> list[GroupRecord]:
    """Open groups (the log chat aside), lowest serial first; with `wanted`,
    only those named by chat key or title."""
    log = kit.config.community.log_chat
    groups = sorted(
        (g for g in kit.directory.groups.values() if g.state == OPEN and g.chat_key != log),
        key=lambda g: (g.serial, g.chat_key),
    )
    if wanted is None:
        return groups
    names = {w.lower() for w in wanted}
    return [g for g in groups if g.chat_key.lower() in names or g.title.lower() in names]
