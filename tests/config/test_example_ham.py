"""The example config must not punish ordinary chat: neither its rules nor
the shipped spam model (the default samples) act on any line of a corpus of
everyday messages, Chinese and English (`tests/data/ham.txt`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.features.moderation.rule_trial import NO_RULE, run_tests
from bot.features.risk.spam.evaluate import evaluate
from bot.features.risk.spam.model import HAM
from bot.features.risk.spam.training import shipped_model

HAM_FILE = Path(__file__).resolve().parent.parent / "data" / "ham.txt"


def ham() -> list[str]:
    lines = HAM_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_the_corpus_is_a_few_hundred_lines_of_both_languages() -> None:
    lines = ham()
    chinese = [x for x in lines if any("\u4e00" <= c <= "\u9fff" for c in x)]
    assert len(lines) >= 250
    assert 100 <= len(chinese) <= len(lines) - 100


def test_no_rule_of_the_example_config_fires_on_ordinary_chat(example_config: Config) -> None:
    outcomes = run_tests(example_config, (f"{NO_RULE}\t{line}" for line in ham()))
    assert [(o.text, o.fired, o.details) for o in outcomes if not o.ok] == []


@pytest.mark.parametrize("newcomer", [False, True], ids=["member", "newcomer"])
def test_the_shipped_spam_model_catches_no_ordinary_chat(
    example_config: Config, newcomer: bool
) -> None:
    test = [(HAM, line) for line in ham()]
    result = evaluate([], test, example_config.risk.spam, newcomer=newcomer, model=shipped_model())
    assert result.mistakes == ()
