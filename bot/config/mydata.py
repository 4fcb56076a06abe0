"""`mydata:` members' own data: `/mydata` (a copy) and `/forgetme` (erasure)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.config.base import Strict
from rules.schema import Duration


class MyDataConfig(Strict):
    enabled: bool = True
    # How long a `/forgetme` waits for its confirmation.
    confirm_within: Duration = timedelta(minutes=10)
    # At most one copy of one's data per member within this span: building
    # it reads every table.
    export_every: Duration = Field(default=timedelta(minutes=10))
