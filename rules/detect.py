"""What a message contains, found once and shared by every rule that asks:
links (and which of them are invites or shorteners), @handles, mentions,
phone numbers, emoji, capital letters.

The finders work on the folded text (`rules.normalize.fold`), so full-width
and look-alike forms are already plain ASCII; emoji and capitals are counted
on the original text, where they still are.
"""

from __future__ import annotations

import re

_TLDS = (
    "com|net|org|io|me|cn|ru|xyz|top|info|biz|co|ly|gg|app|dev|link|click|site|online|"
    "shop|store|live|vip|club|tk|ml|ga|cf|pw|cc|tv|ai|us|uk|de|fr|jp|kr|in|hk|tw|sg|"
    "to|su|ws|icu|fun|win|bet|cash|money|loan|finance|pro|one|today|work|xin|ink|ltd|"
    "id|gy|gd|is|so|im|nu|at|be|nl|es|ca|au|br|vn|th|ph|my|tr|pl|ua|kz|eu|asia|mobi|"
    "tech|space|website|cloud|email|news|video|games|chat|group|team|world|network|"
    "run|page|host|sbs|cfd|lol|bio|wtf|ink|art|mx|ar|cl|za|ng|ke|ae|sa|ir|pk|bd"
)
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'\u3000-\u9fff\uff00-\uffef]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})\b"
    r"(?:/[^\s<>\"'\u3000-\u9fff\uff00-\uffef]*)?",
)
# A dot, a slash or "www" is in every link the pattern above finds; most
# messages have none of them next to a letter, and skip the pattern.
_LINK_HINT = re.compile(r"[a-z0-9]\.[a-z]|://")
# Dots written so that link filters miss them: example[.]com, example(dot)com,
# example。com. Only between letters or digits, so Chinese sentences stay.
_HIDDEN_DOT = re.compile(
    r"(?<=[a-z0-9])\s*(?:[\[\(\{（【]\s*(?:\.|dot|点)\s*[\]\)\}）】]|。)\s*(?=[a-z0-9])"
)
_HIDDEN_HINT = re.compile(r"[a-z0-9]\s*(?:[\[\(\{（【。]|dot|点)")
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/:?#\s]+)")
_INVITE = re.compile(
    r"(?:t\.me|telegram\.(?:me|dog))/(?:\+|joinchat/)|discord(?:\.gg|(?:app)?\.com/invite)/"
)

# Services that hide where a link goes.
SHORTENERS = frozenset(
    {
        "bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly",
        "t.ly", "cutt.ly", "rebrand.ly", "rb.gy", "s.id", "shorturl.at", "tiny.cc", "short.io",
        "bl.ink", "lnkd.in", "t.co", "dwz.cn", "url.cn", "t.cn", "suo.im", "mrw.so", "985.so",
        "u.nu", "clck.ru", "qr.net", "shorte.st", "adf.ly", "ouo.io", "bc.vc", "soo.gd", "tr.im",
        "x.co", "tiny.one", "shorturl.ac", "gg.gg", "0rz.tw", "reurl.cc", "lihi.cc",
    }
)  # fmt: skip


def find_links(folded: str) -> tuple[str, ...]:
    # Cheap C-level scans rule out most messages before any pattern runs.
    # First one-character ones (`"dot" in folded` costs as much as all of
    # them): a link needs a dot or "://"; a written "dot" or 点 becomes one
    # only between brackets or beside 。 (`_HIDDEN_DOT`).
    if not (
        "." in folded
        or ":" in folded
        or "(" in folded
        or "[" in folded
        or "{" in folded
        or "【" in folded
        or "。" in folded
        or "（" in folded
    ):
        return ()
    if not (
        "." in folded
        or "。" in folded
        or "(" in folded
        or "[" in folded
        or "dot" in folded
        or "点" in folded
    ):
        return ()
    if _HIDDEN_HINT.search(folded):
        folded = _HIDDEN_DOT.sub(".", folded)
    if not _LINK_HINT.search(folded):
        return ()
    return tuple(m.group() for m in _LINK.finditer(folded))


def host_of(link: str) -> str:
    m = _HOST.match(link)
    return m.group(1).rstrip(".") if m else link


def within(host: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    """`host` is one of `domains` or a subdomain of one."""
    if host in domains:
        return True
    dot = host.find(".")
    while dot != -1:
        if host[dot + 1 :] in domains:
            return True
        dot = host.find(".", dot + 1)
    return False


def is_invite(link: str) -> bool:
    return _INVITE.search(link) is not None


def is_shortener(host: str) -> bool:
    return host in SHORTENERS


# Telegram usernames have 5-32 characters, Discord's 2-32; @ab is too short
# to be an advertisement and too common in chat to be worth flagging.
_HANDLE = re.compile(r"(?<![\w@.])@([a-z][a-z0-9_]{3,31})(?![\w@])")
_DISCORD_MENTION = re.compile(r"<@[!&]?\d+>|@everyone|@here")


def find_handles(folded: str) -> tuple[str, ...]:
    if "@" not in folded:
        return ()
    return tuple(_HANDLE.findall(folded))


def count_mentions(folded: str) -> int:
    if "@" not in folded:
        return 0
    return len(_HANDLE.findall(folded)) + len(_DISCORD_MENTION.findall(folded))


_PHONE = re.compile(
    # Chinese mobile numbers, spaces or dashes allowed between digits.
    r"(?<![\d+])1[3-9]\d(?:[\s-]?\d){8}(?!\d)"
    # International numbers written with their country code.
    r"|(?<![\w+])\+\d(?:[\s().-]{0,2}\d){6,14}(?!\d)"
    # North American style: (555) 123-4567, 555.123.4567.
    r"|(?<!\d)\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)"
)
_DIGIT_RUN = re.compile(r"[0-9]+")


def digit_shapes(folded: str) -> frozenset[str]:
    return frozenset(f"#n{min(len(run), 8)}" for run in _DIGIT_RUN.findall(folded))


_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6}")
_NOT_ASCII_DIGIT = bytes(b for b in range(128) if not 48 <= b <= 57)


def find_phones(folded: str, *, plain: bool = False) -> tuple[str, ...]:
    """Phone numbers in a folded text. A `plain` text's
    (`rules.normalize.is_plain`) only digits are ASCII ones."""
    # Fewer than seven digits in all (most texts), told in C for ASCII or
    # plain text; `\d` looks every character's category up.
    if (plain or folded.isascii()) and len(
        folded.encode("ascii", "ignore").translate(None, _NOT_ASCII_DIGIT)
    ) < 7:
        return ()
    if not _SEVEN_DIGITS.search(folded):
        return ()
    return tuple(m.group() for m in _PHONE.finditer(folded))


_EMOJI_CHARS = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u231a-\u23ff\u3030\u303d\u3297\u3299"
)
_EMOJI = re.compile(
    r"[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    rf"|[{_EMOJI_CHARS}][\ufe0f\U0001f3fb-\U0001f3ff]?"
    rf"(?:\u200d[{_EMOJI_CHARS}][\ufe0f\U0001f3fb-\U0001f3ff]?)*"
    r"|<a?:\w+:\d+>"  # Discord custom emoji
)


_EMOJI_HINT = re.compile(f"[{_EMOJI_CHARS}]")


def count_emoji(text: str, *, plain: bool = False) -> int:
    """Emoji as people see them: a family or a flag counts once. A `plain`
    text (`rules.normalize.is_plain`) has no emoji character, only perhaps
    Discord's custom ones, which are ASCII."""
    if plain or text.isascii():
        return len(_EMOJI.findall(text)) if "<" in text else 0
    if not _EMOJI_HINT.search(text) and "<" not in text:
        return 0
    return len(_EMOJI.findall(text))


_ASCII_CAPITAL = re.compile("[A-Z]")


def count_caps(text: str, *, plain: bool = False) -> tuple[int, int]:
    """(capital letters, letters that have a case); (0, 0) without capitals.
    In a `plain` text (`rules.normalize.is_plain`) the only letters with a
    case are ASCII ones."""
    if plain and not text.isascii():
        if _ASCII_CAPITAL.search(text) is None:
            return 0, 0
    elif text.lower() == text:
        return 0, 0
    upper = sum(map(str.isupper, text))
    return upper, upper + sum(map(str.islower, text))
