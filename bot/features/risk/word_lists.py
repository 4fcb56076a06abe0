"""The risk feature's word lists, searched in the same scan as the rules'
blocklists (`rules.lexicon`): the spam detector's stop words and the
monitors' watched keywords. The feature hands them to the rule set on every
reload (`RiskFeature.word_lists`) and its checks look them up by tag, so the
list compiled and the list searched for come from one function."""

from __future__ import annotations

from bot.config.risk import MonitorsConfig, RiskConfig

STOP_WORDS = "risk.spam.stop_words"
KEYWORDS = "risk.monitors.keywords"


def keywords(config: MonitorsConfig) -> list[str]:
    """The watched keywords; a blank entry is left out (it would match every
    message)."""
    return [w for w in config.keywords.words if w.strip()] if config.keywords else []


def word_lists(config: RiskConfig) -> dict[str, list[str]]:
    """Only what will be searched: no stop words with the detector off."""
    lists = {KEYWORDS: keywords(config.monitors)}
    if config.spam.enabled:
        lists[STOP_WORDS] = config.spam.stop_words
    return lists
