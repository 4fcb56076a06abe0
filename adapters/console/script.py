"""The console's line grammar (a public interface: README documents it).

alice: text            alice posts in the current group
[g2] alice: text       alice posts in group g2
alice > 12: text       alice replies to message #12
[dm] alice: text       alice writes to the bot privately
alice: [picture p.png] caption   alice posts a photo (a file) with a caption
/help                  a command with no name: the current member's (the last
                       to post or join; `you` before anyone)
+alice / +alice [g2]   alice joins;  -alice / -alice [g2]  alice leaves
+bob via alice         bob joins through alice's personal invite link (/invite)
!group g2              g2 becomes the current group
!mod alice / !owner alice / !member alice   give a role
!clock +1d | +90m | 2026-01-05 09:00        move the fake clock
!react bob 12 👍       bob reacts to #12
!vote bob 14 2         bob votes for option 2 of the bot's poll #14
!press mia Confirm #2  mia presses the latest button labelled "Confirm #2"
!pay ann               ann pays the latest invoice the bot sent her (checkout, then payment)
!checkout ann          ann only confirms it: the payment follows with her next !pay
!restart               flush, drop all in-memory state, reload from the database
!crash                 drop all in-memory state without flushing (a crash)
!rule {id: x, type: caps, dry_run: true}    add a rule (YAML), or replace the one with its id
# comment              ignored, as are blank lines
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from rules.durations import parse_duration


class ScriptError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Post:
    user: str
    text: str
    group: str | None = None
    reply_to: int | None = None
    private: bool = False


@dataclass(frozen=True, slots=True)
class Bare:
    """A command typed with no name, as the banner's `Type /help` invites."""

    text: str


@dataclass(frozen=True, slots=True)
class Join:
    user: str
    group: str | None = None
    # Whose personal invite link (from /invite) the join goes through.
    via: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    user: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class SetGroup:
    group: str


@dataclass(frozen=True, slots=True)
class SetRole:
    user: str
    role: str


@dataclass(frozen=True, slots=True)
class MoveClock:
    by_seconds: float | None = None
    to_local: datetime | None = None


@dataclass(frozen=True, slots=True)
class React:
    user: str
    message_id: int
    emoji: str


@dataclass(frozen=True, slots=True)
class Vote:
    """A member votes in one of the bot's polls (options counted from 1)."""

    user: str
    message_id: int
    option: int


@dataclass(frozen=True, slots=True)
class Press:
    """A member presses the latest of the bot's buttons with this label."""

    user: str
    label: str


@dataclass(frozen=True, slots=True)
class Pay:
    """A member pays the latest invoice the bot sent them; `checkout_only`:
    the platform asks the bot (the checkout) and the payment comes later."""

    user: str
    checkout_only: bool = False


@dataclass(frozen=True, slots=True)
class Restart:
    crash: bool = False


@dataclass(frozen=True, slots=True)
class SetRule:
    """A rule written as YAML, tried on the running bot (not saved)."""

    yaml: str


Line = (
    Post
    | Bare
    | Join
    | Leave
    | SetGroup
    | SetRole
    | MoveClock
    | React
    | Vote
    | Press
    | Pay
    | Restart
    | SetRule
)

_NAME = r"[^\s:>\[\]#!+\-][^\s:>\[\]]*"
_POST = re.compile(
    rf"^(?:\[(?P<group>[^\]\s]+)\]\s*)?(?P<user>{_NAME})\s*(?:>\s*#?(?P<reply>\d+)\s*)?:\s?(?P<text>.*)$"
)
_MEMBERSHIP = re.compile(
    rf"^(?P<sign>[+-])(?P<user>{_NAME})(?:\s+via\s+(?P<via>{_NAME}))?"
    r"(?:\s+\[(?P<group>[^\]\s]+)\])?$"
)
_ROLES = {"mod": "moderator", "moderator": "moderator", "owner": "owner", "member": "member"}


def parse_line(line: str) -> Line | None:
    """One script line -> what it does; None for blanks and comments."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    if line.startswith("!rule ") or line == "!rule":
        text = line[len("!rule") :].strip()
        if not text:
            raise ScriptError("!rule needs a rule: !rule {id: shout, type: caps}")
        return SetRule(text)
    if line.startswith("!"):
        return _directive(line[1:].split())
    if line.startswith("/"):
        return Bare(line)
    m = _MEMBERSHIP.match(line)
    if m:
        if m["sign"] == "+":
            return Join(m["user"], m["group"], m["via"])
        if m["via"]:
            raise ScriptError("`via` goes with joins: +bob via alice")
        return Leave(m["user"], m["group"])
    m = _POST.match(line)
    if m:
        group = m["group"]
        private = group == "dm"
        if private and m["reply"]:
            raise ScriptError("replies are only possible in groups")
        return Post(
            user=m["user"],
            text=m["text"],
            group=None if private else group,
            reply_to=int(m["reply"]) if m["reply"] else None,
            private=private,
        )
    raise ScriptError(
        f"cannot read {line!r}: expected 'name: text', '[group] name: text', "
        "'name > 12: text', '/command', '+name', '-name' or a !directive"
    )


# What each directive takes, said when it is given without it.
_USAGE = {
    "group": "!group g2",
    "clock": "!clock +1d | +90m | 2026-01-05 09:00",
    "react": "!react bob 12 👍",
    "press": "!press mia Confirm #2",
    "vote": "!vote bob 14 2",
    "pay": "!pay ann",
    "checkout": "!checkout ann",
    **dict.fromkeys(_ROLES, "!{head} alice (roles: !mod, !owner, !member)"),
}


def _directive(words: list[str]) -> Line:
    if not words:
        raise ScriptError("empty directive")
    head, args = words[0], words[1:]
    if head == "group" and len(args) == 1:
        return SetGroup(args[0])
    if head in _ROLES and len(args) == 1:
        return SetRole(args[0], _ROLES[head])
    if head == "clock" and args:
        return _clock(" ".join(args))
    if head == "react" and len(args) == 3 and args[1].lstrip("#").isdigit():
        return React(args[0], int(args[1].lstrip("#")), args[2])
    if head == "vote" and len(args) == 3 and args[1].lstrip("#").isdigit() and args[2].isdigit():
        return Vote(args[0], int(args[1].lstrip("#")), int(args[2]))
    if head == "press" and len(args) >= 2:
        return Press(args[0], " ".join(args[1:]))
    if head in ("pay", "checkout") and len(args) == 1:
        return Pay(args[0], checkout_only=head == "checkout")
    if head in ("restart", "crash") and not args:
        return Restart(crash=head == "crash")
    if head in _USAGE:
        raise ScriptError("usage: " + _USAGE[head].format(head=head))
    raise ScriptError(
        f"unknown directive !{' '.join(words)} (use !group, !mod, !owner, !member, "
        "!clock, !react, !vote, !press, !pay, !checkout, !restart, !crash, !rule)"
    )


def _clock(arg: str) -> MoveClock:
    if arg.startswith("+"):
        try:
            return MoveClock(by_seconds=parse_duration(arg[1:]).total_seconds())
        except ValueError as exc:
            raise ScriptError(f"!clock: {exc}") from None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return MoveClock(to_local=datetime.strptime(arg, fmt))
        except ValueError:
            continue
    raise ScriptError(f"!clock: cannot read {arg!r} (use +10m or 2026-01-05 09:00)")
