"""How the process is run and watched: `logging:`, `metrics:` and `standby:`.

```yaml
logging: {format: json, level: INFO}
metrics: {listen: 0.0.0.0, port: 9464}   # /healthz and /metrics; off without a port
standby: {takeover: 15s}                 # PostgreSQL: how soon a standby takes over
```

These belong to the process, not to one community: with `run --config-dir`
the first file of the folder (by name) that sets them is the one read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from bot.config.base import Strict
from rules.schema import Duration


class LoggingConfig(Strict):
    # `json`: one object per line, with the community, platform, chat, member,
    # case and update ids of what was being handled (log collectors read it).
    format: Literal["text", "json"] = "text"
    # GROUPKEEPER_LOG, when set, wins over this.
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"


class MetricsConfig(Strict):
    listen: str = "127.0.0.1"
    # No port, no server: a metrics port is something an owner opens on purpose.
    port: int | None = Field(default=None, ge=0, le=65535)


class StandbyConfig(Strict):
    # The longest a community goes unserved when its owning process dies
    # (PostgreSQL): the lock's keepalives and the standbys' polling fit in it.
    takeover: Duration = timedelta(seconds=15)

    @field_validator("takeover")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        # Below 5s the keepalives (whole seconds, at least 1) no longer fit.
        if not timedelta(seconds=5) <= value <= timedelta(minutes=10):
            raise ValueError("must be between 5s and 10m")
        return value
