"""FAQ entries from the config and from files, how questions match them, and
the limits on answering."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.session import ConsoleSession
from bot.config import ConfigError, parse_config
from bot.config.faq import FaqConfig, FaqEntry
from bot.features.faq.entries import Entry, load_entries
from bot.features.faq.feature import FaqFeature
from bot.features.faq.matcher import Matcher, is_question, words
from tests.conftest import EXAMPLE, START, run_script


def entry(id: str, *questions: str, en: str = "answer", zh: str | None = None) -> Entry:
    answers = {"en": en} | ({"zh": zh} if zh else {})
    return Entry(id, list(questions), answers)  # type: ignore[arg-type]


MATCHER = Matcher(
    [
        entry("price", "how much does membership cost", "会员多少钱"),
        entry("meetup", "when is the next meetup", "下次聚会是什么时候"),
        entry("invoice", "can I get an invoice"),
    ]
)


@pytest.mark.parametrize(
    ("question", "best", "at_least"),
    [
        ("How much does the membership cost?", "price", 0.9),
        ("how much do memberships cost", "price", 0.6),
        ("When's the next meetup?", "meetup", 0.6),
        ("下次聚会是什么时候？", "meetup", 0.9),
        ("请问会员多少钱", "price", 0.6),
        ("can i get an invoice for last week's workshop", "invoice", 0.5),
    ],
)
def test_questions_match_their_entry(question: str, best: str, at_least: float) -> None:
    found = MATCHER.best(question, 1)
    assert found and found[0][1].id == best and found[0][0] >= at_least


def test_unrelated_text_matches_nothing_confidently() -> None:
    assert MATCHER.best("the weather is lovely today", 3, 0.6) == []
    assert MATCHER.best("", 3) == []
    # Sharing one common word is not a match.
    assert MATCHER.best("how much rain fell yesterday", 1, 0.6) == []


def test_words_fold_width_case_and_plurals() -> None:
    assert words("ＭＥＥＴＵＰＳ Cost") == words("meetup cost")
    assert "聚会" in words("下次聚会") and "的" not in "".join(words("我的聚会"))


@pytest.mark.parametrize(
    ("text", "question"),
    [("When is it?", True), ("这个多少钱", True), ("how do I join", True),
     ("I joined today", False), ("谢谢大家", False)],
)  # fmt: skip
def test_what_looks_like_a_question(text: str, question: bool) -> None:
    assert is_question(text.casefold()) is question


def test_files_yaml_and_markdown_merge_by_id_and_report_problems(tmp_path: Path) -> None:
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "a.en.md").write_text(
        "---\nid: price\nlanguage: en\nquestions: [how much is it]\n---\nIt is free.\n",
        encoding="utf-8",
    )
    (tmp_path / "faq" / "a.zh.md").write_text(
        "---\nid: price\nlanguage: zh\nquestions: 多少钱\n---\n免费。\n", encoding="utf-8"
    )
    (tmp_path / "faq" / "list.yaml").write_text(
        "entries:\n  - {id: hours, questions: [when are you open], answer: {en: '9 to 5'}}\n"
        "  - {id: BAD ID, questions: [x], answer: {en: y}}\n",
        encoding="utf-8",
    )
    (tmp_path / "faq" / "empty.md").write_text("---\nid: x\nquestions: [q]\n---\n", "utf-8")
    config = FaqConfig(
        files=["faq", "missing.yaml"],
        entries=[FaqEntry(id="price", questions=["price?"], answer={"en": "Free."})],
    )

    entries, problems = load_entries(config, tmp_path, "en")

    by_id = {e.id: e for e in entries}
    assert by_id["price"].questions == ["price?", "how much is it", "多少钱"]
    assert by_id["price"].answers == {"en": "It is free.", "zh": "免费。"}
    assert "hours" not in by_id  # its file holds a bad entry: the file is refused whole
    assert problems == [
        "faq.files.1: empty.md: the answer (the text after the front matter) is empty",
        "faq.files.1: list.yaml: entry 2: id: an id is 1-24 lowercase letters, digits, - or _",
        "faq.files.2: missing.yaml: no such file or folder",
    ]


def test_bad_entries_in_the_config_are_refused_with_their_path() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("    - id: refund", "    - id: checkin")
    with pytest.raises(ConfigError) as refused:
        parse_config(text)
    assert any(
        e.startswith("faq.entries.2.id: 'checkin' is used twice") for e in refused.value.errors
    )


async def test_answers_are_limited_per_group_per_hour(console: ConsoleSession) -> None:
    faq = console.engine.feature(FaqFeature).faq
    config = console.engine.config
    faq_config = config.faq.model_copy(
        update={
            "per_hour": 2,
            "cooldown": timedelta(seconds=1),
            "entries": [
                FaqEntry(id="a", questions=["where is the office"], answer={"zh": "A"}),
                FaqEntry(id="b", questions=["when does the office open"], answer={"zh": "B"}),
                FaqEntry(id="c", questions=["who runs the office"], answer={"zh": "C"}),
            ],
        }
    )
    console.engine.reload(config.model_copy(update={"faq": faq_config}))
    assert sorted(faq.by_id) == ["a", "b", "c"]
    out = await run_script(
        console,
        "ann: where is the office?\nbob: when does the office open?\ncat: who runs the office?",
    )
    answers = [line.split("bot: ", 1)[1] for line in out if "bot: " in line]
    assert answers == ["A", "B"]
    out = await run_script(console, "!clock +61m\ncat: who runs the office?")
    assert out[-1].endswith("bot: C")
    assert console.clock.now() > START


def test_an_answer_falls_back_to_another_language() -> None:
    e = entry("x", "q", en="English", zh="中文")
    assert e.answer("zh", "en") == "中文"
    assert entry("y", "q", en="only English").answer("zh") == "only English"
