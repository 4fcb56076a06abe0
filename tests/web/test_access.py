"""Who gets in and who does not, route by route: logged-out visitors and
members can neither read nor change anything; a forged Telegram hash, a
used login link, a change without the session's CSRF token and a flood of
login attempts are refused."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from adapters.web.security import telegram_hash
from adapters.web.session import SESSION, new_session
from adapters.web.views import risk_of
from tests.web.conftest import DISCORD_SECRET, MEMBER, MODERATOR, OWNER, TOKEN, Web
from tests.web.fake_discord import fake_discord

PAGES = [
    "/",
    "/risk",
    "/members",
    "/members/console:eve",
    "/schedule",
    "/config",
    "/analytics",
    "/analytics.csv?table=daily",
]
ACTIONS = [
    "/risk/flags/1/confirm",
    "/risk/flags/1/dismiss",
    "/risk/alerts/1/ack",
    "/risk/lockdowns/1/lift",
    "/members/console:eve/warn",
    "/members/console:eve/mute",
    "/members/console:eve/unban",
    "/members/console:eve/give",
    "/members/console:eve/take",
    "/schedule/tips/pause",
    "/schedule/tips/resume",
    "/schedule/tips/run",
    "/config/check",
    "/config/try",
    "/config/save",
]
# Text only a staff page shows: a member's message, a reporter, a post.
SECRET_WORDS = ("idiots", "carol", "Ship small")


def spam_flag(web: Web) -> None:
    """eve's message hidden after three reports: flag #1, eve muted."""
    web.say(
        "eve: you are all idiots and this group is garbage",
        "bob > 1: /report rude",
        "carol > 1: /report",
        "dan > 1: /report",
    )


def assert_nothing_shown(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text


def test_logged_out_visitors_are_sent_to_log_in_and_see_nothing(web: Web) -> None:
    spam_flag(web)
    for page in PAGES:
        r = web.client.get(page, follow_redirects=False)
        assert r.status_code == 303, page
        assert r.headers["location"].startswith("/login?next=")
        assert_nothing_shown(r.text)
    for action in ACTIONS:
        r = web.client.post(action, data={"reason": "x"}, follow_redirects=False)
        assert r.status_code == 401, action
        assert_nothing_shown(r.text)
    # Nothing happened: the flag still waits, eve was never banned.
    risk = risk_of(web.session.engine)
    assert risk is not None and [f.id for f in risk.reports.waiting()] == [1]
    assert "bans eve" not in "\n".join(web.say("!clock +1m"))


def test_a_member_cannot_log_in(web: Web) -> None:
    r = web.login_telegram(MEMBER)
    assert r.status_code == 403
    assert SESSION not in r.cookies
    assert "owners and moderators" in r.text


def test_a_member_with_a_session_reads_and_changes_nothing(web: Web) -> None:
    """A moderator removed from the config while logged in: the role is read
    at every request, so the old session opens nothing."""
    spam_flag(web)
    cookie = new_session(web.dash.signer, f"telegram:{MEMBER}", "Max", "telegram", 3600)
    web.client.cookies.set(SESSION, cookie)
    for page in PAGES:
        r = web.client.get(page, follow_redirects=False)
        assert r.status_code == 403, page
        assert_nothing_shown(r.text)
    for action in ACTIONS:
        r = web.post(action, {"reason": "x", "group": "console:g1", "amount": "5"}, follow=False)
        assert r.status_code == 403, action
    out = web.say("mia: hello")
    assert not any("bans" in line or "via the dashboard" in line for line in out)


def test_a_moderator_is_kept_out_of_the_config_only(web: Web) -> None:
    web.say("eve: hello")
    assert web.login_telegram(MODERATOR).status_code == 303
    for page in [p for p in PAGES if p != "/config"]:
        assert web.client.get(page).status_code == 200, page
    assert web.client.get("/config").status_code == 403
    before = web.path.read_text()
    r = web.post("/config/save", {"text": before + "\n# moderator was here\n"}, follow=False)
    assert r.status_code == 403
    assert web.path.read_text() == before


def test_a_forged_or_stale_telegram_login_is_refused(web: Web) -> None:
    params = {"id": OWNER, "first_name": "Olivia", "auth_date": str(int(time.time()))}
    params["hash"] = telegram_hash(params, TOKEN)
    forged = dict(params, id=MODERATOR)  # the owner's hash on another id
    r = web.client.get("/auth/telegram?" + urlencode(forged), follow_redirects=False)
    assert r.status_code == 403 and SESSION not in r.cookies
    wrong_key = dict(params, hash=telegram_hash(params, "654321:" + "B" * 35))
    r = web.client.get("/auth/telegram?" + urlencode(wrong_key), follow_redirects=False)
    assert r.status_code == 403 and SESSION not in r.cookies
    old = {"id": OWNER, "first_name": "Olivia", "auth_date": str(int(time.time()) - 2 * 86400)}
    old["hash"] = telegram_hash(old, TOKEN)
    r = web.client.get("/auth/telegram?" + urlencode(old), follow_redirects=False)
    assert r.status_code == 403 and SESSION not in r.cookies
    assert web.client.get("/", follow_redirects=False).status_code == 303
    # The real hash still works.
    r = web.client.get("/auth/telegram?" + urlencode(params), follow_redirects=False)
    assert r.status_code == 303 and SESSION in r.cookies


def test_a_session_cookie_cannot_be_altered(web: Web) -> None:
    cookie = new_session(web.dash.signer, f"telegram:{MEMBER}", "Max", "telegram", 3600)
    body, mac = cookie.split(".")
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["key"] = f"telegram:{OWNER}"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    web.client.cookies.set(SESSION, f"{forged}.{mac}")
    assert web.client.get("/", follow_redirects=False).status_code == 303


def test_changes_need_the_sessions_csrf_token(web: Web) -> None:
    spam_flag(web)
    web.login_telegram(OWNER)
    for token in (None, "not-the-token"):
        data = {"csrf": token} if token else {}
        r = web.client.post("/risk/flags/1/confirm", data=data, follow_redirects=False)
        assert r.status_code == 400
        assert "expired" in r.text
    r = web.client.post(
        "/members/console:eve/warn",
        data={"group": "console:g1", "reason": "x"},
        headers={"X-CSRF-Token": "forged"},
    )
    assert r.status_code == 400
    assert web.client.post("/logout", follow_redirects=False).status_code == 400
    out = web.say("!clock +1m")
    assert not any("bans" in line for line in out)
    assert "idiots" in web.client.get("/risk").text  # still waiting


def test_the_one_time_link_opens_one_session(web: Web) -> None:
    link = web.dash.login_link()
    path = link.split("127.0.0.1:8080", 1)[1]
    r = web.client.get(path, follow_redirects=False)
    assert r.status_code == 303 and SESSION in r.cookies
    web.client.cookies.clear()
    r = web.client.get(path, follow_redirects=False)
    assert r.status_code == 403 and SESSION not in r.cookies
    assert web.client.get("/auth/link?token=guess", follow_redirects=False).status_code == 403


def test_login_attempts_are_limited(web: Web) -> None:
    codes = [web.client.get("/auth/link?token=x").status_code for _ in range(12)]
    assert codes[:10] == [403] * 10
    assert codes[10:] == [429, 429]
    # A right link is refused too while the limit holds.
    path = web.dash.login_link().split("127.0.0.1:8080", 1)[1]
    assert web.client.get(path, follow_redirects=False).status_code == 429


@pytest.mark.parametrize(("user_id", "allowed"), [("2002", True), ("2003", False)])
def test_discord_oauth_code_flow(web: Web, user_id: str, allowed: bool) -> None:
    web.dash.discord_api = "http://discord.test/api"
    transport = httpx.ASGITransport(fake_discord(user_id, DISCORD_SECRET))
    web.dash.http = lambda: httpx.AsyncClient(transport=transport)
    r = web.client.get("/auth/discord", follow_redirects=False)
    assert r.status_code == 303
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["client_id"] == ["4242"] and query["scope"] == ["identify"]
    state = query["state"][0]
    bad = web.client.get(f"/auth/discord/callback?code=good-code&state={state}x")
    assert bad.status_code == 403
    wrong = web.client.get(f"/auth/discord/callback?code=bad-code&state={state}")
    assert wrong.status_code == 502
    r = web.client.get(
        f"/auth/discord/callback?code=good-code&state={state}", follow_redirects=False
    )
    if allowed:
        assert r.status_code == 303 and SESSION in r.cookies
        assert "Dana" in web.client.get("/").text
    else:
        assert r.status_code == 403 and SESSION not in r.cookies


def test_cookies_and_headers(web: Web) -> None:
    r = web.login_telegram(OWNER)
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    page = web.client.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_no_secret_is_ever_rendered(web: Web) -> None:
    web.login_telegram(OWNER)
    spam_flag(web)
    for page in [*PAGES, "/login", "/members?q=eve"]:
        text = web.client.get(page).text
        assert TOKEN not in text and TOKEN.split(":")[1] not in text, page
        assert DISCORD_SECRET not in text, page


def test_a_config_with_a_secret_written_in_it_is_not_shown(web: Web) -> None:
    web.login_telegram(OWNER)
    text = web.path.read_text().replace("${GK_WEB_TEST_TOKEN}", TOKEN)
    web.path.write_text(text)
    page = web.client.get("/config").text
    assert TOKEN not in page
    assert "platforms.telegram.token" in page


def test_logging_out_ends_the_session(web: Web) -> None:
    web.login_telegram(OWNER)
    assert web.client.get("/", follow_redirects=False).status_code == 200
    copied = web.client.cookies[SESSION]
    r = web.post("/logout", follow=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert web.client.get("/", follow_redirects=False).status_code == 303
    # A copy of the cookie taken before opens nothing either.
    web.client.cookies.set(SESSION, copied)
    assert web.client.get("/", follow_redirects=False).status_code == 303
