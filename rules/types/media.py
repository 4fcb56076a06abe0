"""`type: media`: photos, stickers, polls ... by kind."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate, term_list

MediaKind = Literal[
    "photo", "video", "animation", "document", "audio", "voice", "video_note", "sticker",
    "poll", "contact", "location", "venue", "dice", "game", "story",
]  # fmt: skip


class MediaRule(RuleBase):
    type: Literal["media"]
    # Kinds that fire the rule (every kind when neither list is given) ...
    deny: list[MediaKind] = Field(default_factory=list)
    # ... or the only kinds that do not.
    allow: list[MediaKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_list(self) -> Self:
        if self.deny and self.allow:
            raise ValueError("give deny or allow, not both")
        return self

    def describe(self, tr: Translate) -> str:
        if self.allow:
            return tr("rules.media_allow", kinds=term_list(tr, "kind", self.allow))
        if self.deny:
            return tr("rules.media_deny", kinds=term_list(tr, "kind", self.deny))
        return tr("rules.media")


def media_check(rule: MediaRule) -> Check:
    deny, allow = frozenset(rule.deny), frozenset(rule.allow)
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        kind = msg.media
        if kind is None or kind in allow or (deny and kind not in deny):
            return miss
        return hit(rule_id, "media", kind, kind=kind)

    return check
