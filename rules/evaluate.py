"""Run every enabled check on a message and pick what to do.

The verdict keeps each check's result so a moderator can be told which rule
fired and why. When several rules fire, the strongest action wins; on a tie,
the rule written first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.checks import Check, CheckResult, compile_check
from rules.message import MessageView
from rules.schema import Rule


@dataclass(frozen=True, slots=True)
class Verdict:
    results: tuple[CheckResult, ...]
    rule: Rule | None = None
    result: CheckResult | None = None

    @property
    def hit(self) -> bool:
        return self.rule is not None

    @property
    def hits(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.hit)


CLEAN = Verdict(())


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    check: Check
    groups: frozenset[str] | None
    exempt_roles: frozenset[str]
    exempt_members: frozenset[str]
    min_level: int | None


class RuleSet:
    """Rules compiled once; `evaluate` is the per-message entry point."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = tuple(
            _Compiled(
                rule=r,
                check=compile_check(r),
                groups=frozenset(r.groups) if r.groups is not None else None,
                exempt_roles=frozenset(r.exempt.roles),
                exempt_members=frozenset(r.exempt.members),
                min_level=r.exempt.min_level,
            )
            for r in rules
            if r.enabled
        )

        # Levels cost a lookup per message; only compute them when a rule asks.
        self.uses_level = any(c.min_level is not None for c in self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def evaluate(self, msg: MessageView) -> Verdict:
        if not self._rules:
            return CLEAN
        results: list[CheckResult] = []
        best: _Compiled | None = None
        best_result: CheckResult | None = None
        for c in self._rules:
            if c.groups is not None and msg.group not in c.groups:
                continue
            if msg.role in c.exempt_roles or msg.sender in c.exempt_members:
                continue
            if c.min_level is not None and msg.level >= c.min_level:
                continue
            result = c.check(msg)
            results.append(result)
            if result.hit and (best is None or c.rule.action.severity > best.rule.action.severity):
                best, best_result = c, result
        if best is None:
            return Verdict(tuple(results))
        return Verdict(tuple(results), best.rule, best_result)
