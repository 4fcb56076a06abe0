"""The community's YAML file: the root model, `${ENV}` secrets, and errors
reported as `path.to.key: reason (line N)`.

Each section's model lives in its own module beside this one."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast, get_args

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from bot.config.appeals import AppealsConfig
from bot.config.base import Strict
from bot.config.community import CommunityConfig
from bot.config.dashboard import DashboardConfig
from bot.config.entry import EntryConfig
from bot.config.faq import FaqConfig
from bot.config.groups import GroupsConfig
from bot.config.mydata import MyDataConfig
from bot.config.notice import FeedbackConfig, NoticeConfig, PollsConfig
from bot.config.operations import LoggingConfig, MetricsConfig, StandbyConfig
from bot.config.platforms import DatabaseConfig, PlatformsConfig
from bot.config.points import PointsConfig
from bot.config.risk import RiskConfig
from bot.config.schedule import PostSpec, unique_post_ids
from bot.config.seasons import SeasonsConfig
from bot.config.tiers import Tier, first_level, ordered_tiers
from bot.config.welcome import WelcomeConfig
from rules.schema import RULE_TYPES, Escalation, Rule


class Config(Strict):
    community: CommunityConfig
    platforms: PlatformsConfig = Field(default_factory=PlatformsConfig)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    groups: GroupsConfig = Field(default_factory=GroupsConfig)
    entry: EntryConfig = Field(default_factory=EntryConfig)
    welcome: WelcomeConfig = Field(default_factory=WelcomeConfig)
    rules: list[Rule] = Field(default_factory=list)
    escalation: Escalation = Field(default_factory=Escalation)
    points: PointsConfig = Field(default_factory=PointsConfig)
    # Scheduled content (bot/config/schedule.py): one entry per post.
    schedule: list[PostSpec] = Field(default_factory=list)
    # Spam detection, members' reports and risk monitors (bot/config/risk.py).
    risk: RiskConfig = Field(default_factory=RiskConfig)
    # Appeals, FAQ answers, members' own data (issue 21, items 5-7).
    appeals: AppealsConfig = Field(default_factory=AppealsConfig)
    faq: FaqConfig = Field(default_factory=FaqConfig)
    mydata: MyDataConfig = Field(default_factory=MyDataConfig)
    # The web dashboard (bot/config/dashboard.py; adapters/web/).
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    # How the process logs, serves /healthz and /metrics, and shares the
    # community with standbys (bot/config/operations.py).
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    standby: StandbyConfig = Field(default_factory=StandbyConfig)
    # Member tiers by lifetime level and their privileges (bot/config/tiers.py).
    tiers: list[Tier] = Field(default_factory=list)
    # Weekly and monthly seasons, honours and prizes (bot/config/seasons.py).
    seasons: SeasonsConfig = Field(default_factory=SeasonsConfig)
    # The pinned announcement (群公告); none when unset.
    notice: NoticeConfig | None = None
    polls: PollsConfig = Field(default_factory=PollsConfig)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)

    @field_validator("tiers")
    @classmethod
    def _ordered_tiers(cls, tiers: list[Tier]) -> list[Tier]:
        return ordered_tiers(tiers)

    @model_validator(mode="after")
    def _tier_privileges(self) -> Config:
        """Tiers name levels that exist; their links and slow-mode privileges
        become the matching rules' `exempt.min_level` (a rule that sets its
        own keeps it), so the rule engine alone decides."""
        levels = len(self.points.levels)
        for i, tier in enumerate(self.tiers):
            if tier.level > levels:
                raise ValueError(f"tiers.{i}.level: points.levels has {levels} levels")
        skips = {"links": first_level(self.tiers, "links"),
                 "slow_mode": first_level(self.tiers, "slow_mode")}  # fmt: skip
        rules = list(self.rules)
        for i, rule in enumerate(rules):
            level = skips.get(rule.type)
            if level is not None and rule.exempt.min_level is None:
                exempt = rule.exempt.model_copy(update={"min_level": level})
                rules[i] = rule.model_copy(update={"exempt": exempt})
        if rules != self.rules:
            object.__setattr__(self, "rules", rules)
        return self

    @field_validator("schedule")
    @classmethod
    def _unique_posts(cls, posts: list[PostSpec]) -> list[PostSpec]:
        return unique_post_ids(posts)

    @model_validator(mode="after")
    def _discord_timeouts(self) -> Config:
        """Discord times members out for at most 28 days; refuse a longer mute
        rather than cut it silently."""
        if not self.platforms.discord.token:
            return self
        limit = timedelta(days=28)
        for i, rule in enumerate(self.rules):
            if rule.action.mute and rule.action.mute > limit:
                raise ValueError(f"rules.{i}.action.mute: Discord timeouts last at most 28d")
        for i, step in enumerate(self.escalation.ladder):
            if step.do.mute and step.do.mute > limit:
                raise ValueError(
                    f"escalation.ladder.{i}.do.mute: Discord timeouts last at most 28d"
                )
        return self

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return rules


@dataclass(frozen=True, slots=True)
class ConfigError(Exception):
    """Every problem found, each as `path.to.key: reason (line N)`."""

    errors: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.errors)


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _substitute(
    node: Any,
    path: str,
    errors: list[str],
    lines: dict[str, int],
    secrets: set[str],
    shown: str = "",
) -> Any:
    """`${NAME}` and `${NAME:-default}` from the environment; each value
    taken is added to `secrets`, since the environment is where tokens and
    passwords come from."""
    if isinstance(node, dict):
        return {
            k: _substitute(v, _join(path, k), errors, lines, secrets, _join(shown, k))
            for k, v in node.items()
        }
    if isinstance(node, list):
        # `shown` counts a list's items as an owner does, from 1.
        return [
            _substitute(v, _join(path, i), errors, lines, secrets, _join(shown, i + 1))
            for i, v in enumerate(node)
        ]
    if isinstance(node, str) and "${" in node:

        def env(m: re.Match[str]) -> str:
            value = os.environ.get(m.group(1))
            if value is None and m.group(2) is None:
                errors.append(
                    _located(
                        path, f"environment variable {m.group(1)} is not set", lines, shown=shown
                    )
                )
                return ""
            if value:
                secrets.add(value)
            return value if value is not None else (m.group(2) or "")

        return _ENV.sub(env, node) or None
    return node


def _hidden(reason: str, secrets: set[str]) -> str:
    """Validators quote the value they refuse, and one from the environment
    may be a token that check-config would print. Shorter values are no
    secret (`en`, `30s`) and hiding them would garble the reason."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 6:
            reason = reason.replace(secret, "${...}")
    return reason


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _line_map(
    node: yaml.Node, path: str, out: dict[str, int], twice: list[tuple[str, int]]
) -> None:
    """Each path's line in `out`; in `twice`, keys written twice in one
    mapping with their first line: YAML keeps the last silently, so an
    owner's first value (a slug, a rule's action) would vanish unseen."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        first: dict[object, int] = {}
        for key, value in node.value:
            sub = _join(path, key.value)
            line = key.start_mark.line + 1
            if key.value in first:
                twice.append((sub, first[key.value]))
            first.setdefault(key.value, line)
            out[sub] = line
            _line_map(value, sub, out, twice)
            out[sub] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, _join(path, i), out, twice)


def _located(
    path: str, reason: str, lines: dict[str, int], data: Any = None, *, shown: str = ""
) -> str:
    probe = path
    while probe and probe not in lines:
        probe = probe.rpartition(".")[0]
    line = lines.get(probe)
    where = shown or _counted(path, data) or "(top level)"
    return f"{where}: {reason} (line {line})" if line else f"{where}: {reason}"


def _counted(path: str, data: Any) -> str:
    """The path as an owner counts the items of a list in the file: the
    first rule is `rules.1`. A key that is a number (`streak: {3: 5}`)
    stays as written."""
    shown: list[str] = []
    node = data
    for part in path.split(".") if path else ():
        if isinstance(node, list) and part.isdigit():
            index = int(part)
            shown.append(str(index + 1))
            node = node[index] if index < len(node) else None
            continue
        shown.append(part)
        if isinstance(node, dict):
            node = node.get(part, node.get(int(part)) if part.isdigit() else None)
        else:
            node = None
    return ".".join(shown)


def _errors(
    exc: ValidationError, data: Any, lines: dict[str, int], secrets: set[str]
) -> Iterator[str]:
    for err in exc.errors():
        loc = [p for p in err["loc"] if not _is_union_tag(p, data, err["loc"])]
        path = ".".join(str(p) for p in loc)
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "unknown key" + _did_you_mean(list(err["loc"]))
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            reason = f"unknown rule type {ctx.get('tag')!r} (use {ctx.get('expected_tags')})"
        elif err["type"] == "union_tag_not_found":
            reason = "a rule needs a `type`"
        located = _PATH_REASON.match(reason)
        if located:
            # A check across keys names the key it is about in its message,
            # relative to where it runs (a rule's override: `overrides.0.max`).
            path, reason = _join(path, located.group(1)), located.group(2)
        elif err["type"] == "missing":
            reason = "is required"
        yield _located(path, _hidden(reason, secrets), lines, data)


def _did_you_mean(loc: list[int | str]) -> str:
    """A near miss among the keys allowed there (`point` for `points`)."""
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if model is None and part in RULE_TYPES:
            # The tag pydantic puts in a rule's path names the rule's model.
            model = _rule_model(part)
            continue
        field = model.model_fields.get(part) if model is not None else None
        model = _model_in(field.annotation) if field is not None else None
    if model is None:
        return ""
    keys = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _rule_model(tag: str) -> type[BaseModel] | None:
    union = get_args(Rule)[0]
    for model in get_args(union):
        if get_args(model.model_fields["type"].annotation) == (tag,):
            return cast("type[BaseModel]", model)
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The one model a field holds (itself, in a list, a dict or optional);
    None for a choice of models (a rule's type decides which)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = {m for m in map(_model_in, get_args(annotation)) if m is not None}
    return found.pop() if len(found) == 1 else None


_PATH_REASON = re.compile(r"^([a-z_]+(?:\.[a-z0-9_]+)+): (.*)$", re.DOTALL)


def _is_union_tag(part: object, data: Any, loc: tuple[int | str, ...]) -> bool:
    """Drop the discriminator tag pydantic inserts (`rules.0.blocklist.words`)."""
    return isinstance(part, str) and part in RULE_TYPES and part in loc[2:3]


def parse_config(text: str, source: str = "<config>") -> Config:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # Parsed from a string (to keep the quoted line in the message),
        # PyYAML names it `<unicode string>`: the owner needs the file.
        for named in (mark, getattr(exc, "context_mark", None)):
            if named is not None:
                named.name = source
        where = f" (line {mark.line + 1})" if mark else ""
        raise ConfigError((f"(file): not valid YAML{where}: {exc}",)) from None
    if not isinstance(data, dict):
        raise ConfigError(("(top level): the file must be a mapping with a `community` key",))
    lines: dict[str, int] = {}
    errors: list[str] = []
    if root is not None:
        twice: list[tuple[str, int]] = []
        _line_map(root, "", lines, twice)
        for path, first in twice:
            reason = f"set twice (also on line {first}): keep one"
            errors.append(_located(path, reason, lines, data))
    secrets: set[str] = set()
    data = _substitute(data, "", errors, lines, secrets)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        errors.extend(_errors(exc, data, lines, secrets))
        raise ConfigError(tuple(errors)) from None
    if errors:
        raise ConfigError(tuple(errors))
    return config


def load_config(path: str | Path) -> Config:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError((f"(file): cannot read {path}: {exc.strerror}",)) from None
    # abspath, not resolve: a linked config keeps the folder it is linked from.
    return _beside(parse_config(text, str(path)), Path(os.path.abspath(path)).parent)


# A SQLite file named by a relative path: `sqlite:///gk.db`, any driver.
_RELATIVE_SQLITE = re.compile(r"^(sqlite(?:\+\w+)?:///)(?!/|:memory:|file:)(.+)$")


def _beside(config: Config, folder: Path) -> Config:
    """A relative SQLite path names the file beside the config, wherever the
    command runs: otherwise `report --config ../x.yaml` from another folder
    opens a new, empty database. (Content folders are resolved the same way
    where they are read, `bot/features/schedule/content.py`.)"""
    relative = _RELATIVE_SQLITE.match(config.database.url)
    if relative is None:
        return config
    url = relative.group(1) + str(folder / relative.group(2))
    return config.model_copy(update={"database": config.database.model_copy(update={"url": url})})
