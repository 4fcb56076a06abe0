"""Reading the text of pictures for the spam guard (`ReadImage`): Tesseract
(Debian: tesseract-ocr, tesseract-ocr-chi-sim, tesseract-ocr-rus) as a
subprocess, so the event loop never waits on it, stopped after the action's
time limit; the picture comes through each platform's file API under the
action's size cap. Without Tesseract on the machine the request is logged
once and dropped: the caption alone was checked already.

Each platform's gateway fetches the bytes; `read_and_tell` does the rest
and hands the text back (to the core) as `ImageRead`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from functools import cache
from typing import Any

from bot.core.actions import ReadImage
from bot.core.events import Event, ImageRead

log = logging.getLogger(__name__)

# Tesseract runs one thread per core by default; several pictures at once
# would fight over the two cores of a small server.
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class TooLarge(Exception):
    """The picture is over the size cap; it was not (fully) downloaded."""


class Ocr:
    def __init__(self, command: str | None = None) -> None:
        """`command`: Tesseract's path; found on PATH when None, none when ""."""
        self.command = shutil.which("tesseract") if command is None else (command or None)
        self._languages: frozenset[str] | None = None
        self._told_missing = False
        # Readings under way, kept so none is collected before it ends.
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def available(self) -> bool:
        if self.command is None and not self._told_missing:
            self._told_missing = True
            log.warning("pictures are not read: tesseract is not installed (tesseract-ocr)")
        return self.command is not None

    async def languages(self) -> frozenset[str]:
        """The language packs installed, asked once (none known: English)."""
        if self._languages is None and self.command is not None:
            proc = await asyncio.create_subprocess_exec(
                self.command, "--list-langs", stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, env=_ENV,
            )  # fmt: skip
            try:
                out, _ = await asyncio.wait_for(proc.communicate(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                out = b""
            lines = out.decode("utf-8", "replace").splitlines()
            self._languages = frozenset(x.strip() for x in lines[1:] if x.strip())
        return self._languages or frozenset()

    async def read(self, data: bytes, languages: tuple[str, ...], limit: float) -> str | None:
        """The picture's text; None when it could not be read in time."""
        if self.command is None:
            return None
        installed = await self.languages()
        wanted = [x for x in languages if x in installed] or ["eng"]
        proc = await asyncio.create_subprocess_exec(
            self.command, "stdin", "stdout", "-l", "+".join(wanted),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=_ENV,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(data), limit)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            log.warning("reading a picture took over %.0f s; stopped", limit)
            return None
        if proc.returncode != 0:
            log.warning("tesseract could not read a picture (exit %s)", proc.returncode)
            return None
        return out.decode("utf-8", "replace").strip()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a reading beside the gateway's queue: the actions after it
        (deletions, replies) do not wait for OCR."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settle(self) -> None:
        """Wait for the readings under way (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


@cache
def shared_ocr() -> Ocr:
    """The process's OCR (where Tesseract is, and its languages, found once)."""
    return Ocr()


async def read_and_tell(
    tell: Callable[[Event], Awaitable[None]],
    ocr: Ocr,
    action: ReadImage,
    fetch: Callable[[], Awaitable[bytes]],
    now: Callable[[], datetime],
) -> None:
    """Fetch the picture, read it, and tell the core what it says. Every
    failure is logged, never raised: the caption was checked already."""
    if not ocr.available:
        return
    try:
        data = await fetch()
    except TooLarge:
        log.info("picture of message %s in %s over the size cap", action.message_id, action.chat)
        return
    except Exception:
        log.warning("could not download the picture of message %s", action.message_id)
        return
    if len(data) > action.max_bytes:
        return
    text = await ocr.read(data, action.languages, action.timeout)
    if text is None:
        return
    await tell(ImageRead(action.chat, action.sender, action.message_id, text, now()))
