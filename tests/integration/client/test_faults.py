"""Faults the simulator injects: 429 storms, 5xx, dropped answers after commit, expired sessions."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from shopsync.tripletex import AmbiguousWriteError, BatchWriteError, Customer, TripletexClient
from tests.integration.conftest import SimFactory, SimHandle

from .conftest import Connect, admin, settings_for

pytestmark = pytest.mark.e2e


async def names(tx: TripletexClient, name: str) -> list[int | None]:
    """Ids of customers called ``name``."""
    return [c.id async for c in tx.customers.iterate(fields="id,name", customer_name=name) if c.name == name]


async def test_429_storm_is_survived_without_failed_calls(
    tripletex_sim_factory: SimFactory, connect: Connect
) -> None:
    """With 6 requests per 1-second period, 16 concurrent reads all succeed (paced; any 429 waited out)."""
    sim = tripletex_sim_factory(seed=7, customers=30, products=0, orders=0, rate_limit=6, rate_period=1.0)
    tx = connect(sim, rate_limit_safety_margin=1)
    pages = await asyncio.gather(*(tx.customers.list(fields="id", count=5) for _ in range(16)))
    assert all(len(page.values) == 5 for page in pages)
    stats = tx.rate_limit
    assert stats.limit == 6 and stats.throttled >= 1
    assert admin(sim, "GET", "/_sim/stats")["requests"]["GET /v2/customer"] >= 16


async def test_forced_429_window_delays_a_create_without_duplicating_it(
    tripletex_sim_factory: SimFactory, connect: Connect
) -> None:
    """While the server answers 429 to everything, a POST waits and is stored exactly once."""
    sim = tripletex_sim_factory(rate_period=1.0)
    tx = connect(sim, rate_limit_backoff_initial=0.1)
    await tx.currencies.list(code="NOK")  # the session exists, so the storm hits the write itself
    admin(sim, "POST", "/_sim/faults", {"rate_limit_for": 1.5})
    created = await tx.customers.create(Customer(name="Stormfull AS"))
    assert created.id is not None
    assert tx.rate_limit.rate_limited >= 1
    assert await names(tx, "Stormfull AS") == [created.id]


async def test_server_errors_on_reads_are_retried(tripletex_sim: SimHandle, connect: Connect) -> None:
    """Two 502 HTML pages (a load balancer's, not JSON) before a GET are retried transparently."""
    tx = connect(tripletex_sim)
    await tx.currencies.list(code="NOK")
    admin(tripletex_sim, "POST", "/_sim/faults", {"fail_next": 2, "fail_status": 502, "fail_html": True})
    page = await tx.currencies.list(code="EUR")
    assert [c.code for c in page.values] == ["EUR"]
    assert admin(tripletex_sim, "GET", "/_sim/stats")["faults"]["fail"] == 2


async def test_dropped_answer_after_commit_is_ambiguous(tripletex_sim: SimHandle, connect: Connect) -> None:
    """The server stores the customer but cuts the connection: the client says "ambiguous", not "failed"."""
    tx = connect(tripletex_sim)
    await tx.currencies.list(code="NOK")
    admin(tripletex_sim, "POST", "/_sim/faults", {"drop_after_commit": 1})
    with pytest.raises(AmbiguousWriteError) as caught:
        await tx.customers.create(Customer(name="Kanskje AS"))
    assert caught.value.status is None
    assert len(await names(tx, "Kanskje AS")) == 1  # it was stored, and not sent twice


async def test_5xx_on_a_post_is_ambiguous_and_not_repeated(
    tripletex_sim: SimHandle, connect: Connect
) -> None:
    """A 500 answer to a POST is reported as ambiguous and the POST is sent only once."""
    tx = connect(tripletex_sim)
    await tx.currencies.list(code="NOK")
    admin(tripletex_sim, "POST", "/_sim/faults", {"fail_next": 1})
    with pytest.raises(AmbiguousWriteError) as caught:
        await tx.customers.create(Customer(name="Ukjent AS"))
    assert caught.value.status == 500
    requests = admin(tripletex_sim, "GET", "/_sim/stats")["requests"]
    assert sum(n for key, n in requests.items() if key.startswith("POST") and "session" not in key) == 1


async def test_dropped_batch_answer_is_an_ambiguous_batch(tripletex_sim: SimHandle, connect: Connect) -> None:
    """A dropped answer to the second chunk of a batch: the first chunk is reported as written."""
    tx = connect(tripletex_sim, batch_size=10)
    await tx.currencies.list(code="NOK")
    first = await tx.customers.create_many([Customer(name=f"Batch {i}") for i in range(10)])
    admin(tripletex_sim, "POST", "/_sim/faults", {"drop_after_commit": 1})
    with pytest.raises(BatchWriteError) as caught:
        await tx.customers.create_many([Customer(name=f"Neste {i}") for i in range(15)])
    assert caught.value.ambiguous and caught.value.failed_offset == 0 and caught.value.failed_count == 10
    assert len(first) == 10


async def test_expired_sessions_are_renewed_on_401(tripletex_sim: SimHandle, connect: Connect) -> None:
    """After every session expires, the next call gets 401, renews once and succeeds."""
    tx = connect(tripletex_sim)
    await tx.currencies.list(code="NOK")
    result = admin(tripletex_sim, "POST", "/_sim/faults", {"expire_sessions": True})
    assert result["expired_sessions"] >= 1
    created = await tx.customers.create(Customer(name="Etter utløp AS"))
    assert created.id is not None
    stats = admin(tripletex_sim, "GET", "/_sim/stats")
    assert stats["requests"]["POST /v2/token/session/:create"] == 2
    assert stats["statuses"]["401"] == 1
    assert tx.sessions.created == 2


async def test_session_is_renewed_before_expiry(tripletex_sim: SimHandle) -> None:
    """A client whose clock reaches the renewal margin makes a new session before any 401."""
    now = [dt.datetime.now(dt.UTC)]
    settings = settings_for(tripletex_sim, session_lifetime_days=1, session_renew_margin_seconds=3600)
    async with TripletexClient(settings, clock=lambda: now[0]) as tx:
        await tx.currencies.list(code="NOK")
        expires = tx.sessions.expires_at
        assert expires is not None
        now[0] = expires - dt.timedelta(minutes=30)
        await tx.currencies.list(code="SEK")
    stats = admin(tripletex_sim, "GET", "/_sim/stats")
    assert stats["requests"]["POST /v2/token/session/:create"] == 2
    assert "401" not in stats["statuses"]
