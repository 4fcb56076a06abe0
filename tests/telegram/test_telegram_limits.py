"""The rate limiter, the admin cache and the gateway's retry rules, on fake
clocks: what they wait for and when they call, never how long a test takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from adapters.telegram.admins import AdminCache
from adapters.telegram.gateway import RetryPolicy, TelegramGateway
from adapters.telegram.limiter import Limits, RateLimiter
from bot.config import Config, load_config
from bot.core.clock import FakeClock
from tests.telegram.harness import CONFIG


class Time:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(time: Time, **limits: Any) -> RateLimiter:
    return RateLimiter(Limits(**limits), clock=time, sleep=time.sleep)


async def test_a_group_gets_its_allowance_then_waits_for_the_window() -> None:
    time = Time()
    rl = limiter(time, group=20, group_period=60.0)
    for _ in range(20):
        await rl.acquire(-100)
    assert time.slept == []
    await rl.acquire(-100)
    assert time.slept == [60.0]


async def test_groups_do_not_share_their_allowance() -> None:
    time = Time()
    rl = limiter(time, group=2, group_period=60.0)
    for chat in (-1, -1, -2, -2, -3):
        await rl.acquire(chat)
    assert time.slept == []


async def test_the_overall_limit_spans_all_chats() -> None:
    time = Time()
    rl = limiter(time, overall=30, overall_period=1.0)
    for n in range(30):
        await rl.acquire(-n - 1)
    await rl.acquire(-999)
    assert time.slept == [1.0]


async def test_a_private_chat_gets_one_message_a_second() -> None:
    time = Time()
    rl = limiter(time, private=1, private_period=1.0)
    await rl.acquire(42)
    await rl.acquire(43)
    await rl.acquire(42)
    assert time.slept == [1.0]


async def test_calls_that_are_not_messages_only_count_overall() -> None:
    time = Time()
    rl = limiter(time, overall=3, overall_period=1.0, group=1)
    for _ in range(3):
        await rl.acquire(None)
    await rl.acquire(None)
    assert time.slept == [1.0]


class Fetches:
    def __init__(self, *answers: frozenset[int] | Exception) -> None:
        self.answers = list(answers)
        self.chats: list[int] = []

    async def __call__(self, chat_id: int) -> frozenset[int]:
        self.chats.append(chat_id)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_admins_are_read_once_per_ttl() -> None:
    time = Time()
    fetch = Fetches(frozenset({1}), frozenset({1, 2}))
    cache = AdminCache(fetch, ttl=300, clock=time)
    assert await cache.get(-5) == {1}
    time.now += 299
    assert await cache.get(-5) == {1}
    time.now += 2
    assert await cache.get(-5) == {1, 2}
    assert fetch.chats == [-5, -5]


async def test_a_change_makes_the_next_read_fresh() -> None:
    fetch = Fetches(frozenset({1}), frozenset({1, 7}))
    cache = AdminCache(fetch, ttl=300, clock=Time())
    await cache.get(-5)
    cache.invalidate(-5)
    assert await cache.get(-5) == {1, 7}


async def test_a_failed_read_keeps_the_last_list_for_a_short_while() -> None:
    time = Time()
    fetch = Fetches(frozenset({1}), BadRequest("Chat not found"), frozenset({3}))
    cache = AdminCache(fetch, ttl=10, failure_ttl=5, clock=time)
    await cache.get(-5)
    time.now += 11
    assert await cache.get(-5) == {1}
    time.now += 4
    assert await cache.get(-5) == {1}
    time.now += 2
    assert await cache.get(-5) == {3}


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("TELEGRAM_TOKEN", "1:x")
    monkeypatch.setenv("GK_TG_BASE_URL", "http://127.0.0.1:9/bot")
    return load_config(CONFIG)


def gateway(config: Config, time: Time, **retry: Any) -> TelegramGateway:
    return TelegramGateway(
        cast(Bot, None),
        lambda: config,
        FakeClock(),
        limiter=RateLimiter(clock=time, sleep=time.sleep),
        retry=RetryPolicy(**retry),
        sleep=time.sleep,
    )


def failing(*errors: Exception) -> Callable[[], Awaitable[str]]:
    queue = list(errors)

    async def call() -> str:
        if queue:
            raise queue.pop(0)
        return "done"

    return call


async def test_429s_are_waited_out_for_retry_after(config: Config) -> None:
    time = Time()
    gw = gateway(config, time)
    result = await gw.call(failing(RetryAfter(7), RetryAfter(3)), chat_id=-1, message=True)
    assert result == "done"
    assert time.slept == [7.0, 3.0]


async def test_a_flood_wait_beyond_the_budget_gives_up(config: Config) -> None:
    time = Time()
    gw = gateway(config, time, max_flood_wait=10)
    with pytest.raises(RetryAfter):
        await gw.call(failing(RetryAfter(6), RetryAfter(6)), chat_id=-1, message=True)
    assert time.slept == [6.0]


async def test_network_errors_are_retried_with_backoff(config: Config) -> None:
    time = Time()
    gw = gateway(config, time, network_attempts=3, backoff=1.0)
    assert await gw.call(failing(TimedOut(), TimedOut()), chat_id=None, message=False) == "done"
    assert time.slept == [1.0, 2.0]
    with pytest.raises(TimedOut):
        await gw.call(failing(*[TimedOut()] * 3), chat_id=None, message=False)


@pytest.mark.parametrize(
    "error", [BadRequest("Message to delete not found"), Forbidden("Bot was blocked by the user")]
)
async def test_refusals_are_not_retried(config: Config, error: Exception) -> None:
    time = Time()
    gw = gateway(config, time)
    calls = failing(error)
    with pytest.raises(type(error)):
        await gw.call(calls, chat_id=-1, message=False)
    assert time.slept == []


async def test_a_send_refused_by_flood_control_does_not_use_the_groups_allowance(
    config: Config,
) -> None:
    time = Time()
    gw = gateway(config, time)
    storm = failing(*[RetryAfter(1)] * 10)
    sent_at: list[float] = []
    for _ in range(40):
        await gw.call(storm, chat_id=-1, message=True)
        sent_at.append(time.now)
    # Ten refusals a second apart, then the allowance of 20 a minute, whole:
    # 40 replies in two windows of the group's allowance, not three.
    assert time.slept == [1.0] * 10 + [60.0]
    assert sent_at == [1010.0] * 20 + [1070.0] * 20
