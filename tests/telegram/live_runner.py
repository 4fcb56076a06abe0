"""The real Telegram runner in a process of its own, for the tests that kill
it: `python -m tests.telegram.live_runner CONFIG DB_URL`. It is what
`groupkeeper run` starts, with the limiter opened up so a burst is not paced
over minutes (the fake Bot API does not flood-limit these tests)."""

from __future__ import annotations

import asyncio
import os
import sys

from adapters.redaction import configure_logging, hide_secrets
from adapters.telegram.limiter import Limits
from adapters.telegram.runner import build_application, running


async def main(config: str, db_url: str) -> None:
    limits = Limits(overall=1000, group=1000, group_period=1.0, private=1000)
    application, app = await build_application(config, db_url, limits=limits, poll_timeout=2)
    try:
        async with running(application) as runner:
            await runner.wait()
    finally:
        await app.close()


if __name__ == "__main__":
    configure_logging("INFO")
    hide_secrets([os.environ["TELEGRAM_TOKEN"]])
    asyncio.run(main(sys.argv[1], sys.argv[2]))
