"""`groupkeeper check-config` (and `run`) in a folder without config.yaml,
no FILE given and no $GROUPKEEPER_CONFIG: the owner is told what is
missing and how to name a file, in their shell's language, not "cannot read
config.example.yaml" (a file they never mentioned)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapters.cli import main
from tests.conftest import EXAMPLE


@pytest.fixture
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GROUPKEEPER_CONFIG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return tmp_path


@pytest.mark.parametrize("command", [["check-config"], ["run"], ["console"]])
def test_no_config_here_says_how_to_give_one(
    empty_folder: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 1
    said = capsys.readouterr()
    text = said.out + said.err
    assert "no config.yaml in " + str(empty_folder) in text
    assert "$GROUPKEEPER_CONFIG" in text and "config.example.yaml" in text
    assert "cannot read" not in text
    how = "check-config FILE" if command == ["check-config"] else "--config FILE"
    assert how in text


def test_no_config_here_in_chinese_for_a_chinese_shell(
    empty_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["check-config"]) == 1
    said = capsys.readouterr()
    assert "这里没有 config.yaml" in said.out + said.err


def test_config_yaml_here_is_the_one_checked(
    empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EXAMPLE, empty_folder / "config.yaml")
    assert main(["check-config"]) == 0
    assert capsys.readouterr().out.strip() == "ok"


def test_the_example_is_still_the_fallback_where_it_lies(
    empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A checkout without config.yaml: `make run` runs the example, as documented.
    shutil.copy(EXAMPLE, empty_folder / "config.example.yaml")
    assert main(["check-config"]) == 0


def test_an_environment_path_that_is_missing_is_named(
    empty_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GROUPKEEPER_CONFIG", str(empty_folder / "mine.yaml"))
    assert main(["check-config"]) == 1
    assert "mine.yaml" in capsys.readouterr().out
