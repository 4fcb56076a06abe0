"""Both catalogues carry every message, with the same placeholders."""

from __future__ import annotations

import re
import string
from importlib import resources

import pytest
import yaml

from adapters.console.session import ConsoleSession
from bot.core.i18n import LOCALES, catalogue, t
from tests.conftest import ROOT

_USE = re.compile(
    r"""(?:\bt\([^,()]+,\s*|\.text\(\s*|\.reply\(\s*)f?["']([a-z_]+(?:\.[a-z_{}.]+)*)["']"""
)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogues_have_the_same_keys() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_placeholders_match(key: str) -> None:
    assert placeholders(catalogue("en")[key]) == placeholders(catalogue("zh")[key])


def test_every_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("adapters").rglob("*.py")]:
        used.update(_USE.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 30
    known = set(catalogue("en"))
    dynamic = {k for k in used if "{" in k}
    missing = sorted(k for k in used - dynamic if k not in known)
    assert not missing
    for key in dynamic:  # f"actions.{case.action}"
        prefix = key.split("{")[0]
        assert any(k.startswith(prefix) for k in known), key


def test_zh_is_really_chinese_and_en_is_not() -> None:
    for key, text in catalogue("zh").items():
        if re.search(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}|/\w+|@\w+", "", text)) and not re.search(
            r"[\u4e00-\u9fff]", text
        ):
            pytest.fail(f"zh.{key} looks untranslated: {text!r}")
    assert not any(
        re.search(r"[\u4e00-\u9fff]", v) for k, v in catalogue("en").items() if k != "help.member"
    )


def test_unknown_placeholders_stay_visible() -> None:
    assert t("en", "top.line", rank=1, name="a") == "1. a · {points}"
    assert set(LOCALES) == {"en", "zh"}


@pytest.mark.parametrize("locale", LOCALES)
async def test_help_names_every_command(locale: str, console: ConsoleSession) -> None:
    from bot.features.welcome.commands import HELP_MEMBER, HELP_STAFF

    shown = "".join(t(locale, key) for key in HELP_MEMBER + HELP_STAFF)  # type: ignore[arg-type]
    # `start` is what a platform sends when a member opens the bot.
    primary = {c.name for c in console.engine.commands().values()} - {"start"}
    assert sorted(name for name in primary if f"/{name}" not in shown) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_every_command_has_its_description(locale: str, console: ConsoleSession) -> None:
    # Telegram's menus and Discord's slash commands show it; `t` would fall
    # back to English, so each catalogue is read on its own.
    known = catalogue(locale)  # type: ignore[arg-type]
    commands = set(console.engine.commands().values())
    assert sorted(c.name for c in commands if not known.get(c.help_key)) == []


def test_the_c_parser_reads_every_catalogue_file_as_the_python_one_does() -> None:
    """The catalogue is read with PyYAML's C parser where it is built; every
    file must mean the same to the pure-Python parser."""
    folder = resources.files("bot").joinpath("locales")
    for f in folder.iterdir():
        if f.name.endswith(".yaml"):
            text = f.read_text("utf-8")
            assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), f.name
