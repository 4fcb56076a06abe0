"""The database's absence as the write-behind meets it, said once.

While the database is away the batcher retries every interval (100 ms) and
keeps the rows in memory; logging each failure with its traceback buried the
log under ten tracebacks a second and never said when it was over. Here the
first failure of an outage is said (what failed, that nothing is dropped),
the ones after it are counted, and the first write that gets through says
how long it lasted: the owner reads two lines, not thousands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("bot.core.batcher")


class Outage:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.since: float | None = None
        self.failures = 0
        # Told how many seconds it lasted when an outage ends (the log chat).
        self.on_back: Callable[[float], None] | None = None

    def failed(self, exc: Exception) -> None:
        """A flush raised: a database out of reach (an OSError) is said once
        per outage; anything else is a fault, said each time with its trace."""
        if not isinstance(exc, OSError):
            log.error("write-behind flush failed", exc_info=exc)
            return
        self.failures += 1
        if self.since is None:
            self.since = self._monotonic()
            log.error(
                "write-behind: cannot reach the database (%s): the rows stay in memory"
                " and are written when it answers again",
                str(exc) or type(exc).__name__,
            )

    def stored(self) -> None:
        """A flush got through: the end of an outage, if there was one (a
        flush with nothing to write never gets here during one: the rows it
        could not store were put back)."""
        if self.since is None:
            return
        lasted = self._monotonic() - self.since
        log.warning(
            "write-behind: the database answers again after %.0f s (%d tries):"
            " what was kept is stored",
            lasted,
            self.failures,
        )
        self.since, self.failures = None, 0
        if self.on_back is not None:
            self.on_back(lasted)
