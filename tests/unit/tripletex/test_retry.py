"""The retry policy: reads and deletes retry 5xx, writes only retry what was never processed."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from shopsync.tripletex import (
    AmbiguousWriteError,
    Customer,
    RateLimited,
    ServerError,
    TransportError,
    TripletexClient,
    ValidationFailed,
)
from shopsync.tripletex._retry import RetryBudget

from .conftest import FakeApi, error, value

Build = Callable[..., tuple[TripletexClient, FakeApi]]


def failing_then(
    failures: list[httpx2.Response | Exception], success: httpx2.Response
) -> Callable[..., httpx2.Response]:
    """A handler that answers (or raises) each of ``failures`` once, then ``success`` forever."""
    pending = list(failures)

    def handler(request: httpx2.Request) -> httpx2.Response:
        if pending:
            item = pending.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return success

    return handler


async def test_get_retries_server_errors(make_client: Build) -> None:
    """A GET answered 500 twice, then 200, succeeds on the third attempt."""
    handler = failing_then([error(500, 1000), error(503, 1000)], value({"id": 1, "name": "A"}))
    client, api = make_client(handler)
    assert (await client.customers.get(1)).name == "A"
    assert len(api.requests) == 3


async def test_get_gives_up_after_the_attempt_budget(make_client: Build) -> None:
    """A GET that keeps failing raises ServerError after ``retry_attempts`` attempts."""
    client, api = make_client(lambda r: error(500, 1000), retry_attempts=3)
    with pytest.raises(ServerError):
        await client.customers.get(1)
    assert len(api.requests) == 3


async def test_get_retries_timeouts(make_client: Build) -> None:
    """A read timeout on a GET is transient: the GET is sent again."""
    handler = failing_then([httpx2.ReadTimeout("slow")], value({"id": 1}))
    client, api = make_client(handler)
    await client.customers.get(1)
    assert len(api.requests) == 2


async def test_post_server_error_is_ambiguous_and_not_retried(make_client: Build) -> None:
    """A 500 on POST may have created the object: raise AmbiguousWriteError after one attempt."""
    client, api = make_client(lambda r: error(500, 1000))
    with pytest.raises(AmbiguousWriteError) as caught:
        await client.customers.create(Customer(name="Acme"))
    assert caught.value.status == 500
    assert len(api.requests) == 1


async def test_post_dropped_after_sending_is_ambiguous(make_client: Build) -> None:
    """A connection lost while waiting for the answer to a POST is ambiguous, never retried."""
    client, api = make_client(lambda r: (_ for _ in ()).throw(httpx2.RemoteProtocolError("closed")))
    with pytest.raises(AmbiguousWriteError) as caught:
        await client.customers.create(Customer(name="Acme"))
    assert caught.value.status is None
    assert len(api.requests) == 1


async def test_put_read_timeout_is_ambiguous(make_client: Build) -> None:
    """A PUT that timed out waiting for its answer is ambiguous too."""
    client, api = make_client(lambda r: (_ for _ in ()).throw(httpx2.ReadTimeout("slow")))
    with pytest.raises(AmbiguousWriteError):
        await client.customers.update(Customer(id=1, version=1, name="x"))
    assert len(api.requests) == 1


async def test_post_never_sent_is_retried(make_client: Build) -> None:
    """A POST whose connection was refused never reached Tripletex, so it is sent again."""
    handler = failing_then([httpx2.ConnectError("refused")], value({"id": 5, "name": "Acme"}, status=201))
    client, api = make_client(handler)
    created = await client.customers.create(Customer(name="Acme"))
    assert created.id == 5
    assert len(api.requests) == 2


async def test_post_connection_refused_forever_is_a_definite_failure(make_client: Build) -> None:
    """When a POST can never be sent, the caller gets TransportError(sent=False), not ambiguity."""
    client, _ = make_client(lambda r: (_ for _ in ()).throw(httpx2.ConnectError("refused")), retry_attempts=2)
    with pytest.raises(TransportError) as caught:
        await client.customers.create(Customer(name="Acme"))
    assert caught.value.sent is False


async def test_post_429_is_retried(make_client: Build) -> None:
    """A 429 means nothing was processed, so even a POST is retried after the wait."""
    handler = failing_then([error(429, 0), error(429, 0)], value({"id": 9, "name": "Acme"}, status=201))
    client, api = make_client(handler)
    assert (await client.customers.create(Customer(name="Acme"))).id == 9
    assert len(api.requests) == 3
    assert client.rate_limit.rate_limited == 2


async def test_validation_failure_is_not_retried(make_client: Build) -> None:
    """A 422 is the caller's problem: one attempt."""
    client, api = make_client(lambda r: error(422, 18000))
    with pytest.raises(ValidationFailed):
        await client.customers.create(Customer(name=""))
    assert len(api.requests) == 1


async def test_delete_retried_after_server_error_counts_404_as_done(make_client: Build) -> None:
    """A DELETE that failed with 500 and then answers 404 was carried out the first time."""
    handler = failing_then([error(500, 1000)], error(404, 6000))
    client, api = make_client(handler)
    await client.customers.delete(3)
    assert api.paths() == ["DELETE /customer/3", "DELETE /customer/3"]


def test_budget_never_retries_ambiguous_writes() -> None:
    """The hook refuses AmbiguousWriteError whatever the budget."""
    budget = RetryBudget(attempts=10, max_rate_limit_wait=60)
    assert budget(AmbiguousWriteError()) is False


def test_budget_returns_the_server_delay_for_429() -> None:
    """A 429 is retried after the delay the pacer computed, without using the attempt budget."""
    budget = RetryBudget(attempts=1, max_rate_limit_wait=60, clock=lambda: 0.0)
    assert budget(RateLimited(retry_after=2.5)) == 2.5
    assert budget(RateLimited(retry_after=None)) is True
    assert budget.failures == 0


def test_budget_stops_429_retries_after_the_maximum_wait() -> None:
    """A call stuck behind 429s longer than ``rate_limit_max_wait`` finally gives up."""
    now = [0.0]
    budget = RetryBudget(attempts=5, max_rate_limit_wait=10, clock=lambda: now[0])
    assert budget(RateLimited(retry_after=1.0)) == 1.0
    now[0] = 11.0
    assert budget(RateLimited(retry_after=1.0)) is False
