"""Run every enabled check on a message and pick what to do.

The verdict keeps each check's result so a moderator can be told which rule
fired and why. When several rules fire, the strongest action wins; on a tie,
the rule written first. A rule in dry run never wins over one that acts: it
is reported beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.checks import Check, CheckResult
from rules.compiler import STATEFUL, Compiler
from rules.lexicon import Lexicon
from rules.message import MessageView
from rules.schema import Rule
from rules.types.forwards import ForwardsRule
from rules.types.links import LinksRule
from rules.types.media import MediaRule
from rules.types.mentions import MentionsRule
from rules.types.names import NamesRule
from rules.types.night_mode import NightModeRule


@dataclass(frozen=True, slots=True)
class Verdict:
    results: tuple[CheckResult, ...]
    # The rule that decides what happens (a dry-run rule only when no other fired).
    rule: Rule | None = None
    result: CheckResult | None = None
    # Dry-run rules that fired, with their results, besides `rule`.
    dry_runs: tuple[tuple[Rule, CheckResult], ...] = ()

    @property
    def hit(self) -> bool:
        return self.rule is not None

    @property
    def hits(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.hit)


CLEAN = Verdict(())
# Rules about how often or when a member posts: a command's own text is not
# checked against them (a member using the bot's commands is not flooding).
_PACE = frozenset({"flood", "duplicates", "slow_mode", "night_mode"})


def media_only(rule: Rule) -> bool:
    """Rules only media or forwards fire: media and forwards rules, and a
    night mode limited to them."""
    if isinstance(rule, MediaRule | ForwardsRule):
        return True
    if isinstance(rule, NightModeRule):
        return rule.only is not None and set(rule.only) <= {"media", "forwards"}
    return False


def latin_only(rule: Rule) -> bool:
    """Rules only a text with an ASCII letter or digit can fire: the view
    finds links, handles, phone numbers and mentions in such text only."""
    return isinstance(rule, LinksRule | MentionsRule)


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    check: Check
    # Groups (keys like `telegram:-100123` or bare ids/names like `g2`) the
    # rule is for, None for all; and groups it is not for (an override has them).
    groups: frozenset[str] | None
    not_groups: frozenset[str]
    exempt_roles: frozenset[str]
    exempt_members: frozenset[str] | None
    min_level: int | None
    severity: int
    # Whether some members are exempt by name or level (checked per message).
    personal: bool
    # What the check says of a message it passes.
    miss: CheckResult
    # Whether plain text (no media, not a forward) can never fire the rule:
    # such a message skips the check and gets `miss`.
    media_only: bool
    # Whether a text without an ASCII letter or digit can never fire it.
    latin_only: bool

    def in_scope(self, group: str) -> bool:
        short = group.partition(":")[2]
        if group in self.not_groups or short in self.not_groups:
            return False
        return self.groups is None or group in self.groups or short in self.groups


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rules that apply to one kind of message (group, role, plain or
    not): settled once, not once per message."""

    # Each applicable rule with its check, or None where the message skips it.
    rules: tuple[tuple[Check | None, _Compiled], ...]
    # The checks that run, in order.
    run: tuple[tuple[Check, _Compiled], ...]
    # Whether some of them exempt members by name or level (looked at per message).
    personal: bool
    # The verdict of a message no check fires on: every rule's miss.
    clean: Verdict
    # The plan for a text without an ASCII letter or digit (most Chinese
    # messages), when it skips more checks; None when it would skip none.
    not_latin: _Plan | None = None

    @staticmethod
    def of(rules: tuple[tuple[Check | None, _Compiled], ...], *, split: bool = True) -> _Plan:
        run = tuple((check, c) for check, c in rules if check is not None)
        # A rule that spares some members keeps its check: the sparing
        # decides whether it has a result at all.
        skip = split and any(c.latin_only and not c.personal for _, c in run)
        return _Plan(
            rules=rules,
            run=run,
            personal=any(c.personal for _, c in run),
            clean=Verdict(tuple(c.miss for _, c in rules)),
            not_latin=_Plan.of(
                tuple(
                    (None if c.latin_only and not c.personal else check, c) for check, c in rules
                ),
                split=False,
            )
            if skip
            else None,
        )


class RuleSet:
    """Rules compiled once; `evaluate` is the per-message entry point and
    `evaluate_name` the one for a joining member's name.

    `timezone` is the community's (night mode). With `previous`, checks of
    rules that did not change are taken over with their state, so a reload
    does not forget flood windows or slow-mode timers.

    `lists`: other features' word lists by tag, searched in the same scan
    as the blocklist rules (`lexicon`; see `rules.lexicon`)."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        timezone: str = "UTC",
        previous: RuleSet | None = None,
        lists: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        reuse: dict[str, list[_Compiled]] = {}
        if previous is not None:
            for old in previous._all:
                reuse.setdefault(old.rule.id, []).append(old)
        # Each override is a rule of its own for its groups; the rule as
        # written applies everywhere else.
        scoped: list[tuple[Rule, frozenset[str]]] = []
        for rule in rules:
            overridden = frozenset(g for v in rule.variants for g in v.groups or ())
            scoped.append((rule, overridden))
            scoped.extend((v, frozenset()) for v in rule.variants)
        scoped = [(r, not_groups) for r, not_groups in scoped if r.enabled]
        compiler = Compiler([r for r, _ in scoped], timezone, lists)
        self.lexicon: Lexicon = compiler.lexicon
        compiled: list[_Compiled] = []
        for variant, not_groups in scoped:
            kept = None
            if variant.type in STATEFUL:
                olds = reuse.get(variant.id, ())
                kept = next((old.check for old in olds if old.rule == variant), None)
            exempt = variant.exempt
            compiled.append(
                _Compiled(
                    rule=variant,
                    check=kept or compiler.compile(variant),
                    groups=frozenset(variant.groups) if variant.groups is not None else None,
                    not_groups=not_groups,
                    exempt_roles=frozenset(exempt.roles),
                    exempt_members=frozenset(exempt.members) if exempt.members else None,
                    min_level=exempt.min_level,
                    severity=variant.action.severity,
                    personal=bool(exempt.members) or exempt.min_level is not None,
                    miss=CheckResult(variant.id, False),
                    media_only=media_only(variant),
                    latin_only=latin_only(variant),
                )
            )
        self._all: tuple[_Compiled, ...] = tuple(compiled)
        self._messages = tuple(c for c in compiled if not isinstance(c.rule, NamesRule))
        self._names = tuple(c for c in compiled if isinstance(c.rule, NamesRule))
        # What a message says, not how often or when it is said: the checks a
        # command's own text goes through.
        self._content = tuple(c for c in self._messages if c.rule.type not in _PACE)
        # (group, role, plain text) -> the rules that apply there, each with
        # whether its check runs: scope, role exemptions and the checks plain
        # text cannot fire are settled once per group and role, not once per
        # message.
        self._applicable_content: dict[tuple[str, str, bool], _Plan] = {}
        self._applicable: dict[tuple[str, str, bool], _Plan] = {}
        self._applicable_names: dict[tuple[str, str, bool], _Plan] = {}
        # Levels cost a lookup per message; only compute them when a rule asks.
        self.uses_level = any(c.min_level is not None for c in compiled)
        self.checks_names = bool(self._names)

    def __len__(self) -> int:
        return len(self._all)

    def evaluate(self, msg: MessageView) -> Verdict:
        if not self._messages:
            return CLEAN
        return self._run(msg, self._messages, self._applicable)

    def evaluate_content(self, msg: MessageView) -> Verdict:
        """Only the rules about a message's content (see `_PACE`)."""
        if not self._content:
            return CLEAN
        return self._run(msg, self._content, self._applicable_content)

    def evaluate_name(self, msg: MessageView) -> Verdict:
        """`msg.text` is a joining member's name and username."""
        if not self._names:
            return CLEAN
        return self._run(msg, self._names, self._applicable_names)

    @staticmethod
    def _run(
        msg: MessageView,
        compiled: tuple[_Compiled, ...],
        cache: dict[tuple[str, str, bool], _Plan],
    ) -> Verdict:
        plain = msg.media is None and not msg.forwarded
        where = (msg.group, msg.role, plain)
        plan = cache.get(where)
        if plan is None:
            plan = cache[where] = _Plan.of(
                tuple(
                    (None if plain and c.media_only else c.check, c)
                    for c in compiled
                    if c.in_scope(msg.group) and msg.role not in c.exempt_roles
                )
            )
        if plan.not_latin is not None and not msg.latin:
            plan = plan.not_latin
        if plan.personal:
            return _run_personal(msg, plan)
        # Most messages fire nothing: the checks run, and the verdict listing
        # every rule's miss is the plan's own, built once. Results are put
        # together only when something fires.
        fired: list[tuple[_Compiled, CheckResult]] | None = None
        for check, c in plan.run:
            result = check(msg)
            if result.hit:
                if fired is None:
                    fired = [(c, result)]
                else:
                    fired.append((c, result))
        if fired is None:
            return plan.clean
        hits = {id(c): result for c, result in fired}
        results = tuple(hits.get(id(c), c.miss) for _, c in plan.rules)
        return _decide(results, fired)


def _run_personal(msg: MessageView, plan: _Plan) -> Verdict:
    """A plan where some rules spare members by name or level: the rules
    that spare this sender leave no result at all."""
    results: list[CheckResult] = []
    fired: list[tuple[_Compiled, CheckResult]] = []
    for check, c in plan.rules:
        if check is None:
            results.append(c.miss)
            continue
        if c.personal and (
            (c.exempt_members is not None and msg.sender in c.exempt_members)
            or (c.min_level is not None and msg.level >= c.min_level)
        ):
            continue
        result = check(msg)
        results.append(result)
        if result.hit:
            fired.append((c, result))
    return _decide(tuple(results), fired)


def _decide(
    results: tuple[CheckResult, ...], fired: list[tuple[_Compiled, CheckResult]]
) -> Verdict:
    """The strongest action among the rules that fired wins, the rule
    written first on a tie; a dry run decides only when nothing else fired."""
    best: _Compiled | None = None
    best_result: CheckResult | None = None
    dry: list[tuple[_Compiled, CheckResult]] = []
    for c, result in fired:
        if c.rule.dry_run:
            dry.append((c, result))
        elif best is None or c.severity > best.severity:
            best, best_result = c, result
    if best is None and not dry:
        return Verdict(results)
    if best is None:
        first = max(dry, key=lambda d: d[0].severity)
        best, best_result = first
    dry_runs = tuple((c.rule, r) for c, r in dry if c is not best)
    return Verdict(results, best.rule, best_result, dry_runs)
