"""Mistakes a new owner makes in the community file, each named by its key
and a reason they can act on (found by trying the bot as a new owner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli import main
from bot.config import ConfigError, parse_config

HEAD = "community:\n  name: 读书会\n  slug: dushu\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_config(text)
    return list(exc.value.errors)


def test_a_key_written_twice_is_refused_rather_than_silently_overwritten() -> None:
    # YAML keeps the last of two equal keys: the first slug would vanish unseen.
    assert errors_of(HEAD + "  slug: other\n") == [
        "community.slug: set twice (also on line 3): keep one (line 4)"
    ]


def test_the_same_key_in_two_rules_is_no_duplicate() -> None:
    text = HEAD + "rules:\n  - {id: a, type: caps}\n  - {id: b, type: caps}\n"
    assert [r.id for r in parse_config(text).rules] == ["a", "b"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{id: a, type: caps, max_ratoi: 0.7}", "rules.1.max_ratoi: unknown key (did you mean `max_ratio`?)"),
        ("{id: a, type: flood, max: 3, per: 10s, actoin: delete}", "rules.1.actoin: unknown key (did you mean `action`?)"),
        ("{id: a, type: blocklist, word: [x]}", "rules.1.word: unknown key (did you mean `words`?)"),
    ],
)  # fmt: skip
def test_a_misspelt_rule_key_gets_a_suggestion(rule: str, expected: str) -> None:
    errors = errors_of(HEAD + "rules:\n  - " + rule + "\n")
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("  owners: [501]\n", "community.owners.1"),
        ("  owners: ['501']\n", "community.owners.1"),
        ("  moderators: [telegram 502]\n", "community.moderators.1"),
        ("  log_chat: -100900\n", "community.log_chat"),
    ],
)
def test_a_member_or_chat_without_its_platform_says_how_to_write_it(line: str, path: str) -> None:
    (error,) = errors_of(HEAD + line)
    assert error.startswith(f"{path}: ")
    assert "telegram:" in error and "pattern" not in error and "valid string" not in error


def test_check_config_reports_the_files_the_config_names_but_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without this, the morning post would only log a warning at 08:00, and
    # the FAQ would load without the file, each after a clean "ok".
    (tmp_path / "posts").mkdir()
    config = tmp_path / "community.yaml"
    config.write_text(
        HEAD
        + "schedule:\n"
        + "  - {id: morning, cron: '0 8 * * *', content_dir: posts}\n"
        + "  - {id: tips, cron: '0 9 * * *', content_dir: tips}\n"
        + "faq:\n  files: [answers.md]\n",
        encoding="utf-8",
    )
    assert main(["check-config", str(config)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"schedule.1.content_dir: no Markdown files in {tmp_path / 'posts'}"
    assert lines[1] == f"schedule.2.content_dir: no Markdown files in {tmp_path / 'tips'}"
    assert lines[2].startswith("faq.files.1: answers.md: ")
    assert len(lines) == 3

    (tmp_path / "posts" / "01.md").write_text("Good morning", encoding="utf-8")
    (tmp_path / "tips").mkdir()
    (tmp_path / "tips" / "01.md").write_text("A tip", encoding="utf-8")
    (tmp_path / "answers.md").write_text("---\nid: a\nquestions: [q]\n---\nA.\n", encoding="utf-8")
    assert main(["check-config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == "ok"
