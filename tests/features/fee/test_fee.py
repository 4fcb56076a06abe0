"""The entry fee in the core: a payment reported twice is acted on once, a
checkout of an invoice the bot never made is refused, a join request's
payment approves the request, and a fee cannot be set where the platform
takes no payment from bots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.console.session import ConsoleSession, group_chat, user
from bot.config import Config, ConfigError, parse_config
from bot.core.actions import AnswerCheckout, ApproveJoin, CreateInvite, SendInvoice
from bot.core.clock import FakeClock
from bot.core.events import CheckoutAsked, JoinRequested, PaymentReceived
from bot.features.fee.feature import FeeFeature
from bot.features.overflow.entry_feature import EntryFeature
from storage.sql_store import SqlStore
from tests.conftest import START
from tests.scenarios.test_scenarios import SCENARIOS

FEE_CONFIG = SCENARIOS / "entry_fee.yaml"


@pytest.fixture
async def gate(store: SqlStore) -> AsyncIterator[ConsoleSession]:
    config: Config = parse_config(FEE_CONFIG.read_text(encoding="utf-8"))
    session = ConsoleSession(config, store, FakeClock(START))
    await session.start()
    await session.run(["[g1] olga: /groups"])
    yield session
    await session.close()


async def test_a_payment_reported_twice_is_acted_on_once(gate: ConsoleSession) -> None:
    await gate.run(["[dm] ann: /start join-green-energy", "[dm] ann: 10"])
    now = gate.clock.now()
    paid = PaymentReceived(user("ann"), "entry", 50, "XTR", "tg-charge-1", now)

    first = await gate.engine.handle(paid)
    again = await gate.engine.handle(paid)

    assert [type(a) for a in first if isinstance(a, CreateInvite)] == [CreateInvite]
    assert again == []
    rows = await gate.engine.feature(FeeFeature).fee.store.payments("green-energy", START)
    assert [(p.charge, p.status, p.group_key) for p in rows] == [
        ("tg-charge-1", "paid", "console:g1")
    ]


async def test_a_checkout_the_bot_did_not_bill_is_refused(gate: ConsoleSession) -> None:
    now = gate.clock.now()
    for payload, currency in (("donation", "XTR"), ("entry", "USD")):
        [answer] = await gate.engine.handle(
            CheckoutAsked(user("ann"), "q1", payload, 50, currency, now)
        )
        assert isinstance(answer, AnswerCheckout) and not answer.ok and answer.error


async def test_a_join_requests_payment_approves_it(gate: ConsoleSession) -> None:
    now = gate.clock.now()
    asked = await gate.engine.handle(JoinRequested(group_chat("g1"), user("bea"), now))
    await gate.gateway.execute(asked)
    challenge = gate.engine.feature(EntryFeature).entry.challenges["console:bea"]
    await gate.run([f"[dm] bea: {next(iter(challenge.answers))}"])
    [invoice] = [a for a in gate.gateway.invoices.values() if a.user.user_id == "bea"]
    assert isinstance(invoice, SendInvoice) and invoice.payload == "entry:console:g1"
    [ok] = await gate.engine.handle(
        CheckoutAsked(user("bea"), "q2", invoice.payload, 50, "XTR", now)
    )
    assert isinstance(ok, AnswerCheckout) and ok.ok
    later = now + timedelta(seconds=5)
    out = await gate.engine.handle(
        PaymentReceived(user("bea"), invoice.payload, 50, "XTR", "tg-charge-2", later)
    )
    assert [a for a in out if isinstance(a, ApproveJoin)] == [
        ApproveJoin(group_chat("g1"), user("bea"))
    ]


def test_a_fee_on_a_platform_that_takes_no_payment_is_refused() -> None:
    text = FEE_CONFIG.read_text(encoding="utf-8").replace(
        "platforms: [console]", "platforms: [discord]"
    )
    with pytest.raises(ConfigError) as refused:
        parse_config(text)
    assert refused.value.errors[0].startswith("entry.fee.platforms: 'discord' takes no payments")


async def test_a_member_who_paid_comes_back_without_paying_again(
    gate: ConsoleSession, store: SqlStore
) -> None:
    """Banned, the ban lifted on appeal (or simply gone and back): the entry
    fee on record is not asked again, across a restart too. A refunded
    payment is not on record."""
    await gate.run(["[dm] ann: /start join-green-energy"])
    challenge = gate.engine.feature(EntryFeature).entry.challenges["console:ann"]
    await gate.run([f"[dm] ann: {next(iter(challenge.answers))}", "!pay ann", "+ann [g1]"])
    await gate.run(["-ann [g1]", "!restart"])

    back = await gate.run(["[dm] ann: /start join-green-energy"])
    challenge = gate.engine.feature(EntryFeature).entry.challenges["console:ann"]
    back += await gate.run([f"[dm] ann: {next(iter(challenge.answers))}"])

    assert not any("invoice" in line for line in back), back
    assert any(line.startswith("[g1] bot invites ann") for line in back), back
    assert any("paid the entry fee already" in line for line in back), back
    rows = await gate.engine.feature(FeeFeature).fee.store.payments("green-energy", START)
    assert [p.member_key for p in rows] == ["console:ann"]
