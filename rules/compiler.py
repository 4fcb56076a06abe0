"""Each rule compiles once into its type's check; the rules of one rule set
share what their checks can share."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rules.checks import Check
from rules.lexicon import Lexicon
from rules.schema import Rule
from rules.types.blocklist import BlocklistRule, blocklist_check
from rules.types.caps import caps_check
from rules.types.duplicates import duplicates_check
from rules.types.emoji import emoji_check
from rules.types.flood import flood_check
from rules.types.forwards import forwards_check
from rules.types.honeypot import honeypot_check
from rules.types.length import length_check
from rules.types.links import links_check
from rules.types.media import media_check
from rules.types.mentions import mentions_check
from rules.types.names import names_check
from rules.types.night_mode import NightModeRule, night_mode_check
from rules.types.probation import probation_check
from rules.types.slow_mode import slow_mode_check

_FACTORIES: dict[str, Callable[..., Check]] = {
    "blocklist": blocklist_check,
    "links": links_check,
    "flood": flood_check,
    "duplicates": duplicates_check,
    "caps": caps_check,
    "mentions": mentions_check,
    "emoji": emoji_check,
    "forwards": forwards_check,
    "media": media_check,
    "length": length_check,
    "probation": probation_check,
    "slow_mode": slow_mode_check,
    "names": names_check,
    "honeypot": honeypot_check,
}

# Checks that remember earlier messages: a reload keeps them when their rule
# did not change.
STATEFUL = frozenset({"flood", "duplicates", "slow_mode"})


class Compiler:
    """Compiles the rules of one rule set, sharing what checks can share:
    every blocklist rule becomes one list of a single Blocklist, which also
    holds the word lists other features hand the rule set (`lists`, by
    tag; see `rules.lexicon`)."""

    def __init__(
        self,
        rules: Sequence[Rule],
        timezone: str = "UTC",
        lists: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.timezone = timezone
        blocklists = [r for r in rules if isinstance(r, BlocklistRule)]
        self.lexicon = Lexicon([r.words for r in blocklists], lists or {})
        self._owner = {id(r): i for i, r in enumerate(blocklists)}

    def compile(self, rule: Rule) -> Check:
        if isinstance(rule, NightModeRule):
            return night_mode_check(rule, self.timezone)
        blocklist = self.lexicon.blocklist
        if isinstance(rule, BlocklistRule) and blocklist is not None:
            return blocklist_check(rule, (blocklist, self._owner[id(rule)]))
        return _FACTORIES[rule.type](rule)


def compile_check(rule: Rule, timezone: str = "UTC") -> Check:
    return Compiler([rule], timezone).compile(rule)
