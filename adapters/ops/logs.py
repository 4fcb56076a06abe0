"""`logging.format: text|json`.

JSON lines are for log collectors: one object per record with its time,
level, logger and message, the ids of what was being handled
(`adapters.ops.context`: community, platform, chat, member, case, update) and
the traceback, if any. The secrets filter (`adapters.redaction`) sits on the
handler and cleans the record before either formatter sees it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any, Literal

from adapters.ops import context
from bot.config import Config

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ids = getattr(record, "ids", None) or {}
        for name in context.FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = ids.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class ContextFilter(logging.Filter):
    """Takes the ids in force when the record is made, before any other task
    runs (a handler may format it later)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "ids"):
            record.ids = context.current()
        return True


def use_format(fmt: Literal["text", "json"]) -> None:
    """Switch every root handler to the format (the config is read after
    logging is set up, so this comes second)."""
    formatter: logging.Formatter = JsonFormatter() if fmt == "json" else logging.Formatter(TEXT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            # First, so the secrets filter after it sees the finished record.
            handler.filters.insert(0, ContextFilter())


def configure_from(config: Config) -> None:
    """The config's `logging:` section; GROUPKEEPER_LOG, when set, keeps the
    level it gave."""
    use_format(config.logging.format)
    if not os.environ.get("GROUPKEEPER_LOG"):
        logging.getLogger().setLevel(config.logging.level)
