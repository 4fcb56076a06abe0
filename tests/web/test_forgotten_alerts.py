"""A member who asks to be forgotten leaves no name in the risk alerts: the
alerts the monitors raised about her (a watched word, her unanswered
question, the raid she joined with) keep their meaning for the moderators
but show the erasure's anonymous alias instead of her, in the database, on
the dashboard, in /alerts and in later reminders; the other members an
alert names stay named."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from adapters.web.views import risk_of
from bot.features.risk.records import RiskAlertRecord
from bot.features.risk.risk import Risk
from storage.models.base import Base
from storage.sql_store import SqlStore
from tests.conftest import START
from tests.web.conftest import MODERATOR, Web

ALIAS = re.compile(r"erased:[0-9a-f]{12}")
# How eve is shown (display: her @username) and her key.
EVE, EVE_KEY = "@eve", "console:eve"
GUESTS = [f"guest{n}" for n in range(9)]


def _risk(web: Web) -> Risk:
    risk = risk_of(web.session.engine)
    assert risk is not None
    return risk


def _stored(web: Web) -> list[RiskAlertRecord]:
    risk = _risk(web)
    slug = web.session.engine.config.community.slug
    since = START - timedelta(days=1)
    alerts: list[RiskAlertRecord] = web.client.portal.call(  # type: ignore[union-attr]
        risk.store.alerts_since, slug, since
    )
    return alerts


def _words(alert: RiskAlertRecord) -> str:
    return f"{alert.summary}\n{alert.evidence}"


def _activity_alias(web: Web) -> str:
    """The alias the rest of the erasure moved eve's rows to."""
    table = Base.metadata.tables["member_activity"]

    store = web.session.store
    assert isinstance(store, SqlStore)

    async def read() -> set[str]:
        async with store.engine.connect() as c:
            rows = await c.execute(select(table.c.member_key).distinct())
            return {key for (key,) in rows}

    keys: set[str] = web.client.portal.call(read)  # type: ignore[union-attr]
    aliases = {k for k in keys if ALIAS.fullmatch(k)}
    assert len(aliases) == 1, keys
    return aliases.pop()


def test_forgetme_leaves_no_name_in_stored_or_shown_alerts(web: Web) -> None:
    web.say("!mod mia", "bob: morning all")
    # Ten joins within the raid window: eve among the guests (the alert
    # names the latest eight).
    web.say("+guest0", "+guest1", "+eve", *(f"+{g}" for g in GUESTS[2:]))
    web.say("eve: I want a refund for the workshop")
    web.say("eve: is there a recording of the pitch night somewhere?")
    web.say("!clock +31m")
    before = _stored(web)
    kinds = sorted(a.kind for a in before)
    assert kinds == ["keyword", "raid", "unanswered_question"]
    assert all(EVE in _words(a) for a in before)
    assert "refund for the workshop" in _words(before[1])
    assert "recording of the pitch night" in _words(before[2])

    web.say("[dm] eve: /forgetme", "[dm] eve: /forgetme confirm")

    alias = _activity_alias(web)
    after = {a.kind: a for a in _stored(web)}
    for alert in after.values():
        text = _words(alert)
        assert EVE not in text and EVE_KEY not in text
        assert alias in text
        # Her own words are gone; the watched word the owner chose stays.
        assert "refund for the workshop" not in text and "pitch night" not in text
    assert after["keyword"].summary == f"{alias} wrote “refund”: (erased at the member's request)"
    assert after["unanswered_question"].summary.startswith(f"{alias} asked over 30m ago")
    # The raid's other members are still named.
    assert all(f"@{g}" in after["raid"].evidence for g in GUESTS[-7:])

    # The dashboard and /alerts show the alias, not eve.
    web.login_telegram(MODERATOR)
    page = web.client.get("/risk").text
    assert EVE not in page and EVE_KEY not in page
    assert alias in page and "@guest8" in page
    listed = "\n".join(web.say("mia: /alerts"))
    assert EVE not in listed and alias in listed

    # A reminder posted later shows the alias too.
    reminded = "\n".join(web.say("!clock +2h"))
    assert "Reminder" in reminded
    assert EVE not in reminded

    # Acknowledging writes the alert back: still without her.
    web.say("mia: /ack all")
    for alert in _stored(web):
        assert alert.acked_at is not None
        assert EVE not in _words(alert) and alias in _words(alert)
