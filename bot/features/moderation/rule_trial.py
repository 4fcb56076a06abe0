"""`groupkeeper rules test`: owners check their rules against sample
messages, in their own CI, before a changed rule reaches a group.

A test file is TSV: `expected<TAB>message text` per line, where `expected`
is the id of the rule that must fire, or `-` when none may. Blank lines and
`#` comments are skipped. Each message comes from a different long-standing
member (or a newcomer, with `newcomer`), a day apart at noon local time, so
counting rules (flood, duplicates, slow mode) see every line on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Config
from rules.evaluate import RuleSet
from rules.message import MessageView

NO_RULE = "-"
_START = datetime(2026, 1, 5, 12, 0)


@dataclass(frozen=True, slots=True)
class Outcome:
    line: int
    expected: str
    text: str
    # Every rule that fired, the one that decides first.
    fired: tuple[str, ...] = ()
    details: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        if self.expected == NO_RULE:
            return not self.fired
        return self.expected in self.fired

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "line": self.line,
            "expected": self.expected,
            "fired": list(self.fired),
            "ok": self.ok,
            "text": self.text,
        }
        if self.details:
            out["details"] = self.details
        if self.error:
            out["error"] = self.error
        return out

    def render(self) -> str:
        status = "ok  " if self.ok else "FAIL"
        if self.error:
            return f"{status} line {self.line}: {self.error}"
        got = ", ".join(self.fired) if self.fired else NO_RULE
        why = f" ({self.details})" if self.details else ""
        verdict = got + why if self.ok else f"expected {self.expected}, got {got}{why}"
        return f"{status} line {self.line}: {verdict}  | {self.text}"


def run_tests(
    config: Config, lines: Iterable[str], *, group: str = "test", newcomer: bool = False
) -> list[Outcome]:
    rules = RuleSet(config.rules, timezone=config.community.timezone)
    known = {r.id for r in config.rules}
    start = _START.replace(tzinfo=config.community.tz).timestamp()
    out: list[Outcome] = []
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expected, tab, text = line.partition("\t")
        expected = expected.strip()
        if not tab:
            out.append(Outcome(n, expected, line, error="expected `rule_id<TAB>message text`"))
            continue
        if expected != NO_RULE and expected not in known:
            out.append(Outcome(n, expected, text, error=f"no rule has the id {expected!r}"))
            continue
        view = MessageView(
            text=text,
            group=group if ":" in group else f"test:{group}",
            sender=f"test:member{n}",
            at=start + n * 86400,
            member_age=0.0 if newcomer else timedelta(days=365).total_seconds(),
            message_count=1 if newcomer else 1000,
        )
        verdict = rules.evaluate(view)
        fired = tuple(r.rule for r in verdict.hits)
        if verdict.rule is not None:
            fired = (verdict.rule.id, *(f for f in fired if f != verdict.rule.id))
        details = verdict.result.details if verdict.result is not None else ""
        out.append(Outcome(n, expected, text, fired, details))
    return out
