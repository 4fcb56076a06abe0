"""Who is looking: the signed session cookie, the viewer's role (read from
the running community at every request, so a moderator removed from the
config is out at once), their language, CSRF and the one-line flash."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters.web.security import Signer
from bot.config import Config, Locale
from bot.core.engine import Engine
from bot.core.events import UserRef

SESSION = "gk_session"
FLASH = "gk_flash"
LANG = "gk_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
# The identity of a one-time link's session when the config names no owner:
# the person at the console that printed the link.
OPERATOR = "console:operator"


@dataclass(frozen=True, slots=True)
class Viewer:
    key: str
    name: str
    # How they logged in: telegram, discord or link.
    via: str
    sid: str
    role: str
    # Let in as an admin of one of the community's groups on their platform
    # (`adapters/web/admins.py`), not by the config: a moderator until asked again.
    admin: bool = False

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    @property
    def is_staff(self) -> bool:
        return self.role in ("owner", "moderator")

    def as_user(self) -> UserRef:
        """Who the engine hears a dashboard command from."""
        platform, _, user_id = self.key.partition(":")
        # The operator is nobody the config names, nor is a group's admin:
        # the platform's admin flag lets the engine take their moderators'
        # commands, as it does in chat.
        return UserRef(platform, user_id, self.name, is_admin=self.key == OPERATOR or self.admin)


def role_of(engine: Engine, key: str, via: str) -> str:
    """The community's own answer, as chat commands get it."""
    if via == "link":
        return "owner"
    directory = engine.kit.directory
    member = directory.members.get(key)
    if member is not None:
        return directory.role(member)
    community = engine.config.community
    if key in community.owners:
        return "owner"
    return "moderator" if key in community.moderators else "member"


def link_identity(config: Config) -> str:
    """A one-time link acts as the first owner the config names."""
    owners = config.community.owners
    return owners[0] if owners else OPERATOR


def new_session(
    signer: Signer, key: str, name: str, via: str, ttl: float, sid: str | None = None
) -> str:
    data = {
        "key": key,
        "name": name,
        "via": via,
        "sid": sid or secrets.token_urlsafe(16),
        "exp": int(time.time() + ttl),
    }
    return signer.sign(data, SESSION)


def viewer(request: Request, signer: Signer, engine: Engine) -> Viewer | None:
    data = signer.unsign(request.cookies.get(SESSION), SESSION)
    if data is None:
        return None
    key, via = str(data.get("key", "")), str(data.get("via", ""))
    return Viewer(key, str(data.get("name", "")), via, str(data.get("sid", "")),
                  role_of(engine, key, via))  # fmt: skip


def csrf_token(signer: Signer, who: Viewer) -> str:
    return signer.token("csrf", who.sid)


async def csrf_ok(request: Request, signer: Signer, who: Viewer) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return signer.check("csrf", who.sid, sent)


def locale(request: Request, engine: Engine, who: Viewer | None) -> Locale:
    """The language chosen here, else the member's own, else the browser's,
    else the community's."""
    chosen = request.cookies.get(LANG)
    if chosen in ("en", "zh"):
        return "zh" if chosen == "zh" else "en"
    if who is not None:
        member = engine.kit.directory.members.get(who.key)
        if member is not None and member.language in ("en", "zh"):
            return "zh" if member.language == "zh" else "en"
    accept = request.headers.get("accept-language", "").lower()
    if accept:
        first = accept.split(",")[0].strip()
        return "zh" if first.startswith("zh") else "en"
    return engine.config.community.locale


def secure(request: Request, public_url: str | None) -> bool:
    return (public_url or "").startswith("https://") or request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, public_url: str | None, name: str, value: str,
    max_age: int | None,
) -> None:  # fmt: skip
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax",
        secure=secure(request, public_url), path="/",
    )  # fmt: skip


def flash(signer: Signer, text: str, ok: bool = True) -> str:
    return signer.sign({"text": text, "ok": ok, "exp": int(time.time() + 120)}, FLASH)


def read_flash(request: Request, signer: Signer) -> dict[str, Any] | None:
    return signer.unsign(request.cookies.get(FLASH), FLASH)
