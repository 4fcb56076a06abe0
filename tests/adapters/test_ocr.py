"""Reading pictures with Tesseract (`adapters.ocr`): text in three scripts,
the time limit, the size cap, and a machine without Tesseract. The pictures
are drawn by the tests (tests/pictures.py)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.ocr import Ocr, TooLarge, read_and_tell
from bot.core.actions import ReadImage
from bot.core.events import ChatRef, Event, ImageRead, UserRef
from tests.pictures import text_picture

CHAT = ChatRef("console", "g1")
USER = UserRef("console", "nick", "nick", "nick")
NOW = datetime(2026, 1, 5, tzinfo=UTC)
LANGUAGES = ("chi_sim", "eng", "rus")


def ask(image: str = "x.png", max_bytes: int = 1_000_000, limit: float = 30) -> ReadImage:
    return ReadImage(CHAT, USER, 7, image, max_bytes, limit, LANGUAGES)


class Told:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def tell(self, event: Event) -> None:
        self.events.append(event)


async def test_text_in_chinese_english_and_russian_is_read() -> None:
    picture = text_picture("兼职刷单日赚五百", "Earn 500 daily, DM me", "Заработок без вложений")
    text = await Ocr().read(picture, LANGUAGES, 60)
    assert text is not None
    flat = "".join(text.split())
    assert "刷单" in flat and "日赚" in flat
    assert "Earn" in text and "daily" in text
    assert "Заработок" in text


async def test_read_and_tell_hands_the_text_to_the_core() -> None:
    gateway = Told()
    picture = text_picture("Free crypto giveaway")

    async def fetch() -> bytes:
        return picture

    await read_and_tell(gateway.tell, Ocr(), ask(), fetch, lambda: NOW)
    [event] = gateway.events
    assert isinstance(event, ImageRead)
    assert (event.chat, event.sender, event.message_id, event.at) == (CHAT, USER, 7, NOW)
    assert "giveaway" in event.text


async def test_a_picture_over_the_cap_is_neither_read_nor_told() -> None:
    gateway = Told()
    picture = text_picture("Free crypto giveaway")

    async def refused() -> bytes:
        raise TooLarge("x.png")

    async def whole() -> bytes:
        return picture

    await read_and_tell(gateway.tell, Ocr(), ask(), refused, lambda: NOW)
    await read_and_tell(gateway.tell, Ocr(), ask(max_bytes=len(picture) - 1), whole, lambda: NOW)
    assert gateway.events == []


async def test_reading_stops_at_the_time_limit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    slow = tmp_path / "tesseract"
    # Lists its languages at once, then never finishes a picture.
    slow.write_text(
        '#!/bin/sh\n[ "$1" = --list-langs ] && { echo "List:"; echo eng; exit 0; }\nexec sleep 600\n',
        encoding="utf-8",
    )
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    gateway = Told()

    async def fetch() -> bytes:
        return b"png"

    await read_and_tell(gateway.tell, Ocr(str(slow)), ask(limit=0.5), fetch, lambda: NOW)
    assert gateway.events == []
    assert "reading a picture took over 0 s; stopped" in caplog.text


async def test_without_tesseract_nothing_is_downloaded(caplog: pytest.LogCaptureFixture) -> None:
    gateway = Told()
    fetched: list[bool] = []

    async def fetch() -> bytes:
        fetched.append(True)
        return b""

    await read_and_tell(gateway.tell, Ocr(""), ask(), fetch, lambda: NOW)
    assert fetched == [] and gateway.events == []
    assert "tesseract is not installed" in caplog.text
