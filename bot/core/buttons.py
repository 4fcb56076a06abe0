"""Buttons under the bot's messages: pressing one is its command.

A button carries a command and its arguments (`gk:<command>[:<arg>...]`);
the platforms hand the data back on a press and the core issues the command
as the member who pressed, with the typed command's permissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Pressing a button is its command; this marks the data the bot's buttons carry.
BUTTON_PREFIX = "gk:"


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a message. Pressing it issues `command` with `args` as
    the member who pressed it, so it answers to the same permissions and
    replies as the typed command (`/resolve 3 confirm`, `/ack 7`)."""

    label: str
    command: str
    args: tuple[str, ...] = ()

    @property
    def data(self) -> str:
        """`gk:<command>[:<arg>...]`: what platforms carry back on a press
        (Telegram's callback data holds 64 bytes, Discord's custom id 100)."""
        return BUTTON_PREFIX + ":".join((self.command, *self.args))


def button_rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    """Buttons laid out in rows: those about one thing (a command and its
    first argument: Confirm #3 and Dismiss #3) share a row of their own, at
    most `width` to a row, so a row never mixes two flags."""
    rows: list[list[Button]] = []
    for b in buttons:
        last = rows[-1] if rows else []
        if last and len(last) < width and _subject(last[0]) == _subject(b):
            last.append(b)
        else:
            rows.append([b])
    return rows


def _subject(button: Button) -> tuple[str, tuple[str, ...]]:
    return button.command, button.args[:1]


def pressed(data: str | None) -> tuple[str, tuple[str, ...]] | None:
    """The command and arguments a pressed button's data stands for; None for
    data that is not one of the bot's buttons."""
    if not data or not data.startswith(BUTTON_PREFIX):
        return None
    name, *args = data[len(BUTTON_PREFIX) :].split(":")
    return (name, tuple(args)) if name else None
