"""Numbers, ids and durations typed in chat: every command reads them with
the core's one strict parser, so a typo gets a clear answer instead of a
wrong sanction or an exception."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.console.session import ConsoleSession
from bot.core.arguments import Refused, duration, ident, whole
from bot.features.risk.feature import RiskFeature
from tests.conftest import run_script

DAY = timedelta(days=1)


@pytest.mark.parametrize("text", ["²", "١٢", "１２", "-3", "+3", "", "3.5", "0x1f"])
def test_only_ascii_digits_make_a_number(text: str) -> None:
    with pytest.raises(Refused):
        whole(text, 0, 100)


def test_a_number_outside_its_bounds_is_refused_with_them() -> None:
    assert whole("100", 1, 100) == 100
    with pytest.raises(Refused) as refused:
        whole("99999999999999999999", 1, 100)
    assert refused.value.values == {"value": "99999999999999999999", "low": 1, "high": 100}


def test_an_id_may_carry_a_hash_and_stays_within_a_database_integer() -> None:
    assert ident("#12") == 12
    for text in ("#", "0", "99999999999999999999", "#²"):
        with pytest.raises(Refused):
            ident(text)


@pytest.mark.parametrize("text", ["-1d", "0m", "0s", "99999999999d", "9999999w", "1d²", "10mins"])
def test_durations_below_or_above_their_bounds_or_misspelled_are_refused(text: str) -> None:
    with pytest.raises(Refused):
        duration(text, timedelta(minutes=1), timedelta(days=28))


def test_a_duration_within_bounds_reads_as_written() -> None:
    assert duration("1h30m", timedelta(minutes=1), DAY) == timedelta(hours=1, minutes=30)


SETUP = "!mod mia\ncarol: hi\nbob: hi\n"


@pytest.mark.parametrize(
    "line",
    [
        "mia: /ban @carol -1d",
        "mia: /mute @carol 0m",
        "mia: /mute @carol 99999999999d",
        "mia: /ban @carol 9999999w",
        "mia: /mute @carol +1d",
    ],
)
async def test_a_mistyped_sanction_length_sanctions_nobody(
    console: ConsoleSession, line: str
) -> None:
    out = await run_script(console, SETUP + line)
    assert not any(" bans " in o or " mutes " in o for o in out), out
    assert "carol" not in out[-1] or "@carol" not in out[-1].split("bot:")[-1]
    assert "bot:" in out[-1]


async def test_a_ban_length_beyond_its_bound_names_the_bound(console: ConsoleSession) -> None:
    out = await run_script(console, SETUP + "mia: /ban @carol 9999999w")
    assert "366d" in out[-1]


@pytest.mark.parametrize(
    "line",
    [
        "bob: /rsvp ²",
        "mia: /fulfill ²",
        "mia: /reject ²",
        "mia: /why ²",
        "mia: /ack ²",
        "mia: /why 99999999999999999999",
        "mia: /unlock ²",
        "mia: /lockdown 99999999d",
        "mia: /lockdown -1h",
        "mia: /points give @bob 999999999",
    ],
)
async def test_bad_numbers_get_a_clear_answer(console: ConsoleSession, line: str) -> None:
    out = await run_script(console, SETUP + line)
    assert "bot:" in out[-1]


async def test_a_lockdown_without_a_length_lifts_after_the_documented_default(
    console: ConsoleSession,
) -> None:
    out = await run_script(console, SETUP + "mia: /lockdown")
    lockdown = console.engine.feature(RiskFeature).risk.lockdowns.active
    (record,) = lockdown.values()
    assert record.lift_at == record.started_at + timedelta(hours=2)
    assert any("2h" in o for o in out)


async def test_an_event_past_a_year_ahead_is_refused(console: ConsoleSession) -> None:
    out = await run_script(console, SETUP + "mia: /event new 9999-12-31 20:00 5 far future")
    assert "9999-12-31" in out[-1]
    out = await run_script(console, "bob: /events")
    assert not any("far future" in o for o in out)
