"""The process's sections of the community file: defaults, and bad values
answered as `path.to.key: reason`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, parse_config

BASE = "community: {name: Green, slug: green}\n"


def test_defaults_log_text_serve_no_metrics_and_take_over_within_15s() -> None:
    config = parse_config(BASE)
    assert config.logging.format == "text"
    assert config.metrics.port is None
    assert config.standby.takeover == timedelta(seconds=15)


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ("logging: {format: xml}", "logging.format"),
        ("logging: {level: LOUD}", "logging.level"),
        ("metrics: {port: 70000}", "metrics.port"),
        ("standby: {takeover: 2s}", "standby.takeover"),
        ("standby: {takeover: 1h}", "standby.takeover"),
        ("standby: {tekeover: 15s}", "standby.tekeover"),
    ],
)
def test_bad_values_name_their_key(section: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE + section + "\n")
    assert any(line.startswith(f"{path}:") for line in caught.value.errors), caught.value.errors
