"""`type: blocklist`: words, phrases, wildcards and regexes members may not post."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from rules.blocklist import Blocklist, Matches, regex_entry
from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return pattern


def _check_words(words: list[str]) -> list[str]:
    for word in words:
        if not word.strip():
            raise ValueError("an entry is empty")
        regex = regex_entry(word)
        if regex is not None:
            _check_regex(regex)
    return words


Words = Annotated[list[str], AfterValidator(_check_words)]


class BlocklistRule(RuleBase):
    type: Literal["blocklist"]
    # Words or phrases; `*` matches any run of characters. An entry written as
    # `re:<pattern>` or `/<pattern>/` is a regular expression on folded text.
    words: Annotated[Words, Field(min_length=1)]

    def describe(self, tr: Translate) -> str:
        return tr("rules.blocklist")


def blocklist_check(
    rule: BlocklistRule, shared: tuple[Callable[[MessageView], Matches], int] | None = None
) -> Check:
    """Words, phrases, wildcards and regexes on the normalized text; see
    `rules.blocklist` for how each kind of entry matches. With `shared`, the
    list is answer `owner` of a search that every blocklist rule of the rule
    set shares (`rules.lexicon`), so a message is scanned once for all of them."""
    search, owner = shared if shared is not None else (Blocklist([rule.words]).search, 0)
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        m = msg.memo(search, search)[owner]
        if m is None:
            return miss
        if m.regex:
            return hit(rule_id, "matched", f"matched /{m.text}/", text=m.text)
        return hit(rule_id, "matched", f"matched {m.entry!r}", text=m.entry)

    return check
