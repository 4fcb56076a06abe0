"""The community file: every mistake is reported as `path.to.key: reason`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli import main
from bot.config import ConfigError, load_config, parse_config
from tests.conftest import EXAMPLE, ROOT

MINIMAL = "community: {name: Test, slug: test}\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_config(text)
    return list(exc.value.errors)


def test_the_example_passes_check_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == "ok"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (MINIMAL + "bogus: 1\n", "bogus: unknown key (line 2)"),
        (MINIMAL + "point: {}\n", "point: unknown key (did you mean `points`?) (line 2)"),
        ("community: {name: T, slug: t, timezon: UTC}\n", "community.timezon: unknown key (did you mean `timezone`?)"),
        ("community: {name: T, slug: t, timezone: Mars/Base}\n", "community.timezone: unknown time zone 'Mars/Base'"),
        ("community: {name: T, slug: t, language: fr}\n", "community.language: unsupported language 'fr'"),
        (MINIMAL + "rules:\n  - {id: a, type: blocklist, words: ['re:(x']}\n", "rules.1.words: bad regex '(x'"),
        (MINIMAL + "rules:\n  - {id: a, type: flood, max: 5, per: 10q}\n", "rules.1.per: '10q' is not a duration"),
        (MINIMAL + "rules:\n  - {id: a, type: flood, max: five, per: 10s}\n", "rules.1.max: Input should be a valid integer"),
        (MINIMAL + "rules:\n  - {id: a, type: nope}\n", "rules.1: unknown rule type 'nope'"),
        (MINIMAL + "rules:\n  - {id: a, type: links, action: explode}\n", "rules.1.action: unknown action 'explode'"),
        (MINIMAL + "points:\n  message: {cooldown: 10}\n", "points.message.cooldown: 10 has no unit"),
        (MINIMAL + "points:\n  levels: [{min: 5, title: x}]\n", "points.levels: the first level must start at min: 0"),
        (MINIMAL + "escalation: {ladder: [{at: 5, do: ban}, {at: 3, do: kick}]}\n", "escalation.ladder: steps must have distinct"),
        (MINIMAL + "rules:\n  - {id: a, type: flood, max: 5, per: 1s}\n  - {id: a, type: flood, max: 5, per: 1s}\n", "rules: rule id 'a' is used twice"),
        ("community: {name: T}\n", "community.slug: is required"),
        (MINIMAL + "platforms: {telegram: {token: '${GK_TEST_UNSET_TOKEN}'}}\n", "platforms.telegram.token: environment variable GK_TEST_UNSET_TOKEN is not set (line 2)"),
    ],
)  # fmt: skip
def test_errors_name_the_path_and_the_reason(yaml_text: str, expected: str) -> None:
    errors = errors_of(yaml_text)
    assert any(e.startswith(expected) for e in errors), errors


def test_all_errors_are_reported_at_once_with_their_lines() -> None:
    errors = errors_of(
        "community:\n  name: T\n  slug: t\n  timezone: Nowhere/Land\n"
        "rules:\n  - id: x\n    type: flood\n    max: 3\n    per: soon\n"
    )
    assert len(errors) == 2
    assert errors[0].endswith("(line 4)")
    assert errors[1].startswith("rules.1.per:") and errors[1].endswith("(line 9)")


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GK_TEST_TOKEN", "123:abc")
    config = parse_config(MINIMAL + "platforms: {telegram: {token: '${GK_TEST_TOKEN}'}}\n")
    assert config.platforms.telegram.token == "123:abc"
    config = parse_config(MINIMAL + "platforms: {telegram: {token: '${GK_TEST_NONE:-}'}}\n")
    assert config.platforms.telegram.token is None


def test_durations_and_actions_read_the_way_owners_write_them() -> None:
    config = parse_config(
        MINIMAL
        + "rules:\n  - {id: f, type: flood, max: 5, per: 1h30m, action: {ban: 2d}}\n"
        + "  - {id: k, type: blocklist, words: [x], action: kick}\n"
    )
    flood, kick = config.rules
    assert flood.per.total_seconds() == 5400
    assert flood.action.ban and flood.action.ban_for is not None
    assert flood.action.ban_for.days == 2 and flood.action.delete
    assert kick.action.kick and kick.action.delete


def test_check_config_cli_prints_errors_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL + "rules:\n  - {id: a, type: flood, max: 5, per: 10q}\n")
    result = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check-config", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("rules.1.per: '10q' is not a duration")


def test_invalid_yaml_is_reported_with_its_line() -> None:
    errors = errors_of("community: {name: T\n  slug: [\n")
    assert errors[0].startswith("(file): not valid YAML")


def test_mutes_longer_than_discord_allows_are_refused_when_discord_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GK_TEST_DISCORD", "token")
    text = (
        MINIMAL
        + "platforms: {discord: {token: '${GK_TEST_DISCORD}'}}\n"
        + "rules:\n  - {id: f, type: flood, max: 3, per: 1s, action: {mute: 30d}}\n"
    )
    assert errors_of(text) == ["rules.1.action.mute: Discord timeouts last at most 28d (line 4)"]
    monkeypatch.delenv("GK_TEST_DISCORD")
    assert parse_config(text.replace("${GK_TEST_DISCORD}", "${GK_TEST_DISCORD:-}")).rules


def test_check_config_never_echoes_a_value_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A secret put in the wrong variable: the reason names the key, not the value.
    monkeypatch.setenv("GK_TEST_SECRET", "123456:AAE-not-a-timezone")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "community: {name: T, slug: t, timezone: '${GK_TEST_SECRET}', language: '${GK_TEST_SECRET}'}\n"
        "rules:\n  - {id: a, type: flood, max: 5, per: '${GK_TEST_SECRET}'}\n"
    )

    assert main(["check-config", str(bad)]) == 1

    out = capsys.readouterr().out
    assert "community.timezone: unknown time zone" in out
    assert "rules.1.per" in out and "community.language" in out
    assert "123456:AAE-not-a-timezone" not in out


def test_a_yaml_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "community.yaml"
    path.write_text("community:\n  name: x\n  bad: : :\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f'in "{path}", line 3' in caught.value.errors[0]
    assert "<unicode string>" not in caught.value.errors[0]


def test_list_items_are_counted_from_one_as_in_the_file_and_number_keys_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GK_NOT_SET", raising=False)
    text = (
        MINIMAL
        + "points: {checkin: {streak: {3: lots}}}\n"
        + "community2: x\n"
        + "rules:\n"
        + "  - {id: first, type: caps}\n"
        + "  - {id: second, type: flood, max: 5, per: 10q}\n"
        + "  - {id: third, type: blocklist, words: ['${GK_NOT_SET}']}\n"
    )
    errors = errors_of(text)
    # The second rule in the file is rules.2; a streak of 3 days stays 3.
    assert any(e.startswith("rules.2.per: '10q'") for e in errors), errors
    assert any(e.startswith("rules.3.words.1: environment variable GK_NOT_SET") for e in errors)
    assert any(e.startswith("points.checkin.streak.3") for e in errors), errors
