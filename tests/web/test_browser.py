"""The dashboard in a real browser: Debian's headless chromium, driven by
Selenium through Debian's chromedriver (nothing is downloaded), against the
dashboard served by uvicorn over real HTTP beside a console community.

An owner logs in with a computed Telegram widget hash, confirms a flag and
the console shows the member banned; a rule edited with an error is refused
while the bot keeps running; edited correctly, the next message meets the
new rule. Each page is saved as a screenshot in English and Chinese (into
$GK_SCREENSHOTS when set, for the README)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.console.session import ConsoleSession
from adapters.web.app import Dashboard
from adapters.web.bridge import ConsoleBot
from adapters.web.security import telegram_hash
from bot.config import load_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import START
from tests.web.conftest import DISCORD_SECRET, OWNER, TOKEN, community_file

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PAGES = ("/", "/risk", "/members", "/members/console:eve", "/schedule", "/config", "/analytics")

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (see .ci/run)")
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


@dataclass
class Served:
    """The community and its dashboard in a thread of their own, as
    `groupkeeper run` serves them."""

    loop: asyncio.AbstractEventLoop
    session: ConsoleSession
    base: str
    path: Path
    printed: list[str] = field(default_factory=list)

    def say(self, *lines: str) -> list[str]:
        out: list[str] = []
        for line in lines:
            out += asyncio.run_coroutine_threadsafe(self.session.feed(line), self.loop).result(30)
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("GK_WEB_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("GK_WEB_TEST_DISCORD", DISCORD_SECRET)
    port = free_port()
    path = community_file(tmp_path)
    path.write_text(path.read_text().replace("enabled: true\n  telegram_bot",
                                             f"enabled: true\n  port: {port}\n  telegram_bot"))  # fmt: skip
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def open_world() -> tuple[ConsoleSession, Dashboard]:
        config = load_config(path)
        store = await SqlStore.open(config.database.url)
        session = ConsoleSession(config, store, FakeClock(START), config_path=path)
        await session.start()
        dash = Dashboard(ConsoleBot(session), path)
        dash.task = asyncio.get_running_loop().create_task(dash.serve())
        return session, dash

    session, dash = asyncio.run_coroutine_threadsafe(open_world(), loop).result(60)
    served = Served(loop, session, f"http://127.0.0.1:{port}", path)
    session.on_output = served.printed.extend
    _wait_listening(port)
    try:
        yield served
    finally:

        async def close() -> None:
            assert dash.task is not None
            dash.task.cancel()
            await asyncio.gather(dash.task, return_exceptions=True)
            await session.close()
            await session.store.close()

        asyncio.run_coroutine_threadsafe(close(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def _wait_listening(port: int) -> None:
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("the dashboard did not start")


@pytest.fixture
def browser() -> Iterator[Any]:
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1100,1400", "--disable-dev-shm-usage",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def shots_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("GK_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def login(driver: Any, base: str) -> None:
    params = {"id": OWNER, "first_name": "Olivia", "auth_date": str(int(time.time()))}
    params["hash"] = telegram_hash(params, TOKEN)
    driver.get(f"{base}/auth/telegram?{urlencode(params)}")


def wait_text(driver: Any, css: str, text: str) -> None:
    try:
        WebDriverWait(driver, 15).until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
        )
    except Exception as exc:
        logs = driver.get_log("browser") if hasattr(driver, "get_log") else []
        body = driver.find_element(By.TAG_NAME, "body").text
        raise AssertionError(
            f"{text!r} not in {css}: page:\n{body[:2000]}\nconsole: {logs}"
        ) from exc


def set_editor(driver: Any, text: str) -> None:
    """Type the whole file as an owner would paste it (an input event, as
    typing fires, so the live check runs)."""
    area = driver.find_element(By.ID, "text")
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        area,
        text,
    )


def test_owner_confirms_a_flag_and_edits_a_rule(served: Served, browser: Any) -> None:
    served.say(
        "eve: you are all idiots and this group is garbage",
        "bob > 1: /report rude",
        "carol > 1: /report",
        "dan > 1: /report",
    )
    login(browser, served.base)
    assert browser.current_url.rstrip("/") == served.base
    assert "Overview" in browser.find_element(By.TAG_NAME, "h1").text

    browser.get(f"{served.base}/risk")
    assert "you are all idiots" in browser.find_element(By.ID, "flag-1").text
    browser.find_element(By.CSS_SELECTOR, "#flag-1 button[name=confirm]").click()
    wait_text(browser, ".flash", "Flag #1 confirmed")
    assert any("bot bans eve" in line for line in served.printed)
    assert any("via the dashboard: /resolve 1 confirm" in line for line in served.printed)

    browser.get(f"{served.base}/config")
    original = served.path.read_text()
    broken = original.replace(
        "rules:\n", "rules:\n  - {id: no-shout, type: blocklist, words: 5}\n", 1
    )
    set_editor(browser, broken)
    wait_text(browser, "#check", "rules.1.words")
    assert browser.find_elements(By.CSS_SELECTOR, "pre.yaml .line.error")
    browser.find_element(By.ID, "save").click()
    wait_text(browser, "#refusal", "Not saved")
    assert served.path.read_text() == original
    # The bot runs on with the last good config.
    assert any("zoe: still here" in line for line in served.say("zoe: still here"))

    browser.get(f"{served.base}/config")
    fixed = original.replace(
        "rules:\n",
        "rules:\n  - {id: no-shout, type: blocklist, words: [SHOUTING], action: delete}\n",
        1,
    )
    set_editor(browser, fixed)
    wait_text(browser, "#check", "The file is valid")
    browser.find_element(By.ID, "message").send_keys("STOP SHOUTING")
    browser.find_element(By.ID, "try-button").click()
    wait_text(browser, "#trial", "no-shout")
    browser.find_element(By.ID, "save").click()
    wait_text(browser, ".flash", "saved and reloaded")
    out = served.say("zoe: STOP SHOUTING")
    assert any("deletes" in line and "no-shout" in line for line in out)


def test_every_page_in_both_languages(served: Served, browser: Any, tmp_path: Path) -> None:
    served.say("eve: hello there", "eve: /checkin", "+zoe", "zoe: hi all", "bob: hey")
    posted = served.say("zed: you are all idiots and this group is garbage")[0]
    zed = posted.split("#")[1].split(" ")[0]
    served.say(f"bob > {zed}: /report insults", f"carol > {zed}: /report", f"dan > {zed}: /report")
    folder = shots_dir(tmp_path)
    login(browser, served.base)
    for lang in ("en", "zh"):
        browser.get(f"{served.base}/lang/{lang}?next=/")
        for page in PAGES:
            browser.get(served.base + page)
            assert browser.find_element(By.TAG_NAME, "h1").text
            name = page.strip("/").replace("/", "-").replace(":", "_") or "overview"
            shot = folder / f"dashboard-{name}-{lang}.png"
            assert browser.save_screenshot(str(shot))
            assert shot.stat().st_size > 1000
        nav = browser.find_element(By.TAG_NAME, "nav").text
        assert ("总览" in nav) == (lang == "zh")
    # A phone's width: the navigation wraps instead of overflowing.
    browser.set_window_size(390, 844)
    browser.get(served.base + "/risk")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400
    browser.save_screenshot(str(folder / "dashboard-risk-phone.png"))
