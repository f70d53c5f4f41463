"""The pacer keeps requests under Tripletex's limit from the ``X-Rate-Limit-*`` headers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx2

from shopsync.tripletex import TripletexClient
from shopsync.tripletex._ratelimit import RateLimitPacer

from .conftest import FakeApi, error, values

Build = Callable[..., tuple[TripletexClient, FakeApi]]


class FakeTime:
    """A clock whose sleeps advance it instantly, recording each wait."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay


def answer(
    status: int = 200, *, limit: int | None = 10, remaining: int | None = None, reset: float | None = None
) -> httpx2.Response:
    """A response with the given rate-limit headers."""
    headers: dict[str, str] = {}
    if limit is not None:
        headers["X-Rate-Limit-Limit"] = str(limit)
    if remaining is not None:
        headers["X-Rate-Limit-Remaining"] = str(remaining)
    if reset is not None:
        headers["X-Rate-Limit-Reset"] = str(reset)
    return httpx2.Response(status, headers=headers)


def pacer(time: FakeTime, margin: int = 2) -> RateLimitPacer:
    return RateLimitPacer(
        safety_margin=margin, backoff_initial=0.5, backoff_max=4, clock=time.clock, sleep=time.sleep
    )


async def test_requests_flow_while_there_is_headroom() -> None:
    """With plenty remaining, acquire does not wait."""
    time = FakeTime()
    p = pacer(time)
    await p.acquire()
    p.release(answer(remaining=9, reset=30))
    await p.acquire()
    assert time.sleeps == []


async def test_holds_requests_at_the_safety_margin_until_the_period_ends() -> None:
    """When only the margin is left, the next request waits for the reset, then flows."""
    time = FakeTime()
    p = pacer(time, margin=2)
    await p.acquire()
    p.release(answer(remaining=2, reset=7))
    await p.acquire()
    assert len(time.sleeps) == 1 and 7.0 <= time.sleeps[0] <= 7.1
    assert p.stats().throttled == 1


async def test_in_flight_requests_count_against_the_remaining() -> None:
    """Concurrent acquires do not overbook the allowance the last answer reported."""
    time = FakeTime()
    p = pacer(time, margin=0)
    await p.acquire()
    p.release(answer(limit=100, remaining=2, reset=5))
    await p.acquire()
    await p.acquire()
    assert time.sleeps == []
    await p.acquire()  # two in flight, two remaining: this one waits for the new period
    assert len(time.sleeps) == 1


async def test_429_without_reset_waits_for_the_last_known_period_end() -> None:
    """Real 429s carry no Reset: the pacer uses the deadline learned from an earlier answer."""
    time = FakeTime()
    p = pacer(time)
    await p.acquire()
    p.release(answer(remaining=5, reset=3))
    time.now += 1
    await p.acquire()
    p.release(answer(429, remaining=0))
    assert 1.9 <= p.retry_after() <= 2.1
    await p.acquire()
    assert 1.9 <= sum(time.sleeps) <= 2.1


async def test_429_with_unknown_period_backs_off_doubling() -> None:
    """With no usable deadline, 429s back off 0.5, 1, 2 … and a success resets the backoff."""
    time = FakeTime()
    p = pacer(time)
    for expected in (0.5, 1.0, 2.0, 4.0, 4.0):
        await p.acquire()
        p.release(answer(429, limit=None))
        assert p.retry_after() == expected
        time.now += expected
    await p.acquire()
    p.release(answer(200, limit=None))
    await p.acquire()
    p.release(answer(429, limit=None))
    assert p.retry_after() == 0.5


async def test_headers_are_read_on_error_answers_too() -> None:
    """A 500 still updates the headroom (real servers send the headers on every status)."""
    time = FakeTime()
    p = pacer(time)
    await p.acquire()
    p.release(answer(500, limit=100, remaining=40, reset=20))
    stats = p.stats()
    assert (stats.limit, stats.remaining, stats.headroom) == (100, 40, 0.4)
    assert stats.reset_in is not None and 19.9 < stats.reset_in <= 20.1


async def test_garbage_headers_are_ignored() -> None:
    """Unparsable header values never break a request."""
    time = FakeTime()
    p = pacer(time)
    await p.acquire()
    p.release(httpx2.Response(200, headers={"X-Rate-Limit-Remaining": "lots", "X-Rate-Limit-Reset": "-1"}))
    await p.acquire()
    assert p.stats().remaining is None and time.sleeps == []


async def test_client_survives_a_429_storm_and_reports_it(make_client: Build) -> None:
    """A burst of 429s (no Reset header) is waited out; the call succeeds and stats count the 429s."""
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        if calls <= 4:
            return error(429, 0, headers={"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0"})
        return values([{"id": 1}], digest=None)

    client, _ = make_client(handler)
    page = await client.customers.list()
    assert [c.id for c in page.values] == [1]
    stats = client.rate_limit
    assert stats.rate_limited == 4 and stats.throttled >= 1


async def test_concurrent_requests_share_one_pacer(make_client: Build) -> None:
    """Twenty concurrent calls against a limit of 5 per period all succeed (paced, 429s waited out)."""
    period = {"used": 0}

    def handler(request: httpx2.Request) -> httpx2.Response:
        period["used"] += 1
        if period["used"] > 5:
            return error(429, 0)
        headers = {
            "X-Rate-Limit-Limit": "5",
            "X-Rate-Limit-Remaining": str(5 - period["used"]),
            "X-Rate-Limit-Reset": "0",
        }
        response = values([{"id": period["used"]}])
        response.headers.update(headers)
        return response

    async def reset_periods() -> None:
        while True:
            await asyncio.sleep(0.06)
            period["used"] = 0

    client, _ = make_client(handler, rate_limit_safety_margin=0)
    ticker = asyncio.create_task(reset_periods())
    try:
        pages = await asyncio.gather(*(client.customers.list() for _ in range(20)))
    finally:
        ticker.cancel()
    assert all(len(page.values) == 1 for page in pages)
    assert client.rate_limit.throttled >= 1
