"""Tiers: what each one allows (its own and those below it), the shop's
price, the rules' exemption filled from the tier, and config errors told as
`path: reason`."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console.session import ConsoleSession
from bot.config import Config, ConfigError, load_config, parse_config
from bot.core.clock import FakeClock
from bot.features.points.feature import PointsFeature
from bot.features.tiers.tiers import Tiers
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START, run_script

TIERS = """
tiers:
  - {level: 1, name: Newcomer}
  - {level: 2, name: Regular, report_weight: 1.5, discount: 10, slow_mode: true}
  - {level: 3, name: Core, links: true, discount: 5, groups: ["telegram:-100777"]}
"""


def with_tiers(extra: str = TIERS) -> Config:
    return parse_config(EXAMPLE.read_text(encoding="utf-8") + extra)


class FakePoints:
    def __init__(self, levels: dict[str, int]) -> None:
        self.levels = levels

    def level_of(self, key: str) -> int:
        return self.levels.get(key, 1)


def test_a_tier_has_its_own_privileges_and_those_below() -> None:
    tiers = Tiers(with_tiers(), FakePoints({"core": 3, "reg": 2}))  # type: ignore[arg-type]
    core = tiers.of("core").privileges
    assert (core.links, core.slow_mode, core.report_weight, core.discount) == (True, True, 1.5, 10)
    assert core.groups == {"telegram:-100777"}
    assert tiers.of("core").following is None
    newcomer = tiers.of("nobody")
    assert newcomer.tier is not None and newcomer.tier.name == "Newcomer"
    assert newcomer.following is not None and newcomer.following.name == "Regular"
    # 10% off, rounded in the member's favour.
    assert tiers.price("reg", 45) == 41
    assert tiers.price("nobody", 45) == 45
    assert tiers.report_weight("nobody") == 1.0
    assert tiers.gates == {"telegram:-100777": 3}


def test_the_links_rule_skips_the_tier_that_allows_links() -> None:
    config = with_tiers()
    links = next(r for r in config.rules if r.id == "links")
    assert links.exempt.min_level == 3
    # A rule that names its own level keeps it.
    own = parse_config(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "    probation: 24h", "    probation: 24h\n    exempt: {min_level: 2}"
        )
        + TIERS
    )
    assert next(r for r in own.rules if r.id == "links").exempt.min_level == 2


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("tiers:\n  - {level: 4, name: Legend}\n", "tiers.1.level: points.levels has 3 levels"),
        ("tiers:\n  - {level: 2, name: A}\n  - {level: 2, name: B}\n", "tier levels must increase"),
        ("tiers:\n  - {level: 2, name: A, discount: 95}\n", "tiers.1.discount"),
        ("notice: {refresh: 7d}\n", "give the notice a text or a file"),
        ("seasons:\n  week: {prizes: {points: [10, 0]}}\n", "prize points must be positive"),
    ],
)
def test_bad_tiers_seasons_and_notices_are_refused_with_the_path(extra: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        with_tiers(extra)
    assert said in str(caught.value)


async def test_a_tiers_report_weight_hides_a_message_alone(store: SqlStore) -> None:
    """Three reports hide a message; a level-2 member's counts three times."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    # Approved members' reports count once, as everyone's: only the tier weighs.
    text = text.replace("trusted_weight: 2", "trusted_weight: 1")
    config = parse_config(text + "tiers:\n  - {level: 2, name: Regular, report_weight: 3}\n")
    session = ConsoleSession(config, store, FakeClock(START))
    await session.start()
    try:
        out = await run_script(
            session,
            """
!mod mia
+ann
+bob
+cat
ann: you are all idiots and I will spam you
mia: /points give @bob 150 helped at the meetup
cat > 4: /report rude
bob > 4: /report rude
""",
        )
    finally:
        await session.close()
    hidden = [n for n, line in enumerate(out) if "was hidden after members' reports" in line]
    # cat's report (a newcomer's) hides nothing; bob's (level 2) does.
    assert len(hidden) == 1
    assert hidden[0] > next(n for n, line in enumerate(out) if "bob: /report" in line)
    assert any("bot deletes #4" in line for line in out)


async def test_a_level_lost_to_a_removed_message_takes_its_role_back(store: SqlStore) -> None:
    path = Path(__file__).parents[2] / "scenarios" / "community_month.yaml"
    session = ConsoleSession(load_config(path), store, FakeClock(START), config_path=path)
    await session.start()
    try:
        out = await run_script(
            session,
            """
!mod mia
+alice
mia: /points give @alice 49 welcome
alice: my first message with a link-free text
""",
        )
        assert any("bot gives alice the role core" in line for line in out)
        points = session.engine.feature(PointsFeature).points
        # The message (#4) is removed later: its point goes back, level 3 with it.
        assert points.take_back("console:g1", 4, START) == "console:alice"
        out = await run_script(session, "!clock +1m")
    finally:
        await session.close()
    assert any("bot takes the role core from alice" in line for line in out)
    assert points.level_of("console:alice") == 2
