"""The switch for the platforms' group admins, and the console, where no
platform runs: nobody is asked, and only the config's staff get in."""

from __future__ import annotations

import pytest

from adapters.web.session import SESSION
from bot.config import ConfigError, parse_config
from tests.web.conftest import MEMBER, Web

MINIMAL = "community: {name: Test, slug: test}\n"


def test_the_switch_is_on_unless_turned_off() -> None:
    assert parse_config(MINIMAL).dashboard.platform_admins is True
    off = parse_config(MINIMAL + "dashboard: {platform_admins: false}\n")
    assert off.dashboard.platform_admins is False


def test_a_bad_switch_names_its_key() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(MINIMAL + "dashboard: {platform_admins: maybe}\n")
    assert any(e.startswith("dashboard.platform_admins: ") for e in caught.value.errors)


def test_the_console_has_no_platform_admins(web: Web) -> None:
    page = web.client.get("/login").text
    assert "Discord server who may manage messages" not in page
    r = web.login_telegram(MEMBER)
    assert r.status_code == 403 and SESSION not in r.cookies
    assert "owners and moderators may see this" in r.text
