"""Spam carried in pictures: when a member the config names posts a
picture, the platform side is asked to read its text (`ReadImage`, OCR off
the event loop, with a size cap and a time limit); the text comes back as
`ImageRead` and is checked with the caption by the same detector. The
message stays up meanwhile: reading takes a second or more, and the chat
must not wait for it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from bot.config.risk import OcrConfig
from bot.core.actions import ReadImage
from bot.core.events import ImageRead, MessagePosted
from bot.features.risk.spam.checks import SpamVerdict
from rules.checks import CheckResult
from rules.message import MessageView

# Pictures asked about and not answered yet (a platform that never answers
# must not make the table grow).
_PENDING = 2_000
# What a /why shows of the picture's text.
_SHOWN = 60


@dataclass(frozen=True, slots=True)
class Asked:
    event: MessagePosted
    view: MessageView
    newcomer: bool


def with_picture(caption: str, read: str) -> str:
    """The caption and the picture's text, as the detector and the case see them."""
    read = " ".join(read.split())
    return f"{caption}\n{read}".strip() if caption else read


class Pictures:
    def __init__(self) -> None:
        self.pending: OrderedDict[tuple[str, int], Asked] = OrderedDict()

    def ask(
        self, config: OcrConfig, ev: MessagePosted, view: MessageView, newcomer: bool | None
    ) -> ReadImage | None:
        """The request to read the picture of a message the detector let
        through, when its author is one whose pictures are read."""
        if not config.enabled or ev.image is None or ev.edited or view.role != "member":
            return None
        if newcomer is None and config.who != "everyone":
            return None
        if newcomer is False and config.who == "newcomers":
            return None
        key = (ev.chat.key, ev.message_id)
        self.pending[key] = Asked(ev, view, bool(newcomer))
        while len(self.pending) > _PENDING:
            self.pending.popitem(last=False)
        return ReadImage(
            ev.chat, ev.sender, ev.message_id, ev.image, config.max_bytes,
            config.timeout.total_seconds(), tuple(config.languages),
        )  # fmt: skip

    def answer(self, ev: ImageRead) -> tuple[Asked, MessageView, MessagePosted] | None:
        """The asked message, its view with the picture's text, and the
        event as the case will keep it; None when nothing was asked or
        nothing was read."""
        asked = self.pending.pop((ev.chat.key, ev.message_id), None)
        if asked is None or not ev.text.strip():
            return None
        text = with_picture(asked.event.text, ev.text)
        return asked, replace(asked.view, text=text), replace(asked.event, text=text)


def picture_result(read: str) -> CheckResult:
    """Told in /why after what fired: the text read in the picture."""
    read = " ".join(read.split())
    shown = read if len(read) <= _SHOWN else read[: _SHOWN - 1] + "…"
    return CheckResult(
        "picture", True, f"text in the picture {shown!r}", "spam_picture", (("text", shown),)
    )


def with_reason(verdict: SpamVerdict, read: str) -> SpamVerdict:
    return SpamVerdict((*verdict.hits, picture_result(read)))
