"""`type: blocklist`: words, phrases, wildcards and regexes members may not post."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from rules.blocklist import Blocklist, regex_entry
from rules.checks import Check, CheckResult, hit
from rules.message import MessageView
from rules.types.base import RuleBase, Translate, outcome


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
        return tr("rules.blocklist", outcome=outcome(tr, self.action, self.warns))


def blocklist_check(rule: BlocklistRule, shared: tuple[Blocklist, int] | None = None) -> Check:
    """Words, phrases, wildcards and regexes on the normalized text; see
    `rules.blocklist` for how each kind of entry matches. With `shared`, the
    list is entry `owner` of a Blocklist that every blocklist rule of the rule
    set shares, so a message is scanned once for all of them."""
    words, owner = shared if shared is not None else (Blocklist([rule.words]), 0)
    search = words.search
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        m = msg.memo(words, search)[owner]
        if m is None:
            return miss
        if m.regex:
            return hit(rule_id, "matched", f"matched /{m.text}/", text=m.text)
        return hit(rule_id, "matched", f"matched {m.entry!r}", text=m.entry)

    return check
