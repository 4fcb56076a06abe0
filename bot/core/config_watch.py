"""Hot reload: the config file is watched, and `/reload` reads it on demand.

Either way the file is validated and its rules compiled in a worker thread,
off the message path (10,000 blocklist entries take a few hundred
milliseconds), then swapped in at once between two events. A bad file keeps
the running config; its errors, each `path.to.key: reason`, go to the
moderators' log chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import TypeAdapter, ValidationError

from bot.config import Config, ConfigError, load_config
from bot.core.actions import Action, SendMessage
from bot.core.commands import Command, Context
from bot.core.events import ChatRef
from bot.core.i18n import t
from rules.evaluate import RuleSet
from rules.schema import RULE_TYPES, Rule

log = logging.getLogger(__name__)

# How many errors a chat message shows; the log has them all.
SHOWN_ERRORS = 10


class Engine(Protocol):
    """What reloading needs of the engine (`bot.core.engine.Engine`)."""

    @property
    def config(self) -> Config: ...

    @property
    def rules(self) -> RuleSet: ...

    @property
    def config_path(self) -> Path | None: ...

    def reload(self, config: Config, rules: RuleSet | None = None) -> None: ...

    def word_lists(self, config: Config) -> Mapping[str, Sequence[str]]: ...


@dataclass(frozen=True, slots=True)
class Compiled:
    config: Config
    rules: RuleSet


WordLists = Callable[[Config], Mapping[str, Sequence[str]]]


def compile_rules(
    config: Config, word_lists: WordLists | None = None, previous: RuleSet | None = None
) -> RuleSet:
    """`config`'s rules, with the features' word lists for it compiled into
    the same automaton (`rules.lexicon`)."""
    return RuleSet(
        config.rules,
        timezone=config.community.timezone,
        previous=previous,
        lists=word_lists(config) if word_lists is not None else None,
    )


def load_compiled(
    path: Path, previous: RuleSet | None = None, word_lists: WordLists | None = None
) -> Compiled:
    """Read, validate and compile; raises ConfigError. Runs in a thread."""
    config = load_config(path)
    return Compiled(config, compile_rules(config, word_lists, previous))


async def reload_from_file(engine: Engine) -> tuple[Config | None, tuple[str, ...]]:
    """Load the engine's config file off the event loop and swap it in; on
    any error the running config stays and the errors are returned."""
    path = engine.config_path
    if path is None:
        return None, ("(file): this bot was not started from a config file",)
    try:
        compiled = await asyncio.to_thread(load_compiled, path, engine.rules, engine.word_lists)
    except ConfigError as exc:
        log.warning("config %s rejected, keeping the last good one:\n%s", path, exc)
        return None, exc.errors
    engine.reload(compiled.config, rules=compiled.rules)
    return compiled.config, ()


_RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


def try_rule(text: str) -> Rule:
    """A rule written as YAML (`{id: shout, type: caps}`), validated as in
    the config file; raises ValueError with `path: reason`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("write the rule as a mapping: {id: shout, type: caps}")
    try:
        rule = _RULE.validate_python(data)
    except ValidationError as exc:
        raise ValueError(_first_error(exc)) from None
    return rule


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if p not in RULE_TYPES]
    reason = err["msg"].removeprefix("Value error, ")
    if err["type"] == "union_tag_invalid":
        loc, reason = ["type"], f"unknown rule type (use {', '.join(RULE_TYPES)})"
    elif err["type"] == "extra_forbidden":
        reason = "unknown key"
    elif err["type"] == "missing":
        reason = "is required"
    return f"{'.'.join(loc) or 'rule'}: {reason}"


def active_rules(config: Config) -> int:
    return sum(1 for r in config.rules if r.enabled)


def reload_command(engine: Engine) -> Command:
    """`/reload` for moderators: the same path as the watcher."""

    async def reload(ctx: Context) -> list[Action]:
        if engine.config_path is None:
            return [ctx.reply("reload.no_file")]
        config, errors = await reload_from_file(engine)
        if config is None:
            shown = "\n".join(errors[:SHOWN_ERRORS])
            return [ctx.reply("reload.failed", count=len(errors), errors=shown)]
        return [ctx.reply("reload.ok", rules=active_rules(config))]

    return Command("reload", reload, staff=True, scope="group", menu=True)


Deliver = Callable[[list[Action]], Awaitable[None]]


class ConfigWatcher:
    """Polls the config file's modification time and size; a change that has
    settled (an editor may write in steps) reloads it."""

    def __init__(
        self, engine: Engine, deliver: Deliver, *, interval: float = 1.0, settle: float = 0.2
    ) -> None:
        if engine.config_path is None:
            raise ValueError("the engine was not started from a config file")
        self.engine = engine
        self.path = engine.config_path
        self.deliver = deliver
        self.interval = interval
        self.settle = settle
        self._seen = self._stamp()
        self._task: asyncio.Task[None] | None = None

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name="config-watcher")
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.poll()
            except Exception:
                # A watcher that dies silently is worse than one that logs and
                # tries again next time.
                log.exception("config watcher failed; trying again")

    async def poll(self) -> list[Action]:
        """Reload when the file changed since last seen; returns (and
        delivers) what the log chat is told."""
        stamp = self._stamp()
        # A missing file is mid-save (write to a temporary, rename) or gone:
        # either way there is nothing new to read yet.
        if stamp is None or stamp == self._seen:
            return []
        await asyncio.sleep(self.settle)
        if self._stamp() != stamp:
            return []  # still being written; the next poll sees it settled
        self._seen = stamp
        actions = await self.reload()
        if actions:
            await self.deliver(actions)
        return actions

    async def reload(self) -> list[Action]:
        config, errors = await reload_from_file(self.engine)
        current = self.engine.config
        chat = current.community.log_chat
        if chat is None:
            return []
        loc = current.community.locale
        name = self.path.name
        if config is None:
            shown = "\n".join(errors[:SHOWN_ERRORS])
            text = t(loc, "watch.failed", file=name, count=len(errors), errors=shown)
        else:
            text = t(loc, "watch.reloaded", file=name, rules=active_rules(config))
        return [SendMessage(ChatRef.parse(chat), text, kind="log")]
